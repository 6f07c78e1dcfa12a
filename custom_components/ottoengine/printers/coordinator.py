"""One printer: its driver client and the push-fed coordinator its entities follow.

The client pushes every report; the coordinator holds the latest ``PrinterStatus`` (no polling).
Entities are available only while the printer is online. Going offline is logged once (with
the reason, never a secret) and coming back once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..bambu import (
    AuthorizationFirmwareError,
    BambuCommandError,
    BambuConnectionError,
    BambuError,
    BambuPrinterClient,
    PrinterStatus,
    PrintState,
)
from ..subentries import DeviceKind, device_identifier
from . import const
from .commands import PrinterCommands, describe_login
from .settings import PrinterSettings
from .triggers import EVENT_PRINTER, PrinterTrigger, active_errors, is_known, printer_triggers

if TYPE_CHECKING:
    from ..runtime import OttoConfigEntry

_LOGGER = logging.getLogger(__name__)

type OnlineCallback = Callable[[PrinterCoordinator], None]
type ErrorCallback = Callable[[PrinterCoordinator, BambuError], None]
type AuthorizationCallback = Callable[[PrinterCoordinator, bool], None]


class PrinterCoordinator(DataUpdateCoordinator[PrinterStatus]):
    """The live status of one printer, fed by its driver client's pushes."""

    config_entry: OttoConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OttoConfigEntry,
        subentry_id: str,
        settings: PrinterSettings,
        *,
        on_online: OnlineCallback,
        on_error: ErrorCallback,
        on_authorization: AuthorizationCallback,
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
        self.client: BambuPrinterClient | None = None
        self.end_time: datetime | None = None
        self._end_basis: tuple[PrintState, int] | None = None
        self._reported_online: bool | None = None
        # The last status that said what the printer does (the device triggers compare to it).
        self._last_known: PrinterStatus | None = None
        self._on_online = on_online
        self._on_error = on_error
        self._on_authorization = on_authorization
        self.authorization_blocked = False
        self._unsubscribe: list[Callable[[], None]] = []
        self._restart_lock = asyncio.Lock()
        self._closed = False
        # The one command path to this printer (buttons, actions, REST, orchestrator).
        self.commands = PrinterCommands(self)

    @property
    def printer_id(self) -> int:
        return self.settings.id

    @property
    def online(self) -> bool:
        """Whether the printer is connected and reporting."""
        return self.data is not None and self.data.status is not PrintState.OFFLINE

    # -- client life cycle -----------------------------------------------------------------------
    @callback
    def async_start_client(self) -> None:
        """Connect in the background (retrying until stopped)."""
        if self._closed:
            return
        settings = self.settings
        client = BambuPrinterClient(
            settings.ip_address,
            settings.serial_number,
            settings.access_code,
            pinned_fingerprint=settings.fingerprint,
            model=settings.model,
            settings=const.CONNECTION_SETTINGS,
        )
        self._unsubscribe = [
            client.add_status_listener(self._handle_status),
            client.add_error_listener(self._handle_error),
        ]
        self.client = client
        client.start()

    async def async_stop_client(self) -> None:
        """Disconnect; nothing of the client (task, timer, socket) is left."""
        client, self.client = self.client, None
        unsubscribe, self._unsubscribe = self._unsubscribe, []
        for remove in unsubscribe:
            remove()
        if client is not None:
            await client.close()

    async def async_restart_client(self) -> None:
        """Reconnect with the current settings (new address, access code, certificate)."""
        async with self._restart_lock:
            await self.async_stop_client()
            self._reported_online = None
            self.authorization_blocked = False
            if self.data is not None:
                self.async_set_updated_data(PrinterStatus.from_report({}, online=False))
            self.async_start_client()

    async def async_close(self) -> None:
        """Disconnect for good (the printer was removed or the hub unloads)."""
        self._closed = True
        await self.async_stop_client()
        await self.async_shutdown()

    def connected_client(self) -> BambuPrinterClient:
        """The client, if the printer can take commands now; else ``BambuConnectionError``."""
        client = self.client
        if client is None or not client.connected:
            raise BambuConnectionError(f"printer {self.settings.name} is not connected")
        return client

    # -- pushes from the client ------------------------------------------------------------------
    @callback
    def _handle_status(self, status: PrinterStatus) -> None:
        client = self.client
        if status.status is PrintState.UNKNOWN and (client is None or not client.ready):
            return  # online once the printer has said what it is doing (a full report)
        was_online = self.online
        if status.status is PrintState.OFFLINE:
            self._log_offline("the connection was lost or it stopped reporting")
        elif not was_online:
            if self._reported_online is False:
                _LOGGER.info("Printer %s is back online", self.settings.name)
            self._reported_online = True
        self._update_end_time(status)
        self.async_set_updated_data(status)
        self._fire_triggers(status)
        if status.status is not PrintState.OFFLINE and not was_online:
            self._on_online(self)
        if client is not None and client.authorization_blocked != self.authorization_blocked:
            self.async_set_authorization_blocked(client.authorization_blocked)

    @callback
    def async_set_authorization_blocked(self, blocked: bool) -> None:
        """The printer's firmware demands signed commands (or no longer does)."""
        if blocked != self.authorization_blocked:
            self.authorization_blocked = blocked
            if blocked:
                _LOGGER.warning(
                    "Printer %s refuses unsigned commands: enable LAN-only mode and Developer "
                    "Mode on it",
                    self.settings.name,
                )
            self._on_authorization(self, blocked)

    @callback
    def _handle_error(self, err: BambuError) -> None:
        if isinstance(err, AuthorizationFirmwareError):
            self.async_set_authorization_blocked(True)
            return
        if isinstance(err, BambuCommandError):
            _LOGGER.debug("Printer %s refused a command: %s", self.settings.name, err)
            return
        self._log_offline(describe_login(err))
        self._on_error(self, err)

    @callback
    def _fire_triggers(self, status: PrinterStatus) -> None:
        """Fire ``ottoengine_printer_event`` for each trigger of the change (device triggers)."""
        if not is_known(status):
            return
        previous, self._last_known = self._last_known, status
        triggers = printer_triggers(previous, status)
        if not triggers:
            return
        entry_id = self.config_entry.entry_id
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            device_identifier(entry_id, DeviceKind.PRINTER, self.printer_id), entry_id
        )
        for trigger in triggers:
            data: dict[str, object] = {
                "device_id": device.id if device is not None else None,
                "printer_id": self.printer_id,
                "printer_name": self.settings.name,
                "type": trigger.value,
                "status": status.status.value,
                "file": status.subtask_name,
            }
            if trigger is PrinterTrigger.PRINTER_ERROR:
                data["errors"] = [
                    {"code": error.code, "description": error.description}
                    for error in active_errors(status)
                ]
            self.hass.bus.async_fire(EVENT_PRINTER, data)

    def _log_offline(self, reason: str) -> None:
        if self._reported_online is not False:
            _LOGGER.info("Printer %s is unavailable: %s", self.settings.name, reason)
            self._reported_online = False

    def _update_end_time(self, status: PrinterStatus) -> None:
        if not status.is_busy or status.remaining_time_minutes <= 0:
            self.end_time = None
            self._end_basis = None
            return
        basis = (status.status, status.remaining_time_minutes)
        if basis != self._end_basis:
            self._end_basis = basis
            end = dt_util.utcnow() + timedelta(minutes=status.remaining_time_minutes)
            self.end_time = end.replace(second=0, microsecond=0)

    async def _async_update_data(self) -> PrinterStatus:
        """A manual refresh asks the printer for a full report and returns the status."""
        client = self.client
        if client is None:
            return PrinterStatus.from_report({}, online=False)
        if client.connected:
            try:
                await client.request_full_status()
            except BambuError as err:
                _LOGGER.debug("Printer %s: full report not requested: %s", self.settings.name, err)
        return client.status
