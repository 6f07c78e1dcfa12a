"""Sensor entities of every device kind: printers, OttoEjects and rack shelves."""

from __future__ import annotations

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.ottoengine.const import DOMAIN

from .conftest import Farm


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.SENSOR]


# Every sensor, those disabled by default too (fans, Wi-Fi, nozzle, AMS temperature...).
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors(
    hass: HomeAssistant,
    farm: Farm,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    # Eject Left ran a macro (last result, its attributes); Rack A's shelf 2 holds an empty
    # plate. Both through the integration's actions, as an automation would.
    await hass.services.async_call(
        DOMAIN,
        "run_macro",
        {"device_id": farm.device("ottoeject", 1).id, "macro": "OTTOEJECT_HOME"},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN,
        "set_shelf_state",
        {ATTR_ENTITY_ID: "sensor.rack_a_shelf_2", "state": "empty_plate"},
        blocking=True,
    )
    await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, farm.entry.entry_id)
    assert farm.placement("sensor") == snapshot(name="placement")
