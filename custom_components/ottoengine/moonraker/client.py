"""Moonraker HTTP client for the OttoEject robot (aiohttp, no Home Assistant imports)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
import logging
from typing import Any

import aiohttp

from .envelope import unwrap_http
from .errors import (
    MacroAckTimeout,
    MoonrakerConnectionError,
    MoonrakerError,
    UnknownMacroError,
)
from .identity import MoonrakerIdentity, identity_from
from .macro import MacroCommand, ParamValue, build_macro_command
from .status import OFFLINE_SNAPSHOT, EjectorSnapshot, EjectorStatus

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT = 7125
DEFAULT_TIMEOUT = 10.0
DEFAULT_ACK_TIMEOUT = 30.0
STATUS_OBJECTS: dict[str, list[str] | None] = {
    "webhooks": ["state", "state_message"],
    "idle_timeout": ["state"],
    "print_stats": ["state"],
}
GCODE_STORE_COUNT = 50
UNKNOWN_COMMAND_PREFIX = "// Unknown command"
ERROR_PREFIX = "!! "


class MoonrakerClient:
    """One Moonraker instance (an OttoEject) reached over HTTP.

    The caller owns ``session`` (Home Assistant shares one). Every call has its own timeout
    (``timeout`` by default); a macro call's acknowledgement has ``ack_timeout``.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.session = session
        self.host = host
        self.port = port
        self.api_key = api_key
        self.timeout = timeout
        self._macros: frozenset[str] | None = None
        self._outstanding = 0
        self._outstanding_listeners: list[Callable[[], None]] = []

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.port}/websocket"

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key} if self.api_key else {}

    @property
    def macro_outstanding(self) -> bool:
        """A macro sent by this client has not been answered yet."""
        return self._outstanding > 0

    def add_outstanding_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when a macro request starts or ends; returns the remover."""
        self._outstanding_listeners.append(listener)
        return lambda: self._outstanding_listeners.remove(listener)

    # -- transport -----------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """One API call; returns the unwrapped ``result``.

        Raises ``MoonrakerConnectionError``, ``MoonrakerAuthError`` or ``MoonrakerError``.
        """
        total = self.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(total):
                async with self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json,
                    headers=self.headers,
                ) as response:
                    try:
                        body: Any = await response.json(content_type=None)
                    except ValueError:
                        body = await response.text()
                    return unwrap_http(response.status, body)
        except TimeoutError as err:
            raise MoonrakerConnectionError(
                f"{self.base_url}: no answer to {method} {path} within {total:g} s"
            ) from err
        except aiohttp.ClientError as err:
            raise MoonrakerConnectionError(f"{self.base_url}: {err}") from err

    # -- information ---------------------------------------------------------------------------
    async def server_info(self) -> dict[str, Any]:
        """``/server/info``: works without Klippy (``klippy_connected``, ``klippy_state``)."""
        result: dict[str, Any] = await self.request("GET", "/server/info")
        return result

    async def printer_info(self) -> dict[str, Any]:
        """``/printer/info``: Klippy's state, state message and hostname (503 without Klippy)."""
        result: dict[str, Any] = await self.request("GET", "/printer/info")
        return result

    async def system_info(self) -> dict[str, Any]:
        """``/machine/system_info`` (its ``system_info`` object)."""
        result = await self.request("GET", "/machine/system_info")
        info: dict[str, Any] = result.get("system_info", {}) if isinstance(result, dict) else {}
        return info

    async def identity(self) -> MoonrakerIdentity:
        """The stable identity used for unique ids (see ``identity.py``)."""
        system = await self.system_info()
        try:
            printer: dict[str, Any] | None = await self.printer_info()
        except MoonrakerError:
            printer = None
        return identity_from(system, printer)

    async def objects_list(self) -> list[str]:
        """Klipper's printer objects (``gcode_macro <NAME>`` per macro)."""
        result = await self.request("GET", "/printer/objects/list")
        objects: list[str] = list(result.get("objects", []))
        return objects

    async def objects_query(
        self, objects: Mapping[str, Sequence[str] | None]
    ) -> dict[str, dict[str, Any]]:
        """Query objects (``None`` = every field); returns the ``status`` mapping."""
        body = {"objects": {name: None if f is None else list(f) for name, f in objects.items()}}
        result = await self.request("POST", "/printer/objects/query", json=body)
        status: dict[str, dict[str, Any]] = result.get("status", {})
        return status

    async def gcode_store(self, count: int = GCODE_STORE_COUNT) -> list[dict[str, Any]]:
        """The last ``count`` console entries (commands and responses)."""
        result = await self.request("GET", "/server/gcode_store", params={"count": str(count)})
        store: list[dict[str, Any]] = result.get("gcode_store", [])
        return store

    async def macros(self, *, refresh: bool = False) -> frozenset[str]:
        """Names of the robot's ``gcode_macro`` objects (cached; ``refresh`` re-reads them)."""
        if self._macros is None or refresh:
            prefix = "gcode_macro "
            self._macros = frozenset(
                name[len(prefix) :].upper()
                for name in await self.objects_list()
                if name.startswith(prefix)
            )
        return self._macros

    # -- status --------------------------------------------------------------------------------
    async def fetch_snapshot(self) -> EjectorSnapshot:
        """Poll what the status needs; an unreachable robot gives the OFFLINE snapshot."""
        try:
            info = await self.server_info()
            connected = bool(info.get("klippy_connected"))
            klippy_state = str(info.get("klippy_state", "")) or None
            if not connected or klippy_state != "ready":
                message = None
                if connected and klippy_state in {"error", "shutdown"}:
                    message = (await self.printer_info()).get("state_message")
                return EjectorSnapshot(
                    reachable=True,
                    klippy_connected=connected,
                    klippy_state=klippy_state,
                    state_message=message,
                    macro_outstanding=self.macro_outstanding,
                )
            status = await self.objects_query(STATUS_OBJECTS)
        except MoonrakerConnectionError:
            return OFFLINE_SNAPSHOT
        except MoonrakerError as err:
            if err.code == 503:  # Klippy dropped between the two calls
                return EjectorSnapshot(reachable=True, klippy_state="disconnected")
            raise
        return snapshot_from_objects(status, macro_outstanding=self.macro_outstanding)

    async def status(self) -> EjectorStatus:
        """The live ONLINE / EJECTING / OFFLINE / ISSUE status."""
        return (await self.fetch_snapshot()).status

    # -- actions -------------------------------------------------------------------------------
    async def validate_macro(
        self, macro: str, params: Mapping[str, ParamValue] | None = None
    ) -> MacroCommand:
        """Check syntax and that the robot has the macro (re-reading the list on a miss)."""
        command = build_macro_command(macro, params)
        known = await self.macros()
        if command.name not in known:
            known = await self.macros(refresh=True)
        if command.name not in known:
            raise UnknownMacroError(f"the robot has no macro named {command.name}")
        return command

    async def run_macro(
        self,
        name: str,
        params: Mapping[str, ParamValue] | None = None,
        ack_timeout: float = DEFAULT_ACK_TIMEOUT,
    ) -> dict[str, Any]:
        """Run a robot macro and return Moonraker's answer (``{"result": "ok"}``).

        Moonraker answers when Klipper has processed the macro. Raises ``MacroAckTimeout``
        when that takes longer than ``ack_timeout`` (the macro keeps running: poll the
        status, do not resend), ``MoonrakerError`` when Klipper reports an error (``!!``) or
        an unknown command, ``InvalidMacroError`` for a name that is not one of the robot's
        macros, and ``MoonrakerConnectionError`` when the robot cannot be reached.
        """
        command = await self.validate_macro(name, params)
        self._set_outstanding(+1)
        try:
            result = await self.request(
                "POST",
                "/printer/gcode/script",
                json={"script": command.script},
                timeout=ack_timeout,
            )
        except MoonrakerConnectionError as err:
            if isinstance(err.__cause__, TimeoutError):
                raise MacroAckTimeout(command.script, ack_timeout, str(err)) from err
            raise
        finally:
            self._set_outstanding(-1)
        await self._check_console(command.script)
        return {"result": result}

    async def emergency_stop(self) -> None:
        """Stop the robot at once (Klipper goes to ``shutdown``; FIRMWARE_RESTART recovers)."""
        await self.request("POST", "/printer/emergency_stop")

    async def firmware_restart(self) -> None:
        """FIRMWARE_RESTART: clears a shutdown or error; Klippy is back after a moment."""
        await self.request("POST", "/printer/firmware_restart")
        self._macros = None

    def _set_outstanding(self, delta: int) -> None:
        self._outstanding += delta
        for listener in list(self._outstanding_listeners):
            listener()

    async def _check_console(self, script: str) -> None:
        """Klipper answers ``ok`` even for an unknown command: read the console to tell."""
        try:
            store = await self.gcode_store()
        except MoonrakerConnectionError:
            return  # the macro ran; the console is only a cross-check
        problem = console_problem(store, script)
        if problem is not None:
            if problem.startswith(UNKNOWN_COMMAND_PREFIX.removeprefix("// ")):
                self._macros = None  # the macro list changed (printer.cfg was edited)
            raise MoonrakerError(400, problem)


