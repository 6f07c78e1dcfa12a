"""The farm's racks while the hub is loaded: the farm state mirrors the rack subentries.

``DeviceSync`` tells this manager which rack subentries appeared (a rack whose shelves hold no
plate), changed (settings mirrored, shelves added or removed at the top) or went away (its
record dropped). The shelf sensors follow ``SIGNAL_DEVICES_CHANGED``.
"""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigSubentry

from ..device_sync import DeviceManager
from ..farm.racks import InvalidRackError
from ..subentries import DeviceKind
from .settings import RackSettings

_LOGGER = logging.getLogger(__name__)


class RacksManager(DeviceManager[RackSettings]):
    """Keeps the farm state's racks equal to the hub's rack subentries."""

    kind = DeviceKind.RACK

    def settings_from(self, subentry: ConfigSubentry) -> RackSettings:
        return RackSettings.from_subentry(subentry)

    def device_id(self, settings: RackSettings) -> int:
        return settings.id

    def device_changes(self, settings: RackSettings) -> dict[str, str | None]:
        return {"name": settings.name}

    async def async_add(self, subentry_id: str, settings: RackSettings) -> None:
        state = self.store.state
        rack = state.racks.get(settings.id)
        if rack is None:
            state.create_rack(
                settings.id,
                settings.name,
                settings.number_of_shelves,
                settings.shelf_spacing_mm,
                settings.bed_size,
            )
        elif RackSettings.of_rack(rack) != settings:
            self._update(settings)

    async def async_change(self, subentry_id: str, old: RackSettings, new: RackSettings) -> None:
        self._update(new)

    async def async_remove(self, subentry_id: str, settings: RackSettings) -> None:
        self.store.state.racks.pop(settings.id, None)

    def _update(self, settings: RackSettings) -> None:
        rack = self.store.state.racks[settings.id]
        try:
            self.store.state.update_rack(
                rack,
                settings.name,
                settings.number_of_shelves,
                settings.shelf_spacing_mm,
                settings.bed_size,
            )
        except InvalidRackError as err:
            # The flows and the REST API check this first; a shelf changed in between keeps the
            # rack's current shelves (and its other settings) until the plates are removed.
            _LOGGER.warning(
                "Rack %s (%s) keeps its %s shelves: %s",
                rack.id,
                rack.name,
                len(rack.shelves),
                err,
            )

    def forget_missing(self) -> bool:
        """Drop racks whose subentry was removed while the hub was not loaded."""
        known = {settings.id for settings in self.running.values()}
        gone = [rack_id for rack_id in self.store.state.racks if rack_id not in known]
        for rack_id in gone:
            del self.store.state.racks[rack_id]
        return bool(gone)
