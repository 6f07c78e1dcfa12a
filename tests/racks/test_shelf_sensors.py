"""Shelf sensors on the rack devices and the ``ottoengine.set_shelf_state`` action."""

from __future__ import annotations

from homeassistant.components.sensor import ATTR_OPTIONS, SensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_ENTITY_ID, ATTR_FRIENDLY_NAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.services import _async_set_shelf_state

from ..helpers import setup_hub


async def _farm_with_rack(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> MockConfigEntry:
    entry = await setup_hub(hass)
    client = await hass_client()
    await client.post("/api/ottoracks", json={"name": "A", "number_of_shelves": 2})
    await hass.async_block_till_done()
    state = entry.runtime_data.state
    item = state.add_print_item(PrintItem(1, "cube.gcode", "1_cube.gcode", 10, "ab", utcnow()))
    state.create_job(item, JobSettings(), utcnow())
    return entry


async def test_shelf_sensor(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await _farm_with_rack(hass, hass_client)
    state = hass.states.get("sensor.a_shelf_1")
    assert state.state == "no_plate"
    assert state.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENUM
    assert state.attributes[ATTR_OPTIONS] == ["no_plate", "empty_plate", "with_print"]
    assert state.attributes[ATTR_FRIENDLY_NAME] == "A Shelf 1"
    assert state.attributes["print_job_id"] is None
    assert state.attributes["filename"] is None
    assert (state.attributes["rack_id"], state.attributes["shelf_number"]) == (1, 1)
    registry_entry = entity_registry.async_get("sensor.a_shelf_1")
    assert registry_entry.unique_id == f"{entry.entry_id}_shelf_1"
    assert registry_entry.translation_key == "shelf"
    (subentry_id,) = entry.subentries
    assert registry_entry.config_subentry_id == subentry_id


async def test_set_shelf_state_action(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await _farm_with_rack(hass, hass_client)
    events = []
    hass.bus.async_listen("ottoengine_shelf_changed", events.append)
    await hass.services.async_call(
        DOMAIN,
        "set_shelf_state",
        {ATTR_ENTITY_ID: "sensor.a_shelf_2", "state": "with_print", "print_job_id": 1},
        blocking=True,
    )
    state = hass.states.get("sensor.a_shelf_2")
    assert state.state == "with_print"
    assert (state.attributes["print_job_id"], state.attributes["filename"]) == (1, "cube.gcode")
    shelf = entry.runtime_data.state.racks[1].shelves[1]
    assert (shelf.state, shelf.print_job_id) == ("with_print", 1)
    await hass.async_block_till_done()
    assert events[0].data["source"] == "service"
    assert events[0].data["new_state"] == "with_print"

    # The REST API sees the change.
    client = await hass_client()
    rack = await (await client.get("/api/ottoracks/1")).json()
    assert rack["shelves"][1]["plate_state"] == "with_print"

    await hass.services.async_call(
        DOMAIN,
        "set_shelf_state",
        {ATTR_ENTITY_ID: ["sensor.a_shelf_1", "sensor.a_shelf_2"], "state": "empty_plate"},
        blocking=True,
    )
    assert hass.states.get("sensor.a_shelf_1").state == "empty_plate"
    assert hass.states.get("sensor.a_shelf_2").attributes["print_job_id"] is None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"state": "with_print"}, "print_job_required"),
        ({"state": "empty_plate", "print_job_id": 1}, "print_job_not_allowed"),
        ({"state": "with_print", "print_job_id": 9}, "unknown_print_job"),
    ],
)
async def test_set_shelf_state_refuses_bad_input(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, data: dict, key: str
) -> None:
    entry = await _farm_with_rack(hass, hass_client)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_shelf_state",
            {ATTR_ENTITY_ID: "sensor.a_shelf_1", **data},
            blocking=True,
        )
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert hass.states.get("sensor.a_shelf_1").state == "no_plate"
    assert entry.runtime_data.state.racks[1].shelves[0].state == "no_plate"


async def test_set_shelf_state_on_another_sensor(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Only shelf sensors accept the action (other OttoEngine sensors are not shelves)."""
    await _farm_with_rack(hass, hass_client)

    class OtherSensor:
        entity_id = "sensor.printer_status"

    with pytest.raises(ServiceValidationError) as err:
        await _async_set_shelf_state(OtherSensor(), None)  # type: ignore[arg-type]
    assert err.value.translation_key == "not_a_shelf"
