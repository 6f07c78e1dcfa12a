"""Klippy's unix-socket API server, shared by every simulated Klipper host (OttoEject, printer).

A real Moonraker connects to it exactly as to Klipper (see moonraker-klipper.md, section 9):
messages are JSON objects terminated by 0x03, requests carry an ``id`` that is echoed, slow
requests (``gcode/script`` running a macro) do not block others, subscriptions push only changed
fields every 0.25 s, and restarts close the socket so Moonraker sees Klippy disconnect and
reconnect. What a host does with its G-code, its printer objects and its printer.cfg comes from
the subclass (``ottosim.ottoeject.klippy``, ``ottosim.klipper.klippy``) through the hooks below.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
import logging
import os
from pathlib import Path
import sys
import time
from typing import Any, Protocol

from ottosim.klippy.framing import ETX, decode_message, encode_message
from ottosim.klippy.gcode import GcodeCall, parse_gcode_line
from ottosim.klippy.status import status_changes

_LOGGER = logging.getLogger(__name__)

READY = "ready"
STARTUP = "startup"
SHUTDOWN = "shutdown"
ERROR = "error"

STATUS_INTERVAL = 0.25  # Klipper checks subscribed objects every 250 ms
READY_MESSAGE = "Printer is ready"
STARTUP_MESSAGE = "Printer is not ready"
ESTOP_MESSAGE = "Shutdown due to webhooks request"
RESTART_HINT = (
    '\nOnce the underlying issue is corrected, use the "FIRMWARE_RESTART"\n'
    "command to reset the firmware, reload the config, and restart the host software.\n"
)

ENDPOINTS = [
    "list_endpoints",
    "info",
    "emergency_stop",
    "register_remote_method",
    "gcode/help",
    "gcode/script",
    "gcode/restart",
    "gcode/firmware_restart",
    "gcode/subscribe_output",
    "objects/list",
    "objects/query",
    "objects/subscribe",
    "pause_resume/pause",
    "pause_resume/resume",
    "pause_resume/cancel",
]

BUILTIN_HELP = {
    "G4": "Dwell",
    "M400": "Wait for current moves to finish",
    "G28": "Home the robot",
    "M112": "Emergency stop",
    "RESPOND": "Echo the message prepended with a prefix",
    "STATUS": "Report the printer status",
    "HELP": "Report the list of available extended G-Code commands",
    "RESTART": "Reload config file and restart host software",
    "FIRMWARE_RESTART": "Restart firmware, host, and reload config",
}
_NO_OP_COMMANDS = frozenset({"G0", "G1", "G90", "G91", "G92", "M18", "M84", "M400", "M82", "M83"})
_WHEN_NOT_READY = frozenset({"RESTART", "FIRMWARE_RESTART", "STATUS", "HELP", "M112"})


class EndpointError(Exception):
    """An API request Klippy refuses (sent back as ``WebRequestError``)."""


class _ConnectionDropping(Exception):
    """The request restarts Klippy; the connection closes instead of answering."""


class KlippyObjects(Protocol):
    """The printer objects of a simulated Klippy host (``objects/list``, ``query``, ...)."""

    webhooks: dict[str, Any]
    idle_timeout_state: str
    homed_axes: str

    def set_webhooks(self, state: str, message: str) -> None: ...

    def begin_activity(self, now: float) -> None: ...

    def end_activity(self, now: float) -> None: ...

    def names(self) -> list[str]: ...

    def query(
        self, requested: Mapping[str, Sequence[str] | None], now: float
    ) -> dict[str, dict[str, Any]]: ...


@dataclass(eq=False)
class _Client:
    """One API connection (Moonraker) with its subscription and running requests."""

    writer: asyncio.StreamWriter
    subscription: dict[str, list[str] | None] = field(default_factory=dict)
    status_method: str = "process_status_update"
    last_status: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_method: str | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def send(self, message: dict[str, Any]) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode_message(message))


class KlippyApiServer:
    """Klippy's API server; subclasses give it objects, G-code and a printer.cfg.

    Hooks: ``_reset_objects`` (fresh object values at (re)start), ``_reload_config`` (on
    RESTART / FIRMWARE_RESTART), ``_config_sections`` (printer.cfg), ``_extended_help``,
    ``_run_extended`` (commands beyond the built-in ones), ``_refused`` (a command refused while
    not ready), ``_on_shutdown``, ``_pause_resume`` (the ``pause_resume/*`` endpoints).
    ``time_scale`` multiplies the restart time (and the subclass's durations).
    """

    cpu_info = "simulated Klipper host"

    def __init__(
        self,
        socket_path: Path,
        objects: KlippyObjects,
        *,
        hostname: str,
        data_path: Path,
        time_scale: float = 1.0,
        restart_seconds: float = 2.0,
    ) -> None:
        self.socket_path = socket_path
        self.hostname = hostname
        self._time_scale = time_scale
        self._restart_seconds = restart_seconds
        self._data_path = data_path
        self._objects = objects
        self._server: asyncio.Server | None = None
        self._clients: set[_Client] = set()
        self._gcode_lock = asyncio.Lock()
        self._halt = asyncio.Event()
        self._status_task: asyncio.Task[None] | None = None
        self._lifecycle_task: asyncio.Task[None] | None = None
        self.remote_methods: set[str] = set()
        self.current_command: str | None = None
        self.last_error: str | None = None
        self.restarts = 0
        self.gcode_log: deque[str] = deque(maxlen=50)

    # -- state ---------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return str(self._objects.webhooks["state"])

    @property
    def state_message(self) -> str:
        return str(self._objects.webhooks["state_message"])

    @property
    def idle_timeout_state(self) -> str:
        return self._objects.idle_timeout_state

    @property
    def connected_clients(self) -> int:
        return len(self._clients)

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on the unix socket; the state goes startup -> ready after a moment."""
        self._reset_objects(STARTUP, STARTUP_MESSAGE)
        self._write_install()
        await self._open_server()
        self._status_task = asyncio.create_task(self._push_status_forever())
        self._lifecycle_task = asyncio.create_task(self._finish_startup(None))

    async def stop(self) -> None:
        """Stop serving: no socket file, connection or task is left."""
        for task in (self._lifecycle_task, self._status_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._lifecycle_task = self._status_task = None
        self._halt.set()
        await self._close_server()

    def shutdown(self, message: str) -> None:
        """Klipper's shutdown (emergency stop, MCU lost): macros abort, scripts are refused."""
        if self.state == SHUTDOWN:
            return
        self._objects.set_webhooks(SHUTDOWN, message + RESTART_HINT)
        self._on_shutdown(message)
        self._halt.set()
        self._respond(f"!! {message}")
        self._respond("// Klipper state: Shutdown")
        _LOGGER.info("%s: Klippy shutdown: %s", self.hostname, message)

    def restart(self, *, error: str | None = None) -> None:
        """RESTART / FIRMWARE_RESTART: drop the connection, come back (ready, or ``error``)."""
        if self._lifecycle_task is not None and not self._lifecycle_task.done():
            self._lifecycle_task.cancel()
        self._lifecycle_task = asyncio.create_task(self._restart(error))

    async def _restart(self, error: str | None) -> None:
        self.restarts += 1
        self._halt.set()
        self._respond("// Klipper state: Disconnect")
        await self._close_server()
        await asyncio.sleep(self._restart_seconds * self._time_scale / 2)
        self._reload_config()
        self._write_install()
        self._reset_objects(STARTUP, STARTUP_MESSAGE)
        self._halt = asyncio.Event()
        await self._open_server()
        await self._finish_startup(error)

    async def _finish_startup(self, error: str | None) -> None:
        await asyncio.sleep(self._restart_seconds * self._time_scale / 2)
        if error is None:
            self._objects.set_webhooks(READY, READY_MESSAGE)
        else:
            self._objects.set_webhooks(ERROR, error + RESTART_HINT)

    async def _open_server(self) -> None:
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        self._server = await asyncio.start_unix_server(
            self._serve_client, path=str(self.socket_path)
        )

    async def _close_server(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        clients = list(self._clients)
        for client in clients:
            for task in list(client.tasks):
                task.cancel()
            client.writer.close()
        for client in clients:
            with contextlib.suppress(Exception):
                await client.writer.wait_closed()
            if client.tasks:
                await asyncio.gather(*client.tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    # -- connections ---------------------------------------------------------------------------
    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        client = _Client(writer)
        self._clients.add(client)
        try:
            while True:
                frame = await reader.readuntil(ETX)
                task = asyncio.create_task(self._handle(client, decode_message(frame)))
                client.tasks.add(task)
                task.add_done_callback(client.tasks.discard)
        except asyncio.IncompleteReadError, ConnectionError, ValueError:
            pass
        finally:
            self._clients.discard(client)
            for task in list(client.tasks):
                task.cancel()
            writer.close()

    async def _handle(self, client: _Client, message: Mapping[str, Any]) -> None:
        request_id = message.get("id")
        method = str(message.get("method", ""))
        params = message.get("params") or {}
        try:
            result = await self._dispatch(client, method, params)
        except _ConnectionDropping:
            return
        except EndpointError as err:
            reply: dict[str, Any] = {
                "id": request_id,
                "error": {"error": "WebRequestError", "message": str(err)},
            }
        else:
            reply = {"id": request_id, "result": result}
        if request_id is not None:
            client.send(reply)

    async def _dispatch(
        self, client: _Client, method: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        now = time.monotonic()
        if method == "info":
            return self._info()
        if method == "list_endpoints":
            return {"endpoints": list(ENDPOINTS)}
        if method == "objects/list":
            return {"objects": self._objects.names()}
        if method == "objects/query":
            return {"eventtime": now, "status": self._objects.query(params.get("objects", {}), now)}
        if method == "objects/subscribe":
            return self._subscribe(client, params, now)
        if method == "gcode/subscribe_output":
            client.output_method = _template_method(params, "process_gcode_response")
            return {}
        if method == "register_remote_method":
            self.remote_methods.add(str(params.get("remote_method", "")))
            return {}
        if method == "gcode/script":
            await self._run_script(str(params.get("script", "")))
            return {}
        if method == "gcode/help":
            return {**BUILTIN_HELP, **self._extended_help()}
        if method in {"gcode/restart", "gcode/firmware_restart"}:
            self.restart()
            return {}
        if method == "emergency_stop":
            self.shutdown(ESTOP_MESSAGE)
            return {}
        if method.startswith("pause_resume/"):
            await self._pause_resume(method.removeprefix("pause_resume/"))
            return {}
        raise EndpointError(f"No registered endpoint '{method}'")

    def _info(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "state_message": self.state_message,
            "hostname": self.hostname,
            "klipper_path": str(self._data_path / "klipper"),
            "python_path": sys.executable,
            "process_id": os.getpid(),
            "user_id": os.getuid(),
            "group_id": os.getgid(),
            "log_file": str(self._data_path / "logs" / "klippy.log"),
            "config_file": str(self._data_path / "config" / "printer.cfg"),
            "software_version": "v0.13.0-ottosim",
            "cpu_info": self.cpu_info,
        }

    def _write_install(self) -> None:
        """The files Moonraker expects of a Klipper install (a printer.cfg).

        A few hundred bytes, written inline at (re)start.
        """
        for sub in ("klipper/config", "klipper/docs", "config", "logs", "gcodes"):
            (self._data_path / sub).mkdir(parents=True, exist_ok=True)
        sections = ["[virtual_sdcard]\npath: " + str(self.gcodes_dir)]
        sections += ["[pause_resume]", "[display_status]", "[idle_timeout]\ntimeout: 600"]
        sections += self._config_sections()
        (self._data_path / "config" / "printer.cfg").write_text("\n\n".join(sections) + "\n")

    @property
    def gcodes_dir(self) -> Path:
        """Moonraker's gcodes folder, which is ``[virtual_sdcard] path``."""
        return self._data_path / "gcodes"

    # -- hooks for the host ----------------------------------------------------------------------
    def _reset_objects(self, state: str, message: str) -> None:
        """Fresh object values, as after Klippy (re)starts."""
        raise NotImplementedError

    def _reload_config(self) -> None:
        """Re-read the configuration (RESTART / FIRMWARE_RESTART)."""

    def _config_sections(self) -> list[str]:
        """printer.cfg sections beyond virtual_sdcard, pause_resume, display_status, idle_timeout."""
        return []

    def _extended_help(self) -> dict[str, str]:
        """``gcode/help`` entries beyond the built-in commands."""
        return {}

    async def _run_extended(self, call: GcodeCall) -> bool:
        """Run a command that is not built in; ``False``: unknown command."""
        return False

    def _refused(self, call: GcodeCall, reason: str) -> None:
        """A command was refused because Klippy is not ready."""

    def _on_shutdown(self, message: str) -> None:
        """Klippy just shut down (before running work is halted)."""

    def _advance(self, now: float) -> None:
        """Called every ``STATUS_INTERVAL`` before subscriptions are checked (``now``: monotonic)."""

    async def _pause_resume(self, action: str) -> None:
        """``pause_resume/pause|resume|cancel``: nothing to pause by default."""

    def _subscribe(self, client: _Client, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        """A new subscription replaces the connection's previous one; full values come back."""
        client.subscription = dict(params.get("objects") or {})
        client.status_method = _template_method(params, "process_status_update")
        status = self._objects.query(client.subscription, now)
        client.last_status = status
        return {"eventtime": now, "status": status}

    async def _push_status_forever(self) -> None:
        while True:
            await asyncio.sleep(STATUS_INTERVAL)
            now = time.monotonic()
            self._advance(now)
            for client in list(self._clients):
                if not client.subscription:
                    continue
                current = self._objects.query(client.subscription, now)
                changes = status_changes(client.last_status, current)
                client.last_status = current
                if changes:
                    client.send(
                        {
                            "method": client.status_method,
                            "params": {"eventtime": now, "status": changes},
                        }
                    )

    def _respond(self, line: str) -> None:
        """A line of G-code output (``// info``, ``!! error``, ``echo: ...``)."""
        self.gcode_log.append(line)
        for client in list(self._clients):
            if client.output_method is not None:
                client.send({"method": client.output_method, "params": {"response": line}})

    # -- G-code --------------------------------------------------------------------------------
    async def _run_script(self, script: str) -> None:
        """Run a script line by line under the G-code mutex; answer when all of it is done."""
        async with self._gcode_lock:
            for raw in script.splitlines():
                call = parse_gcode_line(raw)
                if call is None:
                    continue
                self.gcode_log.append(call.line)
                self.current_command = call.line
                try:
                    await self._run_command(call)
                finally:
                    self.current_command = None

    async def _run_command(self, call: GcodeCall) -> None:
        command = call.command
        if self.state != READY and command not in _WHEN_NOT_READY:
            refusal = {SHUTDOWN: "Printer is shutdown", ERROR: "Printer is halted"}
            reason = refusal.get(self.state, "Printer is not ready")
            self._refused(call, reason)
            raise self._script_error(reason)
        if command in {"RESTART", "FIRMWARE_RESTART"}:
            self.restart()
            raise _ConnectionDropping
        if command == "M112":
            self.shutdown(ESTOP_MESSAGE)
        elif command == "STATUS":
            self._respond(f"// Klipper state: {self.state.capitalize()}")
        elif command == "HELP":
            for name, text in sorted(BUILTIN_HELP.items()):
                self._respond(f"// {name}: {text}")
        elif command == "RESPOND":
            prefix = {"command": "//", "error": "!!"}.get(
                call.params.get("TYPE", "echo").lower(), "echo:"
            )
            self._respond(f"{prefix} {call.params.get('MSG', '')}")
        elif await self._run_extended(call):
            pass
        elif command == "G4":
            await self._move(float(call.params.get("P", "0") or 0) / 1000.0)
        elif command == "G28":
            await self._move(0.0)
            self._objects.homed_axes = "xyz"
        elif command in _NO_OP_COMMANDS:
            pass
        else:
            self._respond(f'// Unknown command:"{command}"')

    async def _move(self, seconds: float) -> None:
        """Toolhead activity: ``idle_timeout`` is Printing until it ends (or Klippy halts)."""
        self._objects.begin_activity(time.monotonic())
        halt = self._halt
        try:
            await asyncio.wait_for(halt.wait(), timeout=seconds)
        except TimeoutError:
            self._objects.end_activity(time.monotonic())
            return
        # Halted mid-move: idle_timeout stays frozen at Printing, like Klipper after a shutdown.
        raise self._script_error("Printer is shutdown")

    def _script_error(self, text: str) -> EndpointError:
        """Klipper's G-code error: ``!!`` on the output, the message (ending in a newline) back."""
        self.last_error = text
        self._respond(f"!! {text}")
        return EndpointError(text + "\n")


def _template_method(params: Mapping[str, Any], default: str) -> str:
    template = params.get("response_template") or {}
    return str(template.get("method", default))
