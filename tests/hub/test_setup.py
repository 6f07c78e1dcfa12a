"""Setting up, unloading, reloading and removing the farm hub."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE, STORAGE_KEY
from custom_components.ottoengine.runtime import OttoRuntime

from ..helpers import setup_hub


async def test_setup_registers_the_hub_device(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_hub(hass)
    assert entry.state is ConfigEntryState.LOADED
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert device.name == HUB_TITLE
    assert device.manufacturer == "OTTOMAT3D"
    assert isinstance(entry.runtime_data, OttoRuntime)
    assert entry.runtime_data.hub_device_id == device.id


async def test_unload_and_reload_leave_no_leftovers(hass: HomeAssistant) -> None:
    entry = await setup_hub(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not hasattr(entry, "runtime_data")
    assert hass.config_entries.async_loaded_entries(DOMAIN) == []

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert len(hass.config_entries.async_loaded_entries(DOMAIN)) == 1


async def test_state_survives_a_restart(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    entry = await setup_hub(hass)
    runtime: OttoRuntime = entry.runtime_data
    assert runtime.state.ids.allocate("job") == 1
    assert runtime.state.ids.allocate("job") == 2
    runtime.async_state_changed()
    # Writes are coalesced and happen shortly after the change.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
    await hass.async_block_till_done()
    assert hass_storage[STORAGE_KEY]["data"]["next_ids"] == {"job": 3}

    # A restart: the entry is unloaded and set up again from what is stored.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.state.ids.allocate("job") == 3


async def test_unload_writes_pending_changes(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_hub(hass)
    entry.runtime_data.state.ids.allocate("rack")
    entry.runtime_data.async_state_changed()
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hass_storage[STORAGE_KEY]["data"]["next_ids"] == {"rack": 2}


async def test_removing_the_hub_removes_its_state(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_hub(hass)
    entry.runtime_data.state.ids.allocate("rack")
    entry.runtime_data.async_state_changed()
    assert await entry.runtime_data.async_commit()
    assert STORAGE_KEY in hass_storage
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert STORAGE_KEY not in hass_storage
