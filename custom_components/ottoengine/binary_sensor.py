"""Binary sensors of the farm's devices; each kind of device adds its own (printers: build
plate present, problem, door)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .orchestrator.entities import async_setup_orchestrator_binary_sensors
from .printers.entities import async_setup_printer_binary_sensors
from .printers.klipper_entities import async_setup_klipper_binary_sensors
from .runtime import OttoConfigEntry

# Pushed entities: no polling, no parallel update limit.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_printer_binary_sensors(hass, entry, async_add_entities)
    async_setup_klipper_binary_sensors(hass, entry, async_add_entities)
    async_setup_orchestrator_binary_sensors(hass, entry, async_add_entities)
