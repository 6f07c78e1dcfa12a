"""Rack entities: one enum sensor per shelf (no plate / empty plate / print).

The sensor platform calls ``async_setup_shelf_sensors``. One device per rack, under the hub;
sensors are added and removed as shelves appear and disappear (racks resized or removed).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN, SIGNAL_SHELF_UPDATED
from ..device_sync import devices_changed_signal
from ..entity import OttoEntity, farm_device_info
from ..farm.racks import InvalidShelfStateError, Rack, Shelf, ShelfState
from ..runtime import OttoConfigEntry, OttoRuntime
from ..subentries import SUBENTRY_RACK, DeviceKind, subentries_by_id

RACK_MODEL = "OttoRack"


@callback
def async_setup_shelf_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the shelf sensors of every rack now and of shelves added later."""
    runtime = entry.runtime_data
    known: dict[int, str] = {}  # shelf id → rack subentry id

    @callback
    def async_sync_shelves() -> None:
        """Add sensors for new shelves, remove those of shelves that no longer exist."""
        entity_registry = er.async_get(hass)
        present: set[int] = set()
        for rack_id, subentry in subentries_by_id(entry, SUBENTRY_RACK).items():
            rack = runtime.state.racks.get(rack_id)
            if rack is None:
                continue
            new = [
                ShelfSensor(runtime, rack, shelf) for shelf in rack.shelves if shelf.id not in known
            ]
            present.update(shelf.id for shelf in rack.shelves)
            for sensor in new:
                known[sensor.shelf.id] = subentry.subentry_id
            if new:
                async_add_entities(new, config_subentry_id=subentry.subentry_id)
        for shelf_id in set(known) - present:
            del known[shelf_id]
            entity_id = entity_registry.async_get_entity_id(
                "sensor", DOMAIN, shelf_unique_id(entry.entry_id, shelf_id)
            )
            if entity_id is not None:
                entity_registry.async_remove(entity_id)

    async_sync_shelves()
    entry.async_on_unload(
        async_dispatcher_connect(
            hass, devices_changed_signal(entry.entry_id, DeviceKind.RACK), async_sync_shelves
        )
    )


def shelf_unique_id(entry_id: str, shelf_id: int) -> str:
    return f"{entry_id}_shelf_{shelf_id}"


class ShelfSensor(OttoEntity, SensorEntity):
    """A shelf of a rack; its state is the shelf's state, its attributes name the print."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [state.value for state in ShelfState]
    _attr_translation_key = "shelf"

    def __init__(self, runtime: OttoRuntime, rack: Rack, shelf: Shelf) -> None:
        super().__init__(runtime)
        self.rack = rack
        self.shelf = shelf
        self._attr_unique_id = shelf_unique_id(runtime.entry_id, shelf.id)
        self._attr_translation_placeholders = {"shelf_number": str(shelf.shelf_number)}
        self._attr_device_info = farm_device_info(
            runtime.entry_id,
            runtime.hub_device_id,
            DeviceKind.RACK,
            rack.id,
            name=rack.name,
            model=RACK_MODEL,
        )

    async def async_added_to_hass(self) -> None:
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_SHELF_UPDATED.format(self.runtime.entry_id, self.shelf.id),
                self.async_write_ha_state,
            )
        )

    @property
    def native_value(self) -> str:
        return self.shelf.state.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        job = self.runtime.state.jobs.get(self.shelf.print_job_id or 0)
        return {
            "rack_id": self.rack.id,
            "shelf_id": self.shelf.id,
            "shelf_number": self.shelf.shelf_number,
            "print_job_id": self.shelf.print_job_id,
            "filename": job.filename if job is not None else None,
        }

    @callback
    def async_set_shelf_state(self, state: ShelfState, print_job_id: int | None) -> None:
        """The ``ottoengine.set_shelf_state`` action on this shelf."""
        try:
            if print_job_id is not None and print_job_id not in self.runtime.state.jobs:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="unknown_print_job",
                    translation_placeholders={"print_job_id": str(print_job_id)},
                )
            self.runtime.async_set_shelf(self.rack, self.shelf, state, print_job_id, "service")
        except InvalidShelfStateError as err:
            key = (
                "print_job_required" if state is ShelfState.WITH_PRINT else "print_job_not_allowed"
            )
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"entity_id": self.entity_id},
            ) from err
