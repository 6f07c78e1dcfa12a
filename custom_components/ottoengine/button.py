"""Buttons of the farm's devices; each kind of device adds its own (OttoEject: home, park,
emergency stop)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .orchestrator.entities import async_setup_orchestrator_buttons
from .ottoeject.entities import async_setup_buttons as async_setup_ottoeject_buttons
from .printers.entities import async_setup_printer_buttons
from .printers.klipper_entities import async_setup_klipper_buttons
from .runtime import OttoConfigEntry

# Actions wait for the device themselves; no parallel limit.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    await async_setup_ottoeject_buttons(hass, entry, async_add_entities)
    async_setup_printer_buttons(hass, entry, async_add_entities)
    async_setup_klipper_buttons(hass, entry, async_add_entities)
    async_setup_orchestrator_buttons(hass, entry, async_add_entities)
