"""A child server process (Mosquitto, vsftpd) owned by the simulator.

Children run in their own session (process group) so that stopping one also ends the helper
processes it forked (vsftpd forks one per FTP session), and they receive SIGTERM when the
simulator dies, so that even a SIGKILLed farm leaves no servers behind.

Starting a process does not bind it to an event loop (``subprocess.Popen``, readiness polled
with ``asyncio.sleep``), so one object may be started from a module-scoped test fixture and used
by tests running in other loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
from pathlib import Path
import signal
import socket
import subprocess
import time

_PR_SET_PDEATHSIG = 1
_POLL_INTERVAL = 0.02


class ProcessError(RuntimeError):
    """A server process could not be started (its log tail is in the message)."""


def die_with_parent() -> None:
    """Ask the kernel to SIGTERM the calling process when its parent process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def port_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound right now (nothing listens there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


async def _accepts(host: str, port: int) -> bool:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 0.5)
    except OSError, TimeoutError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class ManagedProcess:
    """One server process: started with ``argv``, its output appended to ``log_file``."""

    def __init__(self, name: str, argv: list[str], log_file: Path) -> None:
        self.name = name
        self.argv = argv
        self.log_file = log_file
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def launch(self) -> None:
        """Start the process (does not wait for it to be ready)."""
        if self.running:
            return
        with self.log_file.open("ab") as log:
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 (called from the loop thread only)
            )

    async def start_listening(self, host: str, port: int) -> None:
        """Launch the server of ``host:port`` and wait until it listens there.

        Raises ``ProcessError`` at once, without launching, while something else listens on
        ``host:port`` (the server would fail to bind, or clients would reach the other one).
        """
        if not port_free(host, port):
            raise ProcessError(f"{host}:{port} is already in use")
        self.launch()
        await self.wait_listening(host, port)

    async def wait_listening(self, host: str, port: int, timeout: float = 10.0) -> None:
        """Wait until ``host:port`` accepts connections, or raise ``ProcessError``."""
        deadline = time.monotonic() + timeout
        while True:
            if self._popen is None or self._popen.poll() is not None:
                raise ProcessError(f"{self.name} exited during start-up: {self.log_tail()}")
            if await _accepts(host, port):
                return
            if time.monotonic() > deadline:
                self.kill()
                raise ProcessError(
                    f"{self.name} did not listen on {host}:{port}: {self.log_tail()}"
                )
            await asyncio.sleep(0.05)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:])

    def signal_group(self, sig: int) -> None:
        """Send ``sig`` to the process and everything it forked."""
        if self._popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole process group now and reap the process."""
        if self._popen is None:
            return
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=2)
        self._popen = None

    async def stop(self, grace: float = 3.0) -> None:
        """SIGTERM the process group, wait up to ``grace`` seconds, then SIGKILL it."""
        if self._popen is None:
            return
        self.signal_group(signal.SIGTERM)
        for _ in range(max(1, int(grace / _POLL_INTERVAL))):
            if self._popen.poll() is not None:
                break
            await asyncio.sleep(_POLL_INTERVAL)
        # Also reap forked helpers (vsftpd sessions) still in the group.
        self.kill()
