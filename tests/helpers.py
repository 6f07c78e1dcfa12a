"""Helpers shared by the Home Assistant tests."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE


async def setup_hub(hass: HomeAssistant) -> MockConfigEntry:
    """Add and set up the OttoEngine farm hub entry."""
    entry = MockConfigEntry(domain=DOMAIN, title=HUB_TITLE, data={})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
