"""The farm's OttoEjects while the hub is loaded: one coordinator per ``ottoeject`` subentry.

``DeviceSync`` tells this manager which subentries appeared (start following the robot),
changed (reconnect when the address, port or API key did) or went away (close its websocket).
It is also the farm's ``EjectorFleet``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant

from ..device_sync import DeviceManager
from ..storage import FarmStore
from ..subentries import DeviceKind
from .commands import EjectorCommands
from .coordinator import OttoEjectCoordinator
from .settings import OttoEjectSettings

if TYPE_CHECKING:
    from ..runtime import OttoConfigEntry

_LOGGER = logging.getLogger(__name__)


class OttoEjectManager(DeviceManager[OttoEjectSettings]):
    """The running OttoEjects of one hub entry, keyed by subentry id."""

    kind = DeviceKind.OTTOEJECT

    def __init__(
        self, hass: HomeAssistant, entry: OttoConfigEntry, store: FarmStore, hub_device_id: str
    ) -> None:
        super().__init__(hass, entry, store, hub_device_id)
        self.coordinators: dict[str, OttoEjectCoordinator] = {}

    # -- DeviceManager ---------------------------------------------------------------------------
    def settings_from(self, subentry: ConfigSubentry) -> OttoEjectSettings:
        return OttoEjectSettings.from_subentry(subentry)

    def device_id(self, settings: OttoEjectSettings) -> int:
        return settings.id

    def device_changes(self, settings: OttoEjectSettings) -> dict[str, str | None]:
        return {"name": settings.device_name}

    async def async_add(self, subentry_id: str, settings: OttoEjectSettings) -> None:
        coordinator = OttoEjectCoordinator(self.hass, self.entry, subentry_id, settings)
        self.coordinators[subentry_id] = coordinator
        await coordinator.async_start()

    async def async_change(
        self, subentry_id: str, old: OttoEjectSettings, new: OttoEjectSettings
    ) -> None:
        coordinator = self.coordinators[subentry_id]
        if old.connection() != new.connection():
            _LOGGER.debug("OttoEject %s reconnects", new.device_name)
            await coordinator.async_restart(new)
        else:
            coordinator.async_update_settings(new)
            coordinator.async_update_listeners()

    async def async_remove(self, subentry_id: str, settings: OttoEjectSettings) -> None:
        _LOGGER.debug("OttoEject %s removed", settings.device_name)
        await self.coordinators.pop(subentry_id).async_stop()

    async def async_stop(self) -> None:
        """Stop every OttoEject: no websocket, task or timer is left."""
        coordinators = list(self.coordinators.values())
        self.coordinators.clear()
        await super().async_stop()
        await asyncio.gather(*(c.async_stop() for c in coordinators))

    # -- lookups ---------------------------------------------------------------------------------
    def by_id(self, ottoeject_id: int) -> OttoEjectCoordinator | None:
        """The coordinator of the OttoEject with this API id."""
        return next((c for c in self.coordinators.values() if c.settings.id == ottoeject_id), None)

    def sorted(self) -> list[OttoEjectCoordinator]:
        return sorted(self.coordinators.values(), key=lambda c: c.settings.id)

    def ejector(self, ejector_id: int) -> EjectorCommands | None:
        """The farm's ``EjectorPort`` of an OttoEject."""
        coordinator = self.by_id(ejector_id)
        return coordinator.commands if coordinator is not None else None

    def ejector_ids(self) -> list[int]:
        return [coordinator.settings.id for coordinator in self.sorted()]
