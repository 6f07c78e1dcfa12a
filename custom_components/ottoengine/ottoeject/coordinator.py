"""One OttoEject's live state: its Moonraker client, its status stream and what it is doing.

The ``MoonrakerStatusStream`` pushes every status change (websocket, with HTTP polling only
while the websocket is down) into ``async_set_updated_data``; nothing is polled on a timer by
Home Assistant. ``async_restart`` swaps the client and stream when the address or API key
changes, so entities keep their coordinator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..moonraker import (
    EjectorSnapshot,
    EjectorStatus,
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerClient,
    MoonrakerClientError,
    MoonrakerError,
    MoonrakerStatusStream,
    build_macro_command,
)
from ..moonraker.client import console_problem
from ..moonraker.macro import ParamValue
from ..moonraker.status import OFFLINE_SNAPSHOT
from ..moonraker_identity import async_adopt_identity, needs_identity
from .commands import EjectorCommands
from .settings import OttoEjectSettings, ack_timeout

if TYPE_CHECKING:
    from ..runtime import OttoConfigEntry

_LOGGER = logging.getLogger(__name__)

# The status stream's timing (seconds): HTTP poll / liveness check, websocket reconnect backoff.
STREAM_POLL_INTERVAL = 2.0
STREAM_RECONNECT_MIN = 0.5
STREAM_RECONNECT_MAX = 30.0
REQUEST_TIMEOUT = 10.0


class MacroOutcome(StrEnum):
    """How the last macro sent by OttoEngine ended."""

    OK = "ok"
    FAILED = "failed"
    ACK_TIMEOUT = "ack_timeout"


@dataclass(frozen=True, slots=True)
class MacroResult:
    macro: str
    outcome: MacroOutcome
    message: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class OttoEjectData:
    """What the entities and the REST API show."""

    snapshot: EjectorSnapshot
    current_macro: str | None = None
    last_result: MacroResult | None = None

    @property
    def status(self) -> EjectorStatus:
        return self.snapshot.status


class OttoEjectCoordinator(DataUpdateCoordinator[OttoEjectData]):
    """The pushed state of one OttoEject (one per ``ottoeject`` subentry)."""

    config_entry: OttoConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OttoConfigEntry,
        subentry_id: str,
        settings: OttoEjectSettings,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"OttoEject {settings.device_name}",
            update_interval=None,
            always_update=False,
        )
        self.subentry_id = subentry_id
        self.settings = settings
        self.client = self._new_client(settings)
        self.stream: MoonrakerStatusStream | None = None
        self.data = OttoEjectData(OFFLINE_SNAPSHOT)
        self._known = False  # a real status (stream or poll) has been recorded
        self._live_polled = False
        self._macro_running_on_robot = False  # acknowledgement timed out, macro still running
        self._identity_task: asyncio.Task[None] | None = None
        # The farm's view of this robot (the orchestrator's EjectorPort).
        self.commands = EjectorCommands(self)

    # -- lifecycle -----------------------------------------------------------------------------
    def _new_client(self, settings: OttoEjectSettings) -> MoonrakerClient:
        session: aiohttp.ClientSession = async_get_clientsession(self.hass)
        return MoonrakerClient(
            session,
            settings.ip_address,
            settings.port,
            api_key=settings.api_key,
            timeout=REQUEST_TIMEOUT,
        )

    async def async_start(self) -> None:
        """Start following the robot (returns at once)."""
        self.stream = MoonrakerStatusStream(
            self.client,
            self._on_snapshot,
            poll_interval=STREAM_POLL_INTERVAL,
            reconnect_min=STREAM_RECONNECT_MIN,
            reconnect_max=STREAM_RECONNECT_MAX,
        )
        await self.stream.start()

    async def async_stop(self) -> None:
        """Close the websocket and end every task and timer of this OttoEject."""
        stream, self.stream = self.stream, None
        if stream is not None:
            await stream.stop()
        await self.async_shutdown()

    async def async_restart(self, settings: OttoEjectSettings) -> None:
        """New address, port or API key: reconnect with a new client."""
        stream, self.stream = self.stream, None
        if stream is not None:
            await stream.stop()
        self.settings = settings
        self.client = self._new_client(settings)
        self._known = self._live_polled = False
        if self._identity_task is not None and self._identity_task.done():
            self._identity_task = None
        self.async_set_updated_data(OttoEjectData(OFFLINE_SNAPSHOT, None, self.data.last_result))
        await self.async_start()

    @callback
    def async_update_settings(self, settings: OttoEjectSettings) -> None:
        """Changes that need no reconnection (name, acknowledgement timeout)."""
        self.settings = settings
        self.name = f"OttoEject {settings.device_name}"

    @property
    def ack_timeout(self) -> float:
        return ack_timeout(self.config_entry, self.settings)

    # -- status --------------------------------------------------------------------------------
    async def _async_update_data(self) -> OttoEjectData:
        """A one-off HTTP poll (the stream pushes everything else)."""
        try:
            snapshot = await self.client.fetch_snapshot()
        except MoonrakerClientError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="ottoeject_unreachable",
                translation_placeholders={
                    "device_name": self.settings.device_name,
                    "message": str(err),
                },
            ) from err
        return self._with_snapshot(snapshot)

    async def async_live_data(self) -> OttoEjectData:
        """The current state; polled once if the stream has not reported yet."""
        if not self._known and not self._live_polled:
            self._live_polled = True
            await self.async_refresh()
        return self.data

    @callback
    def _on_snapshot(self, snapshot: EjectorSnapshot) -> None:
        self.async_set_updated_data(self._with_snapshot(snapshot))
        if snapshot.reachable and self._identity_task is None and self._needs_identity():
            self._identity_task = self.config_entry.async_create_background_task(
                self.hass, self._async_adopt_identity(), f"OttoEject {self.settings.id} identity"
            )

    def _needs_identity(self) -> bool:
        return needs_identity(self.config_entry, self.subentry_id)

    async def _async_adopt_identity(self) -> None:
        """A robot registered while unreachable: record its identity as the unique id."""
        if not await async_adopt_identity(
            self.hass,
            self.config_entry,
            self.subentry_id,
            self.client,
            label=f"OttoEject {self.settings.device_name}",
            kind="robot",
        ):
            self._identity_task = None

    def _with_snapshot(self, snapshot: EjectorSnapshot) -> OttoEjectData:
        old = self.data.status
        new = snapshot.status
        if new != old:
            self._log_transition(old, new, snapshot)
        self._known = True
        current = self.data.current_macro
        if self._macro_running_on_robot and new is not EjectorStatus.EJECTING:
            self._macro_running_on_robot = False
            current = None
        return replace(self.data, snapshot=snapshot, current_macro=current)

    def _log_transition(
        self, old: EjectorStatus, new: EjectorStatus, snapshot: EjectorSnapshot
    ) -> None:
        name = self.settings.device_name
        if new is EjectorStatus.OFFLINE:
            _LOGGER.info("OttoEject %s is offline (Moonraker or Klippy not reachable)", name)
        elif new is EjectorStatus.ISSUE:
            _LOGGER.warning(
                "OttoEject %s reports a problem: Klipper is %s (%s)",
                name,
                snapshot.klippy_state,
                snapshot.state_message or "no message",
            )
        elif old in {EjectorStatus.OFFLINE, EjectorStatus.ISSUE} and self._known:
            _LOGGER.info("OttoEject %s is back (%s)", name, new.value)
        else:
            _LOGGER.debug("OttoEject %s: %s -> %s", name, old.value, new.value)

    # -- actions -------------------------------------------------------------------------------
    async def async_run_macro(
        self, macro: str, params: Mapping[str, ParamValue] | None = None
    ) -> dict[str, Any]:
        """Run a robot macro; returns Moonraker's answer (``{"result": "ok"}``).

        Raises what ``MoonrakerClient.run_macro`` raises. After ``MacroAckTimeout`` the macro
        stays the current one until the robot is no longer EJECTING.
        """
        script = build_macro_command(macro, params).script
        self.async_set_updated_data(replace(self.data, current_macro=script))
        try:
            response = await self.client.run_macro(macro, params, ack_timeout=self.ack_timeout)
        except MacroAckTimeout as err:
            self._macro_running_on_robot = True
            self._finish(script, MacroOutcome.ACK_TIMEOUT, str(err), keep_current=True)
            raise
        except InvalidMacroError:
            # Nothing was sent (no such macro on the robot).
            self._finish(script, None, None, keep_current=False)
            raise
        except MoonrakerClientError as err:
            self._finish(script, MacroOutcome.FAILED, _message(err), keep_current=False)
            raise
        self._finish(script, MacroOutcome.OK, None, keep_current=False)
        return response

    def _finish(
        self,
        script: str,
        outcome: MacroOutcome | None,
        message: str | None,
        *,
        keep_current: bool,
    ) -> None:
        result = (
            self.data.last_result
            if outcome is None
            else MacroResult(script, outcome, message, dt_util.utcnow())
        )
        current = self.data.current_macro if keep_current else None
        if not keep_current and self.data.current_macro != script:
            current = self.data.current_macro  # another macro started meanwhile
        self.async_set_updated_data(replace(self.data, current_macro=current, last_result=result))

    async def async_wait_macro_done(self, script: str, timeout: float) -> EjectorStatus:
        """After an acknowledgement timeout: wait until the robot stops running the macro.

        Returns the robot's status then (ONLINE: it finished; OFFLINE or ISSUE: it was lost
        meanwhile). Raises ``TimeoutError`` if it still runs after ``timeout`` seconds; raises
        ``MoonrakerError`` when the console shows the macro failed.
        """
        done = asyncio.Event()

        @callback
        def _check() -> None:
            if not self._macro_running_on_robot or self.data.status is not EjectorStatus.EJECTING:
                done.set()

        remove = self.async_add_listener(_check)
        try:
            _check()
            async with asyncio.timeout(timeout):
                await done.wait()
        finally:
            remove()
        status = self.data.status
        if status is EjectorStatus.ONLINE:
            try:
                store = await self.client.gcode_store()
            except MoonrakerClientError:
                return status
            problem = console_problem(store, script)
            if problem is not None:
                raise MoonrakerError(400, problem)
        return status

    async def async_emergency_stop(self) -> None:
        await self.client.emergency_stop()


def _message(err: MoonrakerClientError) -> str:
    return err.message if isinstance(err, MoonrakerError) else str(err)
