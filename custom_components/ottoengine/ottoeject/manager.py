"""Starts, restarts and stops one coordinator per ``ottoeject`` subentry, without hub reloads.

``async_setup_ottoejects`` runs in the hub's ``async_setup_entry``: it starts every OttoEject,
follows subentry changes through an update listener (also called directly by the REST API, so
answers and entities are current at once) and stops everything when the hub unloads.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send

from ..const import DOMAIN
from ..subentries import SUBENTRY_OTTOEJECT
from .coordinator import OttoEjectCoordinator
from .settings import ID_OTTOEJECT, OttoEjectSettings, ottoeject_device_identifier

_LOGGER = logging.getLogger(__name__)

# Dispatcher signal (formatted with the hub's entry id): OttoEjects were added or removed.
SIGNAL_OTTOEJECTS_CHANGED: Final = f"{DOMAIN}_ottoejects_changed_{{}}"


class OttoEjectManager:
    """The running OttoEjects of one hub entry, keyed by subentry id."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self.coordinators: dict[str, OttoEjectCoordinator] = {}
        self._lock = asyncio.Lock()
        self._stopped = False

    def by_id(self, ottoeject_id: int) -> OttoEjectCoordinator | None:
        """The coordinator of the OttoEject with this API id."""
        return next((c for c in self.coordinators.values() if c.settings.id == ottoeject_id), None)

    def sorted(self) -> list[OttoEjectCoordinator]:
        return sorted(self.coordinators.values(), key=lambda c: c.settings.id)

    async def async_sync(self) -> None:
        """Match the running OttoEjects to the hub's ``ottoeject`` subentries."""
        async with self._lock:
            if self._stopped:
                return
            wanted = {
                subentry_id: OttoEjectSettings.from_subentry(subentry)
                for subentry_id, subentry in self.entry.subentries.items()
                if subentry.subentry_type == SUBENTRY_OTTOEJECT
            }
            added = removed = False
            for subentry_id in set(self.coordinators) - set(wanted):
                gone = self.coordinators.pop(subentry_id)
                _LOGGER.debug("OttoEject %s removed", gone.settings.device_name)
                await gone.async_stop()
                removed = True
            for subentry_id, settings in wanted.items():
                self._reserve_id(settings.id)
                coordinator = self.coordinators.get(subentry_id)
                if coordinator is None:
                    coordinator = OttoEjectCoordinator(self.hass, self.entry, subentry_id, settings)
                    self.coordinators[subentry_id] = coordinator
                    await coordinator.async_start()
                    added = True
                elif coordinator.settings.connection() != settings.connection():
                    _LOGGER.debug("OttoEject %s reconnects", settings.device_name)
                    await coordinator.async_restart(settings)
                elif coordinator.settings != settings:
                    self._rename_device(coordinator, settings)
                    coordinator.async_update_settings(settings)
                    coordinator.async_update_listeners()
            if added or removed:
                async_dispatcher_send(
                    self.hass, SIGNAL_OTTOEJECTS_CHANGED.format(self.entry.entry_id)
                )

    async def async_stop(self) -> None:
        """Stop every OttoEject: no websocket, task or timer is left."""
        async with self._lock:
            self._stopped = True
            coordinators = list(self.coordinators.values())
            self.coordinators.clear()
            await asyncio.gather(*(c.async_stop() for c in coordinators))

    def _reserve_id(self, ottoeject_id: int) -> None:
        runtime = self.entry.runtime_data
        runtime.state.ids.reserve(ID_OTTOEJECT, ottoeject_id)

    def _rename_device(
        self, coordinator: OttoEjectCoordinator, settings: OttoEjectSettings
    ) -> None:
        if coordinator.settings.device_name == settings.device_name:
            return
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier(
            ottoeject_device_identifier(self.entry.entry_id, settings.id), self.entry.entry_id
        )
        if device is not None:
            registry.async_update_device(device.id, name=settings.device_name)


async def async_setup_ottoejects(hass: HomeAssistant, entry: ConfigEntry) -> OttoEjectManager:
    """Start the hub's OttoEjects and follow their subentries until the hub unloads."""
    manager = OttoEjectManager(hass, entry)
    await manager.async_sync()

    async def _async_subentries_changed(hass: HomeAssistant, entry: ConfigEntry) -> None:
        await manager.async_sync()

    async def _async_hass_stopping(event: Event) -> None:
        await manager.async_stop()

    entry.async_on_unload(entry.add_update_listener(_async_subentries_changed))
    entry.async_on_unload(manager.async_stop)
    # Home Assistant does not unload entries when it stops: close the websockets ourselves.
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_hass_stopping)
    )
    return manager
