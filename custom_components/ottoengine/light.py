"""Lights of the farm's devices (printers: chamber light)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .printers.controls import async_setup_printer_lights
from .runtime import OttoConfigEntry

# Commands wait for the device themselves; no parallel limit.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_printer_lights(hass, entry, async_add_entities)
