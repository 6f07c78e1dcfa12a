"""One Klipper printer while the hub is loaded: its driver port and the coordinator it feeds.

``KlipperPrinterPort`` follows the printer over Moonraker's websocket (HTTP polling while the
socket is down) and calls back on every change of its snapshot; the coordinator only stores
it (``async_set_updated_data``: nothing is polled on a timer by Home Assistant), like the Bambu
``PrinterCoordinator`` and the ``OttoEjectCoordinator``. The port is the farm's ``PrinterPort``
of the printer: the orchestrator, the REST routes and the buttons all command it.

A printer registered while Moonraker did not answer has no unique id yet: its Moonraker
identity is recorded as the subentry's unique id once it is reachable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING

import aiohttp
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..farm.ports import PrinterState
from ..klipper import KlipperClient, KlipperPrinterPort, KlipperSnapshot
from ..klipper.status import OFFLINE
from ..moonraker.client import DEFAULT_PORT
from ..moonraker_identity import async_adopt_identity, needs_identity
from .settings import PrinterSettings

if TYPE_CHECKING:
    from ..runtime import OttoConfigEntry

_LOGGER = logging.getLogger(__name__)

# The status stream's timing (seconds): HTTP poll / liveness check, websocket reconnect backoff.
STREAM_POLL_INTERVAL = 2.0
STREAM_RECONNECT_MIN = 0.5
STREAM_RECONNECT_MAX = 30.0
REQUEST_TIMEOUT = 10.0
BUSY_STATES = frozenset({PrinterState.PREPARING, PrinterState.RUNNING, PrinterState.PAUSED})

type OnlineCallback = Callable[[KlipperPrinterCoordinator], None]


def new_klipper_client(hass: HomeAssistant, settings: PrinterSettings) -> KlipperClient:
    """A Moonraker client of the printer on Home Assistant's shared session."""
    session: aiohttp.ClientSession = async_get_clientsession(hass)
    return KlipperClient(
        session,
        settings.ip_address,
        settings.port or DEFAULT_PORT,
        api_key=settings.api_key,
        timeout=REQUEST_TIMEOUT,
    )


class KlipperPrinterCoordinator(DataUpdateCoordinator[KlipperSnapshot]):
    """The pushed state of one Klipper printer (one per ``klipper`` printer subentry)."""

    config_entry: OttoConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OttoConfigEntry,
        subentry_id: str,
        settings: PrinterSettings,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"printer {settings.id}",
            update_interval=None,
            always_update=False,
        )
        self.subentry_id = subentry_id
        self.settings = settings
        self.data = OFFLINE
        self.end_time: datetime | None = None
        self._end_basis: tuple[PrinterState, int] | None = None
        self._reported_online: bool | None = None
        self._identity_task: asyncio.Task[None] | None = None
        self.port = self._new_port(settings)

    @property
    def printer_id(self) -> int:
        return self.settings.id

    @property
    def commands(self) -> KlipperPrinterPort:
        """The farm's ``PrinterPort`` of this printer (the one command path to it)."""
        return self.port

    @property
    def online(self) -> bool:
        return self.data.state is not PrinterState.OFFLINE

    # -- lifecycle -----------------------------------------------------------------------------
    def _new_port(self, settings: PrinterSettings) -> KlipperPrinterPort:
        return KlipperPrinterPort(
            new_klipper_client(self.hass, settings),
            printer_id=settings.id,
            name=settings.name,
            model=settings.model,
            on_change=self._on_snapshot,
            poll_interval=STREAM_POLL_INTERVAL,
            reconnect_min=STREAM_RECONNECT_MIN,
            reconnect_max=STREAM_RECONNECT_MAX,
        )

    async def async_start(self) -> None:
        """Start following the printer (returns at once)."""
        await self.port.async_start()

    async def async_close(self) -> None:
        """Close the websocket and end every task of this printer (removed or unloading)."""
        await self.port.async_close()
        task, self._identity_task = self._identity_task, None
        if task is not None and not task.done():
            task.cancel()
        await self.async_shutdown()

    async def async_restart(self, settings: PrinterSettings) -> None:
        """New address, port, API key, name or model: follow it with a new port."""
        await self.port.async_close()
        self.settings = settings
        self._reported_online = None
        self.port = self._new_port(settings)
        self.async_set_updated_data(OFFLINE)
        await self.port.async_start()

    # -- status --------------------------------------------------------------------------------
    async def _async_update_data(self) -> KlipperSnapshot:
        """A manual refresh answers the port's current snapshot (the stream pushes changes)."""
        return self.port.klipper_snapshot()

    @callback
    def _on_snapshot(self, snapshot: KlipperSnapshot) -> None:
        self._log_transition(snapshot)
        self._update_end_time(snapshot)
        self.async_set_updated_data(snapshot)
        if (
            snapshot.state is not PrinterState.OFFLINE
            and self._identity_task is None
            and self._needs_identity()
        ):
            self._identity_task = self.config_entry.async_create_background_task(
                self.hass, self._async_adopt_identity(), f"printer {self.settings.id} identity"
            )

    def _log_transition(self, snapshot: KlipperSnapshot) -> None:
        name = self.settings.name
        if snapshot.state is PrinterState.OFFLINE:
            if self._reported_online is not False:
                _LOGGER.info("Printer %s is unavailable: %s", name, snapshot.detail or "offline")
                self._reported_online = False
        elif self._reported_online is not True:
            if self._reported_online is False:
                _LOGGER.info("Printer %s is back online", name)
            self._reported_online = True

    def _update_end_time(self, snapshot: KlipperSnapshot) -> None:
        remaining = snapshot.remaining_seconds or 0
        if snapshot.state not in BUSY_STATES or remaining <= 0:
            self.end_time = None
            self._end_basis = None
            return
        minutes = -(-remaining // 60)
        basis = (snapshot.state, minutes)
        if basis != self._end_basis:
            self._end_basis = basis
            end = dt_util.utcnow() + timedelta(minutes=minutes)
            self.end_time = end.replace(second=0, microsecond=0)

    # -- identity ------------------------------------------------------------------------------
    def _needs_identity(self) -> bool:
        return needs_identity(self.config_entry, self.subentry_id)

    async def _async_adopt_identity(self) -> None:
        """A printer registered while unreachable: record its identity as the unique id."""
        if not await async_adopt_identity(
            self.hass,
            self.config_entry,
            self.subentry_id,
            self.port.client,
            label=f"Printer {self.settings.name}",
            kind="printer",
        ):
            self._identity_task = None
