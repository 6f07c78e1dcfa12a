"""Switches: the hub's *Job processing* (queued jobs start by themselves while it is on)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .orchestrator.entities import async_setup_orchestrator_switches
from .runtime import OttoConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_orchestrator_switches(hass, entry, async_add_entities)
