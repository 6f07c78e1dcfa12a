"""Sensors of the farm's devices; each kind of device adds its own (printers: status, stage,
progress, temperatures, AMS trays and units...; OttoEjects: status, current macro, last result;
racks: one per shelf)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .orchestrator.entities import async_setup_orchestrator_sensors
from .ottoeject.entities import async_setup_sensors as async_setup_ottoeject_sensors
from .printers.ams_entities import async_setup_ams_sensors
from .printers.entities import async_setup_printer_sensors
from .printers.klipper_entities import async_setup_klipper_sensors
from .racks.entities import async_setup_shelf_sensors
from .runtime import OttoConfigEntry

# Pushed entities: no polling, no parallel update limit.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_shelf_sensors(hass, entry, async_add_entities)
    await async_setup_ottoeject_sensors(hass, entry, async_add_entities)
    async_setup_printer_sensors(hass, entry, async_add_entities)
    async_setup_klipper_sensors(hass, entry, async_add_entities)
    async_setup_ams_sensors(hass, entry, async_add_entities)
    async_setup_orchestrator_sensors(hass, entry, async_add_entities)
