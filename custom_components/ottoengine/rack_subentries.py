"""Racks are ``rack`` config subentries of the hub; their shelves' states live in the farm state.

Racks are added from the subentry flow or the REST API; both create the same subentry.
``async_sync_racks`` reconciles the farm state with the hub's rack subentries (new rack →
record with shelves without plates, changed settings → mirrored, removed → record dropped) and
tells the sensor platform to add or remove shelf sensors. It is idempotent: the REST API calls
it right after changing a subentry (so the answer and the entities are up to date at once), and
the hub's update listener calls it again for changes made anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import DOMAIN, SIGNAL_RACKS_CHANGED
from .farm.racks import InvalidRackError, Rack
from .runtime import OttoRuntime
from .subentries import CONF_ID, SUBENTRY_RACK, subentries_by_id

_LOGGER = logging.getLogger(__name__)

CONF_NAME = "name"
CONF_NUMBER_OF_SHELVES = "number_of_shelves"
CONF_SHELF_SPACING_MM = "shelf_spacing_mm"
CONF_BED_SIZE = "bed_size"


@dataclass(frozen=True, slots=True)
class RackSettings:
    id: int
    name: str
    number_of_shelves: int
    shelf_spacing_mm: float
    bed_size: str

    def as_data(self) -> dict[str, Any]:
        return {
            CONF_ID: self.id,
            CONF_NAME: self.name,
            CONF_NUMBER_OF_SHELVES: self.number_of_shelves,
            CONF_SHELF_SPACING_MM: self.shelf_spacing_mm,
            CONF_BED_SIZE: self.bed_size,
        }

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> RackSettings:
        data = subentry.data
        return cls(
            id=int(data[CONF_ID]),
            name=str(data[CONF_NAME]),
            number_of_shelves=int(data[CONF_NUMBER_OF_SHELVES]),
            shelf_spacing_mm=float(data[CONF_SHELF_SPACING_MM]),
            bed_size=str(data[CONF_BED_SIZE]),
        )

    def new_subentry(self) -> ConfigSubentry:
        return ConfigSubentry(
            data=MappingProxyType(self.as_data()),
            subentry_type=SUBENTRY_RACK,
            title=self.name,
            unique_id=str(self.id),
        )


def rack_device_identifier(entry_id: str, rack_id: int) -> tuple[str, str]:
    return (DOMAIN, f"{entry_id}_rack_{rack_id}")


def name_in_use(entry: ConfigEntry, name: str, *, except_id: int | None = None) -> bool:
    """Whether another rack already has this name (compared case-insensitively)."""
    return any(
        subentry.title.casefold() == name.casefold()
        for rack_id, subentry in subentries_by_id(entry, SUBENTRY_RACK).items()
        if rack_id != except_id
    )


@callback
def async_sync_racks(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Make the farm state's racks match the hub's rack subentries."""
    runtime: OttoRuntime = entry.runtime_data
    state = runtime.state
    subentries = subentries_by_id(entry, SUBENTRY_RACK)
    changed = False
    for rack_id, subentry in subentries.items():
        settings = RackSettings.from_subentry(subentry)
        rack = state.racks.get(rack_id)
        if rack is None:
            state.create_rack(
                rack_id,
                settings.name,
                settings.number_of_shelves,
                settings.shelf_spacing_mm,
                settings.bed_size,
            )
            changed = True
        elif _settings_of(rack) != settings:
            changed |= _update_rack(hass, entry, runtime, rack, settings)
    for rack_id in set(state.racks) - set(subentries):
        del state.racks[rack_id]
        changed = True
    if changed:
        runtime.async_state_changed()
        async_dispatcher_send(hass, SIGNAL_RACKS_CHANGED.format(entry.entry_id))


def _settings_of(rack: Rack) -> RackSettings:
    return RackSettings(
        rack.id, rack.name, rack.number_of_shelves, rack.shelf_spacing_mm, rack.bed_size
    )


def _update_rack(
    hass: HomeAssistant,
    entry: ConfigEntry,
    runtime: OttoRuntime,
    rack: Rack,
    settings: RackSettings,
) -> bool:
    try:
        runtime.state.update_rack(
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
            "Rack %s (%s) keeps its %s shelves: %s", rack.id, rack.name, len(rack.shelves), err
        )
        return False
    device_registry = dr.async_get(hass)
    device = device_registry.async_get_device_by_identifier(
        rack_device_identifier(entry.entry_id, rack.id), entry.entry_id
    )
    if device is not None and device.name != rack.name:
        device_registry.async_update_device(device.id, name=rack.name)
    return True


async def async_update_listener(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Subentries changed: add, update or remove racks without reloading the hub."""
    async_sync_racks(hass, entry)
