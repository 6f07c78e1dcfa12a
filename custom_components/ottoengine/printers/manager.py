"""The farm's printers while the hub is loaded: one client and coordinator per subentry.

``DeviceSync`` tells this manager which printer subentries appeared (connect), changed
(reconnect when the connection settings did) or went away (disconnect and forget); the entity
platforms follow ``SIGNAL_DEVICES_CHANGED``. It is also the farm's ``PrinterFleet``: each
printer's ``PrinterCommands`` is the one command path to it. Klipper printers (``driver``
``klipper``) get a ``KlipperPrinterCoordinator`` instead (``klipper_coordinators``); their
``KlipperPrinterPort`` is their command path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_IP_ADDRESS
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from ..bambu import (
    BambuAuthError,
    BambuError,
    CertificateMismatchError,
    DiscoveredPrinter,
    SerialMismatchError,
)
from ..device_sync import DeviceManager
from ..klipper import KlipperPrinterPort
from ..storage import FarmStore
from ..subentries import DeviceKind
from . import const
from .commands import PrinterCommands
from .const import (
    CONF_FINGERPRINT,
    ISSUE_ACCESS_CODE,
    ISSUE_CERTIFICATE,
    ISSUE_DEVELOPER_MODE,
    ISSUE_WRONG_SERIAL,
    SIGNAL_BUILD_PLATE_UPDATED,
)
from .coordinator import PrinterCoordinator
from .discovery import PrinterDiscovery
from .issues import CONNECTION_ISSUES, async_clear_issues, async_raise_issue
from .klipper_coordinator import KlipperPrinterCoordinator
from .settings import PrinterSettings

if TYPE_CHECKING:
    from ..runtime import OttoConfigEntry

_LOGGER = logging.getLogger(__name__)


class PrintersManager(DeviceManager[PrinterSettings]):
    """Runs the printers of one loaded hub entry; also the farm's ``PrinterFleet``."""

    kind = DeviceKind.PRINTER

    def __init__(
        self, hass: HomeAssistant, entry: OttoConfigEntry, store: FarmStore, hub_device_id: str
    ) -> None:
        super().__init__(hass, entry, store, hub_device_id)
        self.coordinators: dict[int, PrinterCoordinator] = {}
        self.klipper_coordinators: dict[int, KlipperPrinterCoordinator] = {}
        self.discovery = PrinterDiscovery(
            const.DISCOVERY_BINDS, max_age=const.DISCOVERY_MAX_AGE, on_found=self._announced
        )
        self._pending: set[asyncio.Task[None]] = set()

    # -- DeviceManager ---------------------------------------------------------------------------
    def settings_from(self, subentry: ConfigSubentry) -> PrinterSettings:
        return PrinterSettings.from_subentry(subentry)

    def device_id(self, settings: PrinterSettings) -> int:
        return settings.id

    def device_changes(self, settings: PrinterSettings) -> dict[str, str | None]:
        return {"name": settings.name, "model": settings.model}

    async def async_add(self, subentry_id: str, settings: PrinterSettings) -> None:
        if settings.is_klipper:
            klipper = KlipperPrinterCoordinator(self.hass, self.entry, subentry_id, settings)
            self.klipper_coordinators[settings.id] = klipper
            await klipper.async_start()
            return
        coordinator = PrinterCoordinator(
            self.hass,
            self.entry,
            subentry_id,
            settings,
            on_online=self._printer_online,
            on_error=self._printer_error,
            on_authorization=self._printer_authorization,
        )
        self.coordinators[settings.id] = coordinator
        coordinator.async_start_client()
        if not self.discovery.started:
            # Listen for announcements: a configured printer that moved gets its new address.
            await self.discovery.async_start()

    async def async_change(
        self, subentry_id: str, old: PrinterSettings, new: PrinterSettings
    ) -> None:
        if new.id in self.klipper_coordinators:
            klipper = self.klipper_coordinators[new.id]
            if (old.connection, old.name) != (new.connection, new.name):
                _LOGGER.debug("Printer %s: reconnecting with new settings", new.name)
                await klipper.async_restart(new)
            else:
                klipper.settings = new
                klipper.async_update_listeners()
            return
        coordinator = self.coordinators[new.id]
        current = coordinator.settings
        client = coordinator.client
        trusted = client.certificate_fingerprint if client is not None else None
        coordinator.settings = new
        if current.connection != new.connection or (
            new.fingerprint not in (current.fingerprint, trusted)
        ):
            _LOGGER.debug("Printer %s: reconnecting with new settings", new.name)
            async_clear_issues(self.hass, subentry_id)
            self._track(
                coordinator.async_restart_client(), f"ottoengine printer {new.id} reconnect"
            )
        coordinator.async_update_listeners()

    async def async_remove(self, subentry_id: str, settings: PrinterSettings) -> None:
        if (klipper := self.klipper_coordinators.pop(settings.id, None)) is not None:
            if self.store.state.forget_printer(settings.id):
                self.store.async_schedule_save()
            self._track(klipper.async_close(), f"ottoengine printer {settings.id} stop")
            return
        coordinator = self.coordinators.pop(settings.id)
        async_clear_issues(self.hass, subentry_id)
        if self.store.state.forget_printer(settings.id):
            self.store.async_schedule_save()
        self._track(coordinator.async_close(), f"ottoengine printer {settings.id} stop")

    async def async_stop(self) -> None:
        """Disconnect every printer and stop listening (the hub unloads)."""
        self.discovery.stop()
        coordinators, self.coordinators = self.coordinators, {}
        klippers, self.klipper_coordinators = self.klipper_coordinators, {}
        await super().async_stop()
        await asyncio.gather(
            *(coordinator.async_close() for coordinator in coordinators.values()),
            *(klipper.async_close() for klipper in klippers.values()),
            *self._pending,
        )

    def _track(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``job`` as a task of the entry; shutting down waits for it."""
        task = self.entry.async_create_task(self.hass, job, name)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- discovery -------------------------------------------------------------------------------
    async def async_discovered(self) -> list[DiscoveredPrinter]:
        """Printers heard on the LAN that are not configured (starts listening if needed)."""
        if not self.discovery.started:
            await self.discovery.async_start()
            # Printers announce themselves every few seconds: give them time to be heard.
            await asyncio.sleep(const.DISCOVERY_WARMUP)
        return self.discovery.unconfigured(self.configured_serials())

    @callback
    def _announced(self, printer: DiscoveredPrinter) -> None:
        """A configured printer announcing another address than its own gets the new one."""
        for subentry in self.entry.subentries.values():
            if subentry.subentry_type != DeviceKind.PRINTER or subentry.unique_id != printer.serial:
                continue
            if subentry.data.get(CONF_IP_ADDRESS) == printer.ip_address:
                return
            _LOGGER.info(
                "Printer %s announced a new address %s (was %s)",
                subentry.title,
                printer.ip_address,
                subentry.data.get(CONF_IP_ADDRESS),
            )
            # DeviceSync then reconnects it (its connection settings changed).
            self.hass.config_entries.async_update_subentry(
                self.entry, subentry, data={**subentry.data, CONF_IP_ADDRESS: printer.ip_address}
            )
            return

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, printer_id: int) -> PrinterCoordinator | None:
        return self.coordinators.get(printer_id)

    def klipper(self, printer_id: int) -> KlipperPrinterCoordinator | None:
        return self.klipper_coordinators.get(printer_id)

    def printer(self, printer_id: int) -> PrinterCommands | KlipperPrinterPort | None:
        """The farm's ``PrinterPort`` of a printer (the one command path to it)."""
        coordinator = self.coordinators.get(printer_id)
        if coordinator is not None:
            return coordinator.commands
        klipper = self.klipper_coordinators.get(printer_id)
        return klipper.port if klipper is not None else None

    def printer_ids(self) -> list[int]:
        return sorted({*self.coordinators, *self.klipper_coordinators})

    def farm_coordinators(self) -> dict[int, PrinterCoordinator | KlipperPrinterCoordinator]:
        """Every printer's coordinator (Bambu and Klipper), by printer id."""
        every: dict[int, PrinterCoordinator | KlipperPrinterCoordinator] = {
            **self.coordinators,
            **self.klipper_coordinators,
        }
        return dict(sorted(every.items()))

    def configured_serials(self) -> set[str]:
        return {
            str(subentry.unique_id)
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type == DeviceKind.PRINTER and subentry.unique_id is not None
        }

    # -- build plates ----------------------------------------------------------------------------
    def has_build_plate(self, printer_id: int) -> bool:
        return self.store.state.has_build_plate(printer_id)

    @callback
    def async_set_build_plate(self, printer_id: int, present: bool) -> None:
        if self.store.state.set_build_plate(printer_id, present):
            self.store.async_schedule_save()
            async_dispatcher_send(
                self.hass, SIGNAL_BUILD_PLATE_UPDATED.format(self.entry.entry_id, printer_id)
            )

    # -- events of the printers ------------------------------------------------------------------
    @callback
    def _printer_online(self, coordinator: PrinterCoordinator) -> None:
        """Connected: clear connection issues, pin the certificate, record the firmware."""
        if coordinator.printer_id not in self.coordinators:
            return
        async_clear_issues(self.hass, coordinator.subentry_id, CONNECTION_ISSUES)
        client = coordinator.client
        if client is None:
            return
        fingerprint = client.certificate_fingerprint
        subentry = self.entry.subentries.get(coordinator.subentry_id)
        if fingerprint and subentry is not None and not subentry.data.get(CONF_FINGERPRINT):
            # Trust on first use: from now on only this certificate is accepted.
            coordinator.settings = coordinator.settings.with_changes(fingerprint=fingerprint)
            self.hass.config_entries.async_update_subentry(
                self.entry,
                subentry,
                data=MappingProxyType({**subentry.data, CONF_FINGERPRINT: fingerprint}),
            )
        if client.firmware_version:
            self.update_device(coordinator.printer_id, {"sw_version": client.firmware_version})

    @callback
    def _printer_error(self, coordinator: PrinterCoordinator, err: BambuError) -> None:
        kind: str | None = None
        if isinstance(err, BambuAuthError):
            kind = ISSUE_ACCESS_CODE
        elif isinstance(err, CertificateMismatchError):
            kind = ISSUE_CERTIFICATE
        elif isinstance(err, SerialMismatchError):
            kind = ISSUE_WRONG_SERIAL
        if kind is not None and coordinator.printer_id in self.coordinators:
            async_raise_issue(
                self.hass, self.entry.entry_id, coordinator.subentry_id, kind, coordinator.settings
            )

    @callback
    def _printer_authorization(self, coordinator: PrinterCoordinator, blocked: bool) -> None:
        if coordinator.printer_id not in self.coordinators:
            return
        if blocked:
            async_raise_issue(
                self.hass,
                self.entry.entry_id,
                coordinator.subentry_id,
                ISSUE_DEVELOPER_MODE,
                coordinator.settings,
            )
        else:
            async_clear_issues(self.hass, coordinator.subentry_id, (ISSUE_DEVELOPER_MODE,))
