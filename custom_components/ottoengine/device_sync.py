"""One way from the hub's subentries to running devices, for every kind of farm device.

Printers, OttoEjects and racks are config subentries of the hub. Each kind has a
``DeviceManager`` that knows how to start, change and stop one device; ``DeviceSync`` compares
the subentries with what runs (by subentry id, so a rename is a change, not a new device),
reserves every device's API id, keeps the device registry's name current and tells the entity
platforms through one dispatcher signal. It runs under one lock and is idempotent: the REST API
awaits it right after changing a subentry (so its answer and the entities are current at once)
and the hub's one update listener runs it for changes made anywhere else (flows, the UI).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Sequence
import logging
from typing import TYPE_CHECKING, Any, ClassVar, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import DOMAIN
from .storage import FarmStore
from .subentries import DeviceKind, device_identifier

if TYPE_CHECKING:
    from .runtime import OttoConfigEntry

_LOGGER = logging.getLogger(__name__)

# Dispatcher signal (formatted with the hub's entry id and the DeviceKind): devices of that
# kind were added, changed or removed. Entity platforms add and remove entities on it.
SIGNAL_DEVICES_CHANGED: Final = f"{DOMAIN}_devices_changed_{{}}_{{}}"


def devices_changed_signal(entry_id: str, kind: DeviceKind) -> str:
    return SIGNAL_DEVICES_CHANGED.format(entry_id, kind.value)


class DeviceManager[SettingsT](ABC):
    """Runs the devices of one kind; ``DeviceSync`` tells it what to add, change and remove."""

    kind: ClassVar[DeviceKind]

    def __init__(
        self, hass: HomeAssistant, entry: OttoConfigEntry, store: FarmStore, hub_device_id: str
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.store = store
        self.hub_device_id = hub_device_id
        # What runs now: subentry id -> the settings it runs with.
        self.running: dict[str, SettingsT] = {}

    @abstractmethod
    def settings_from(self, subentry: ConfigSubentry) -> SettingsT:
        """The settings a subentry stores."""

    @abstractmethod
    def device_id(self, settings: SettingsT) -> int:
        """The device's API id."""

    @abstractmethod
    def device_changes(self, settings: SettingsT) -> dict[str, str | None]:
        """What the device registry shows of these settings (name, model...)."""

    @abstractmethod
    async def async_add(self, subentry_id: str, settings: SettingsT) -> None:
        """Start a new device."""

    @abstractmethod
    async def async_change(self, subentry_id: str, old: SettingsT, new: SettingsT) -> None:
        """Apply changed settings (reconnect if needed)."""

    @abstractmethod
    async def async_remove(self, subentry_id: str, settings: SettingsT) -> None:
        """Stop a device whose subentry is gone and forget what only it needed."""

    async def async_stop(self) -> None:
        """The hub unloads or Home Assistant stops: stop every device (they are kept)."""
        self.running.clear()

    def forget_missing(self) -> bool:
        """Forget records of devices whose subentry is gone (removed while the hub was not
        loaded); returns whether anything was forgotten."""
        return False

    def update_device(self, device_id: int, changes: dict[str, Any]) -> None:
        """Show new details (name, model, firmware...) in the device registry."""
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier(
            device_identifier(self.entry.entry_id, self.kind, device_id), self.entry.entry_id
        )
        if device is None:
            return
        if any(getattr(device, key) != value for key, value in changes.items()):
            registry.async_update_device(device.id, **changes)


class DeviceSync:
    """Keeps every kind's running devices equal to the hub's subentries."""

    def __init__(
        self, hass: HomeAssistant, entry: OttoConfigEntry, managers: Sequence[DeviceManager[Any]]
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.managers = tuple(managers)
        self._lock = asyncio.Lock()
        self._stopped = False

    async def async_start(self) -> None:
        """Start every device, follow subentry changes, stop with the hub or Home Assistant."""
        await self.async_sync()
        entry = self.entry
        entry.async_on_unload(entry.add_update_listener(self._async_entry_updated))
        entry.async_on_unload(self.async_stop)

        async def _async_hass_stopping(_event: Event) -> None:
            await self.async_stop()

        # Home Assistant stopping does not unload entries: close connections ourselves.
        entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_hass_stopping)
        )

    async def _async_entry_updated(self, _hass: HomeAssistant, _entry: ConfigEntry) -> None:
        await self.async_sync()

    async def async_sync(self) -> None:
        async with self._lock:
            if self._stopped:
                return
            for manager in self.managers:
                await self._async_sync_kind(manager)

    async def _async_sync_kind[S](self, manager: DeviceManager[S]) -> None:
        wanted = {
            subentry_id: manager.settings_from(subentry)
            for subentry_id, subentry in self.entry.subentries.items()
            if subentry.subentry_type == manager.kind
        }
        changed = False
        for subentry_id in [sid for sid in manager.running if sid not in wanted]:
            settings = manager.running.pop(subentry_id)
            _LOGGER.debug("%s %s removed", manager.kind, manager.device_id(settings))
            await manager.async_remove(subentry_id, settings)
            changed = True
        for subentry_id, settings in wanted.items():
            manager.store.state.ids.reserve(manager.kind.value, manager.device_id(settings))
            old = manager.running.get(subentry_id)
            if old is None:
                manager.running[subentry_id] = settings
                await manager.async_add(subentry_id, settings)
                changed = True
            elif old != settings:
                manager.running[subentry_id] = settings
                await manager.async_change(subentry_id, old, settings)
                shown = manager.device_changes(settings)
                if shown != manager.device_changes(old):
                    manager.update_device(manager.device_id(settings), shown)
                changed = True
        if manager.forget_missing():
            changed = True
        if changed:
            manager.store.async_schedule_save()
            async_dispatcher_send(
                self.hass,
                devices_changed_signal(self.entry.entry_id, manager.kind),
            )

    async def async_stop(self) -> None:
        """Stop every device: no connection, task or timer is left."""
        async with self._lock:
            if self._stopped:
                return
            self._stopped = True
            await asyncio.gather(*(manager.async_stop() for manager in self.managers))
