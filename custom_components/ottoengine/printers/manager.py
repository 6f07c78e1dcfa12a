"""The farm's printers while the hub is loaded: one client and coordinator per subentry.

``async_sync`` reconciles the running printers with the hub's ``printer`` subentries (new →
connect, changed connection settings → reconnect, renamed → device renamed, removed →
disconnect and forget). It is idempotent: the REST API calls it right after changing a
subentry, and the hub's update listener calls it for changes made anywhere else. The entity
platforms follow ``SIGNAL_PRINTERS_CHANGED``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import logging
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send

from ..bambu import (
    BambuAuthError,
    BambuError,
    CertificateMismatchError,
    DiscoveredPrinter,
    SerialMismatchError,
)
from ..const import DOMAIN
from ..farm.printer_control import PrinterControlError
from ..runtime import OttoRuntime
from ..subentries import SUBENTRY_PRINTER, subentries_by_id
from . import const
from .const import (
    CONF_FINGERPRINT,
    ISSUE_ACCESS_CODE,
    ISSUE_CERTIFICATE,
    ISSUE_DEVELOPER_MODE,
    ISSUE_WRONG_SERIAL,
    SIGNAL_BUILD_PLATE_UPDATED,
    SIGNAL_PRINTERS_CHANGED,
)
from .coordinator import PrinterCoordinator
from .discovery import PrinterDiscovery
from .issues import CONNECTION_ISSUES, async_clear_issues, async_raise_issue
from .settings import PrinterSettings

_LOGGER = logging.getLogger(__name__)

ID_PRINTER = "printer"


def printer_device_identifier(entry_id: str, printer_id: int) -> tuple[str, str]:
    return (DOMAIN, f"{entry_id}_printer_{printer_id}")


class PrintersManager:
    """Runs the printers of one loaded hub entry; also the farm's ``PrinterControl``."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, runtime: OttoRuntime) -> None:
        self.hass = hass
        self.entry = entry
        self.runtime = runtime
        self.coordinators: dict[int, PrinterCoordinator] = {}
        self.discovery = PrinterDiscovery(const.DISCOVERY_BINDS, max_age=const.DISCOVERY_MAX_AGE)
        self._pending: set[asyncio.Task[None]] = set()

    # -- life cycle ------------------------------------------------------------------------------
    async def async_start(self) -> None:
        """Connect to every configured printer."""
        self.async_sync()

    async def async_discovered(self) -> list[DiscoveredPrinter]:
        """Printers heard on the LAN that are not configured (starts listening if needed)."""
        if not self.discovery.started:
            await self.discovery.async_start()
            # Printers announce themselves every few seconds: give them time to be heard.
            await asyncio.sleep(const.DISCOVERY_WARMUP)
        return self.discovery.unconfigured(self.configured_serials())

    async def async_shutdown(self) -> None:
        """Disconnect every printer and stop listening (the hub unloads)."""
        self.discovery.stop()
        coordinators, self.coordinators = self.coordinators, {}
        await asyncio.gather(
            *(coordinator.async_close() for coordinator in coordinators.values()),
            *self._pending,
        )

    async def async_handle_stop(self, _event: Event) -> None:
        await self.async_shutdown()

    @callback
    def async_sync(self) -> None:
        """Make the running printers match the hub's printer subentries."""
        subentries = subentries_by_id(self.entry, SUBENTRY_PRINTER)
        changed = False
        for printer_id, subentry in subentries.items():
            settings = PrinterSettings.from_subentry(subentry)
            coordinator = self.coordinators.get(printer_id)
            if coordinator is None:
                self.runtime.state.ids.reserve(ID_PRINTER, printer_id)
                coordinator = PrinterCoordinator(
                    self.hass,
                    self.entry,
                    subentry.subentry_id,
                    settings,
                    on_online=self._printer_online,
                    on_error=self._printer_error,
                    on_authorization=self._printer_authorization,
                )
                self.coordinators[printer_id] = coordinator
                coordinator.async_start_client()
                changed = True
            elif coordinator.settings != settings:
                self._apply(coordinator, settings)
        for printer_id in set(self.coordinators) - set(subentries):
            self._remove(self.coordinators.pop(printer_id))
            changed = True
        if changed:
            async_dispatcher_send(self.hass, SIGNAL_PRINTERS_CHANGED.format(self.entry.entry_id))

    def _apply(self, coordinator: PrinterCoordinator, settings: PrinterSettings) -> None:
        old = coordinator.settings
        client = coordinator.client
        trusted = client.certificate_fingerprint if client is not None else None
        if old.connection != settings.connection or (
            settings.fingerprint not in (old.fingerprint, trusted)
        ):
            _LOGGER.debug("Printer %s: reconnecting with new settings", settings.name)
            async_clear_issues(self.hass, coordinator.subentry_id)
            coordinator.settings = settings
            self._track(
                coordinator.async_restart_client(), f"ottoengine printer {settings.id} reconnect"
            )
        else:
            coordinator.settings = settings
        if old.name != settings.name or old.model != settings.model:
            self._update_device(coordinator, name=settings.name, model=settings.model)
        coordinator.async_update_listeners()

    def _remove(self, coordinator: PrinterCoordinator) -> None:
        printer_id = coordinator.printer_id
        async_clear_issues(self.hass, coordinator.subentry_id)
        if self.runtime.state.forget_printer(printer_id):
            self.runtime.async_state_changed()

        self._track(coordinator.async_close(), f"ottoengine printer {printer_id} stop")

    def _track(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``job`` as a task of the entry; shutting down waits for it."""
        task = self.entry.async_create_task(self.hass, job, name)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, printer_id: int) -> PrinterCoordinator | None:
        return self.coordinators.get(printer_id)

    def configured_serials(self) -> set[str]:
        return {
            str(subentry.unique_id)
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_PRINTER
        }

    # -- build plates ----------------------------------------------------------------------------
    def has_build_plate(self, printer_id: int) -> bool:
        return self.runtime.state.has_build_plate(printer_id)

    @callback
    def async_set_build_plate(self, printer_id: int, present: bool) -> None:
        if self.runtime.state.set_build_plate(printer_id, present):
            self.runtime.async_state_changed()
            async_dispatcher_send(
                self.hass, SIGNAL_BUILD_PLATE_UPDATED.format(self.entry.entry_id, printer_id)
            )

    # -- the farm's PrinterControl ---------------------------------------------------------------
    async def async_stop_print(self, printer_id: int, job_id: int) -> None:
        """Stop the print of ``job_id`` (the job was cancelled)."""
        coordinator = self.coordinators.get(printer_id)
        if coordinator is None:
            raise PrinterControlError(f"printer {printer_id} does not exist")
        try:
            async with asyncio.timeout(const.COMMAND_TIMEOUT):
                await coordinator.connected_client().stop()
        except (BambuError, TimeoutError) as err:
            raise PrinterControlError(
                f"printer {coordinator.settings.name} could not stop job {job_id}: {err}"
            ) from err

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
            self._update_device(coordinator, sw_version=client.firmware_version)

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

    def _update_device(self, coordinator: PrinterCoordinator, **changes: str) -> None:
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier(
            printer_device_identifier(self.entry.entry_id, coordinator.printer_id),
            self.entry.entry_id,
        )
        if device is None:
            return
        if any(getattr(device, key) != value for key, value in changes.items()):
            registry.async_update_device(device.id, **changes)  # type: ignore[arg-type]


async def async_setup_printers(hass: HomeAssistant, entry: ConfigEntry) -> PrintersManager:
    """Start the hub's printers; they stop when the hub unloads."""
    runtime: OttoRuntime = entry.runtime_data
    manager = PrintersManager(hass, entry, runtime)
    runtime.printer_control = manager
    entry.async_on_unload(manager.async_shutdown)
    # Home Assistant stopping does not unload entries: disconnect the printers then too.
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, manager.async_handle_stop)
    )
    # Printer subentries are added, changed and removed without reloading the hub.
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    await manager.async_start()
    return manager


async def _async_update_listener(hass: HomeAssistant, entry: ConfigEntry) -> None:
    runtime: OttoRuntime = entry.runtime_data
    if runtime.printers is not None:
        runtime.printers.async_sync()
