"""A real Moonraker (PyPI ``moonraker``, its own venv) run as a subprocess for one OttoEject."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import contextlib
import hashlib
import logging
import os
from pathlib import Path
import shutil
import sqlite3
import sys
from typing import IO, Any

import aiohttp

_LOGGER = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
MOONRAKER_ENV = "OTTOENGINE_MOONRAKER"  # explicit path to the `moonraker` executable
API_KEY_USER = "_API_KEY_USER_"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class MoonrakerStartError(RuntimeError):
    """Moonraker did not come up (its log file has the details)."""


def find_moonraker_executable() -> Path:
    """The ``moonraker`` console script of the project's Moonraker venv.

    Order: ``$OTTOENGINE_MOONRAKER``; the venv ``scripts/lib/env.sh`` creates next to the test
    venv (``moonraker-venv-<requirements key>``); any ``moonraker`` on PATH.
    """
    explicit = os.environ.get(MOONRAKER_ENV)
    if explicit:
        return Path(explicit)
    venv_parent = Path(sys.prefix).parent
    key = _requirements_key()
    preferred = venv_parent / f"moonraker-venv-{key}" / "bin" / "moonraker"
    if preferred.is_file():
        return preferred
    candidates = sorted(
        venv_parent.glob("moonraker-venv-*/bin/moonraker"), key=lambda p: p.stat().st_mtime
    )
    if candidates:
        return candidates[-1]
    found = shutil.which("moonraker")
    if found:
        return Path(found)
    raise MoonrakerStartError(f"no Moonraker executable: run scripts/setup, or set {MOONRAKER_ENV}")


def _requirements_key() -> str:
    """The cache key scripts/lib/env.sh gives the venvs (sha256 of the requirement files)."""
    data = b"".join(
        (REPO_ROOT / name).read_bytes()
        for name in ("requirements_test.txt", "requirements_moonraker.txt")
        if (REPO_ROOT / name).is_file()
    )
    return hashlib.sha256(data).hexdigest()[:12]


def moonraker_config(
    *,
    host: str,
    port: int,
    klippy_socket: Path,
    trusted_clients: Sequence[str],
    zeroconf_hostname: str | None = None,
) -> str:
    """A moonraker.conf for a host without a service manager or update manager.

    ``zeroconf_hostname``: add ``[zeroconf]`` (mDNS ``_moonraker._tcp`` announcing ``host``,
    server ``<zeroconf_hostname>.local``).
    """
    trusted = "".join(f"\n  {client}" for client in trusted_clients)
    return (
        "[server]\n"
        f"host: {host}\n"
        f"port: {port}\n"
        f"klippy_uds_address: {klippy_socket}\n"
        "\n[authorization]\n"
        "enable_api_key: True\n"
        f"trusted_clients:{trusted}\n"
        "\n[machine]\n"
        "provider: none\n"
        "validate_service: False\n"
        "validate_config: False\n"
        "\n[announcements]\n"
        "enable_moonlight: False\n"
    ) + ("" if zeroconf_hostname is None else f"\n[zeroconf]\nmdns_hostname: {zeroconf_hostname}\n")


class MoonrakerProcess:
    """Starts, watches and stops one Moonraker subprocess.

    ``api_key=None`` trusts the whole loopback range (no credentials needed); with a key, no
    client is trusted and every request needs ``X-Api-Key``; the key is written into Moonraker's
    database (it cannot be configured), which takes one extra Moonraker start the first time.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        data_path: Path,
        klippy_socket: Path,
        unix_socket: Path,
        api_key: str | None = None,
        zeroconf_hostname: str | None = None,
    ) -> None:
        self.host = host
        self.zeroconf_hostname = zeroconf_hostname
        self.port = port
        self.data_path = data_path
        self.klippy_socket = klippy_socket
        self.unix_socket = unix_socket
        self.api_key = api_key
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process else None

    @property
    def log_path(self) -> Path:
        return self.data_path / "logs" / "moonraker.log"

    @property
    def _database(self) -> Path:
        return self.data_path / "database" / "moonraker-sql.db"

    def headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key} if self.api_key else {}

    async def start(self) -> None:
        """Start Moonraker and wait until its HTTP API answers."""
        if self.running:
            return
        # A few hundred bytes of local files: done inline rather than in an executor thread,
        # which would outlive the tests' loops.
        self._prepare_files()
        if self.api_key and self._stored_api_key() != self.api_key:
            if not self._database.exists():
                await self._spawn()  # the first start creates the database
                await self.wait_http()
                await self.stop()
            self._store_api_key(self.api_key)
        await self._spawn()
        await self.wait_http()

    async def stop(self) -> None:
        """Terminate Moonraker (SIGTERM, then SIGKILL) and reap it."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    async def get_json(self, path: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
        """One GET against this Moonraker: (HTTP status, JSON body)."""
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.get(self.url + path, headers=self.headers()) as response,
        ):
            data: dict[str, Any] = await response.json(content_type=None)
            return response.status, data

    async def wait_http(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until Moonraker answers HTTP at all (even 401 before the key is in place)."""
        await self._wait(lambda status, info: True, timeout)

    async def wait_klippy_state(self, state: str, timeout: float = STARTUP_TIMEOUT) -> None:
        await self.wait_server_info(lambda info: info.get("klippy_state") == state, timeout)

    async def wait_server_info(
        self, accept: Callable[[dict[str, Any]], bool], timeout: float
    ) -> None:
        """Poll ``/server/info`` until ``accept(result)`` holds."""
        await self._wait(
            lambda status, body: status == 200 and accept(body.get("result") or {}), timeout
        )

    async def _wait(self, accept: Callable[[int, dict[str, Any]], bool], timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last: object = None
        while loop.time() < deadline:
            if self._process is None or self._process.returncode is not None:
                raise MoonrakerStartError(f"Moonraker exited; see {self.log_path}")
            try:
                status, body = await self.get_json("/server/info")
            except (aiohttp.ClientError, TimeoutError, ValueError) as err:
                last = err
            else:
                last = (status, body)
                if accept(status, body):
                    return
            await asyncio.sleep(0.05)
        raise MoonrakerStartError(f"Moonraker at {self.url} not ready: {last!r}")

    async def _spawn(self) -> None:
        executable = find_moonraker_executable()
        self._log = (self.data_path / "logs" / "moonraker.stdout.log").open("ab")
        self._process = await asyncio.create_subprocess_exec(
            str(executable),
            "-d",
            str(self.data_path),
            "-c",
            str(self.data_path / "config" / "moonraker.conf"),
            "-l",
            str(self.log_path),
            "-u",
            str(self.unix_socket),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
        )
        _LOGGER.debug("Moonraker %s started as pid %s", self.url, self._process.pid)

    def _prepare_files(self) -> None:
        for sub in ("config", "logs", "gcodes", "database", "comms"):
            (self.data_path / sub).mkdir(parents=True, exist_ok=True)
        trusted = [] if self.api_key else ["127.0.0.0/8"]
        (self.data_path / "config" / "moonraker.conf").write_text(
            moonraker_config(
                host=self.host,
                port=self.port,
                klippy_socket=self.klippy_socket,
                trusted_clients=trusted,
                zeroconf_hostname=self.zeroconf_hostname,
            )
        )

    def _stored_api_key(self) -> str | None:
        if not self._database.exists():
            return None
        with contextlib.closing(sqlite3.connect(self._database)) as db:
            row = db.execute(
                "SELECT password FROM authorized_users WHERE username = ?", (API_KEY_USER,)
            ).fetchone()
        return None if row is None else str(row[0])

    def _store_api_key(self, key: str) -> None:
        with contextlib.closing(sqlite3.connect(self._database)) as db, db:
            db.execute(
                "UPDATE authorized_users SET password = ? WHERE username = ?", (key, API_KEY_USER)
            )