def console_problem(store: Sequence[Mapping[str, Any]], script: str) -> str | None:
    """An error or unknown-command response that followed the last ``script`` in the console."""
    last = None
    for index, entry in enumerate(store):
        if entry.get("type") == "command" and entry.get("message") == script:
            last = index
    if last is None:
        return None
    for entry in store[last + 1 :]:
        if entry.get("type") == "command":
            break
        message = str(entry.get("message", ""))
        if message.startswith((UNKNOWN_COMMAND_PREFIX, ERROR_PREFIX)):
            return message.removeprefix(ERROR_PREFIX).removeprefix("// ")
    return None


def snapshot_from_objects(
    status: Mapping[str, Mapping[str, Any]], *, macro_outstanding: bool = False
) -> EjectorSnapshot:
    """A snapshot from queried/subscribed ``webhooks``, ``idle_timeout`` and ``print_stats``."""
    webhooks = status.get("webhooks", {})
    klippy_state = webhooks.get("state")
    return EjectorSnapshot(
        reachable=True,
        klippy_connected=True,
        klippy_state=str(klippy_state) if klippy_state is not None else None,
        state_message=webhooks.get("state_message"),
        idle_timeout_state=status.get("idle_timeout", {}).get("state"),
        print_stats_state=status.get("print_stats", {}).get("state"),
        macro_outstanding=macro_outstanding,
    )
