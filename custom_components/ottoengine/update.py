"""Update entities of the farm's devices (printers: firmware)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .printers.firmware import async_setup_printer_updates
from .runtime import OttoConfigEntry

# Pushed entities: no polling, no parallel update limit.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_printer_updates(hass, entry, async_add_entities)
