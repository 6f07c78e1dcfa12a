"""`/api/ottoracks`: racks, their shelves and the three shelf states."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.print_items import PrintItem

from ..helpers import setup_hub
from ..printers.helpers import add_ottoeject

RACK_A = {"name": "A", "number_of_shelves": 3, "shelf_spacing_mm": 80, "bed_size": "256x256"}


async def _create(client: Any, body: dict[str, Any] = RACK_A) -> dict[str, Any]:
    response = await client.post("/api/ottoracks/", json=body)
    assert response.status == HTTPStatus.CREATED, await response.text()
    return await response.json()


def _add_job(entry: MockConfigEntry, **settings: Any) -> int:
    state = entry.runtime_data.state
    item = state.add_print_item(
        PrintItem(
            state.ids.allocate("print_item"), "cube.gcode", "1_cube.gcode", 10, "ab", utcnow()
        )
    )
    return state.create_job(item, JobSettings(**settings), utcnow()).id


async def test_create_list_and_get(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    created = await _create(client)
    assert created["id"] == 1
    assert created["message"] == "Ottorack created successfully"
    assert created["number_of_shelves"] == 3
    assert created["shelf_spacing_mm"] == 80
    assert [shelf["shelf_number"] for shelf in created["shelves"]] == [1, 2, 3]
    assert created["shelves"][0] == {
        "id": 1,
        "shelf_number": 1,
        "has_plate": False,
        "plate_state": None,
        "print_job_id": None,
        "state": "no_plate",
        "print_job": None,
    }
    await hass.async_block_till_done()

    # The rack is a subentry, a device under the hub and one sensor per shelf.
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == "rack"
    assert subentry.unique_id == "1"
    assert subentry.title == "A"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_rack_1"), entry.entry_id
    )
    assert device is not None
    assert device.name == "A"
    assert device.via_device_id == entry.runtime_data.hub_device_id
    assert device.config_entry_id == entry.entry_id
    assert device.config_subentry_id == subentry.subentry_id
    sensors = er.async_entries_for_device(entity_registry, device.id)
    assert len(sensors) == 3
    assert hass.states.get("sensor.a_shelf_1").state == "no_plate"

    await _create(client, {"name": "B", "shelf_spacing_mm": 72.5, "bed_size": "300X300"})
    listing = await (await client.get("/api/ottoracks")).json()
    assert listing == [
        {
            "id": 1,
            "name": "A",
            "ottoeject_id": None,
            "number_of_shelves": 3,
            "shelf_spacing_mm": 80,
            "bed_size": "256x256",
            "occupied_shelves": 0,
            "available_shelves": 3,
            "empty_plate_shelves": 0,
        },
        {
            "id": 2,
            "name": "B",
            "ottoeject_id": None,
            "number_of_shelves": 6,
            "shelf_spacing_mm": 72.5,
            "bed_size": "300x300",
            "occupied_shelves": 0,
            "available_shelves": 6,
            "empty_plate_shelves": 0,
        },
    ]
    details = await (await client.get("/api/ottoracks/2/")).json()
    assert [shelf["id"] for shelf in details["shelves"]] == [4, 5, 6, 7, 8, 9]
    assert (await client.get("/api/ottoracks/3")).status == HTTPStatus.NOT_FOUND
    assert (await client.get("/api/ottoracks/x")).status == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number_of_shelves": 3}, "name"),
        ({"name": " "}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "A", "number_of_shelves": 0}, "number_of_shelves"),
        ({"name": "A", "number_of_shelves": 51}, "number_of_shelves"),
        ({"name": "A", "number_of_shelves": "10"}, "number_of_shelves"),
        ({"name": "A", "number_of_shelves": True}, "number_of_shelves"),
        ({"name": "A", "shelf_spacing_mm": 0}, "shelf_spacing_mm"),
        ({"name": "A", "shelf_spacing_mm": -5}, "shelf_spacing_mm"),
        ({"name": "A", "shelf_spacing_mm": "80"}, "shelf_spacing_mm"),
        ({"name": "A", "bed_size": "256"}, "bed_size"),
        ({"name": "A", "bed_size": "0x256"}, "bed_size"),
        ({"name": "A", "bed_size": 256}, "bed_size"),
        ({"name": "A", "ottoeject_id": 2}, "ottoeject_id"),
        ({"name": "A", "ottoeject_id": 0}, "ottoeject_id"),
        ({"name": "A", "ottoeject_id": "1"}, "ottoeject_id"),
        ({"name": "A", "ottoeject_id": True}, "ottoeject_id"),
        ({"name": "A", "ottoeject_id": 1.5}, "ottoeject_id"),
    ],
)
async def test_create_refuses_bad_settings(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, body: dict[str, Any], field: str
) -> None:
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "Robot")
    client = await hass_client()
    response = await client.post("/api/ottoracks", json=body)
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == field
    assert [s.subentry_type for s in entry.subentries.values()] == ["ottoeject"]
    # A refused rack uses up no id.
    assert (await _create(client))["id"] == 1


async def test_names_are_unique(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> None:
    await setup_hub(hass)
    client = await hass_client()
    await _create(client)
    await _create(client, {"name": "B"})
    response = await client.post("/api/ottoracks", json={"name": "a"})
    assert response.status == HTTPStatus.CONFLICT
    assert (await response.json())["field"] == "name"
    response = await client.put("/api/ottoracks/2", json={"name": "A"})
    assert response.status == HTTPStatus.CONFLICT


async def test_update_renames_and_resizes(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await _create(client)
    await hass.async_block_till_done()
    response = await client.put(
        "/api/ottoracks/1", json={"name": "Left", "shelf_spacing_mm": 100, "number_of_shelves": 4}
    )
    assert response.status == HTTPStatus.OK
    body = await response.json()
    assert body["message"] == "Ottorack updated successfully"
    assert (body["name"], body["shelf_spacing_mm"], body["number_of_shelves"]) == ("Left", 100, 4)
    assert body["bed_size"] == "256x256"
    assert body["shelves"][3]["id"] == 4
    await hass.async_block_till_done()
    (subentry,) = entry.subentries.values()
    assert subentry.title == "Left"
    assert subentry.data["shelf_spacing_mm"] == 100
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_rack_1"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Left"
    assert hass.states.get("sensor.left_shelf_4").state == "no_plate"

    # Shrinking is refused while a removed shelf holds a plate, then allowed.
    await client.put("/api/ottoracks/1/shelves/4", json={"has_plate": True, "plate_state": "empty"})
    response = await client.put("/api/ottoracks/1", json={"number_of_shelves": 2})
    assert response.status == HTTPStatus.CONFLICT
    assert (await response.json())["field"] == "number_of_shelves"
    await client.post("/api/ottoracks/1/shelves/4/reset")
    response = await client.put("/api/ottoracks/1", json={"number_of_shelves": 2})
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert hass.states.get("sensor.a_shelf_3") is None
    assert hass.states.get("sensor.left_shelf_4") is None
    assert hass.states.get("sensor.a_shelf_2") is not None
    assert (await client.put("/api/ottoracks/1", json={"bed_size": "x"})).status == 400
    assert (await client.put("/api/ottoracks/9", json={"name": "Z"})).status == 404


async def test_delete(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await _create(client)
    await hass.async_block_till_done()
    (subentry_id,) = entry.subentries
    assert [e for e in entity_registry.entities.values() if e.config_subentry_id == subentry_id]
    job_id = _add_job(entry, rack_id=1, auto_start=True)
    response = await client.delete("/api/ottoracks/1")
    assert response.status == HTTPStatus.CONFLICT
    assert str(job_id) in (await response.json())["message"]

    entry.runtime_data.async_transition_job(
        entry.runtime_data.state.jobs[job_id], JobStatus.CANCELLED, "test"
    )
    response = await client.delete("/api/ottoracks/1/")
    assert response.status == HTTPStatus.OK
    assert (await response.json())["message"] == "Ottorack deleted successfully"
    await hass.async_block_till_done()
    assert not entry.subentries
    assert entry.runtime_data.state.racks == {}
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{entry.entry_id}_rack_1"), entry.entry_id
        )
        is None
    )
    # The rack's shelf sensors are gone (the hub's own entities stay).
    assert not [e for e in entity_registry.entities.values() if e.config_subentry_id == subentry_id]
    assert hass.states.get("sensor.a_shelf_1") is None
    assert (await client.delete("/api/ottoracks/1")).status == HTTPStatus.NOT_FOUND
    # Ids are never reused.
    assert (await _create(client))["id"] == 2


async def test_shelf_states(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await _create(client)
    await hass.async_block_till_done()
    job_id = _add_job(entry)
    events = []
    hass.bus.async_listen("ottoengine_shelf_changed", events.append)

    response = await client.put(
        "/api/ottoracks/1/shelves/1",
        json={"has_plate": True, "plate_state": "with_print", "print_job_id": job_id},
    )
    assert response.status == HTTPStatus.OK
    assert await response.json() == {
        "id": 1,
        "shelf_number": 1,
        "has_plate": True,
        "plate_state": "with_print",
        "print_job_id": job_id,
        "state": "with_print",
        "ottorack_id": 1,
        "message": "Shelf updated successfully",
    }
    state = hass.states.get("sensor.a_shelf_1")
    assert state.state == "with_print"
    assert state.attributes["print_job_id"] == job_id
    assert state.attributes["filename"] == "cube.gcode"

    response = await client.put(
        "/api/ottoracks/1/shelves/2/",
        json={"has_plate": True, "plate_state": "empty", "print_job_id": None},
    )
    assert (await response.json())["plate_state"] == "empty"
    assert hass.states.get("sensor.a_shelf_2").state == "empty_plate"

    details = await (await client.get("/api/ottoracks/1")).json()
    assert details["shelves"][0]["print_job"] == {
        "id": job_id,
        "filename": "cube.gcode",
        "completed_at": None,
    }
    assert (details["occupied_shelves"], details["available_shelves"]) == (1, 2)
    assert details["empty_plate_shelves"] == 1

    response = await client.post("/api/ottoracks/1/shelves/1/reset")
    assert response.status == HTTPStatus.OK
    assert await response.json() == {
        "id": 1,
        "shelf_number": 1,
        "has_plate": False,
        "plate_state": None,
        "print_job_id": None,
        "state": "no_plate",
        "ottorack_id": 1,
        "message": "Shelf reset successfully",
    }
    assert hass.states.get("sensor.a_shelf_1").state == "no_plate"
    await hass.async_block_till_done()
    assert [(e.data["shelf_id"], e.data["old_state"], e.data["new_state"]) for e in events] == [
        (1, "no_plate", "with_print"),
        (2, "no_plate", "empty_plate"),
        (1, "with_print", "no_plate"),
    ]
    assert events[0].data["print_job_id"] == job_id
    assert events[0].data["source"] == "api"
    assert events[0].data["rack_id"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "has_plate"),
        ({"has_plate": "yes"}, "has_plate"),
        ({"has_plate": False, "plate_state": "empty"}, "plate_state"),
        ({"has_plate": False, "print_job_id": 1}, "print_job_id"),
        ({"has_plate": True}, "plate_state"),
        ({"has_plate": True, "plate_state": "full"}, "plate_state"),
        ({"has_plate": True, "plate_state": "empty", "print_job_id": 1}, "print_job_id"),
        ({"has_plate": True, "plate_state": "with_print"}, "print_job_id"),
        ({"has_plate": True, "plate_state": "with_print", "print_job_id": 99}, "print_job_id"),
        ({"has_plate": True, "plate_state": "with_print", "print_job_id": "1"}, "print_job_id"),
    ],
)
async def test_contradictory_shelf_states_are_refused(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, body: dict[str, Any], field: str
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await _create(client)
    _add_job(entry)
    response = await client.put("/api/ottoracks/1/shelves/1", json=body)
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == field
    assert entry.runtime_data.state.racks[1].shelves[0].state == "no_plate"


async def test_shelf_of_another_rack_is_not_found(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    await _create(client)
    await _create(client, {"name": "B"})
    # Shelf 4 exists, but belongs to rack 2.
    response = await client.put("/api/ottoracks/1/shelves/4", json={"has_plate": False})
    assert response.status == HTTPStatus.NOT_FOUND
    assert (await client.post("/api/ottoracks/1/shelves/4/reset")).status == 404
    assert (await client.post("/api/ottoracks/3/shelves/1/reset")).status == 404
    assert (await client.post("/api/ottoracks/2/shelves/4/reset")).status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/ottoracks"),
        ("put", "/api/ottoracks/1"),
        ("delete", "/api/ottoracks/1"),
        ("put", "/api/ottoracks/1/shelves/1"),
        ("post", "/api/ottoracks/1/shelves/1/reset"),
    ],
)
async def test_changes_need_an_administrator(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
    method: str,
    path: str,
) -> None:
    await setup_hub(hass)
    await _create(await hass_client())
    client = await hass_client(hass_read_only_access_token)
    response = await getattr(client, method)(path, json={"name": "Z", "has_plate": False})
    assert response.status == HTTPStatus.FORBIDDEN
    assert (await client.get("/api/ottoracks/1")).status == HTTPStatus.OK


async def test_the_ottoeject_of_a_rack(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "Left robot")
    right = await add_ottoeject(hass, entry, 2, "Right robot")
    client = await hass_client()
    created = await _create(client, {**RACK_A, "ottoeject_id": 2})
    assert created["ottoeject_id"] == 2
    await _create(client, {"name": "B"})
    assert [rack["ottoeject_id"] for rack in await (await client.get("/api/ottoracks")).json()] == [
        2,
        None,
    ]
    assert (await (await client.get("/api/ottoracks/1")).json())["ottoeject_id"] == 2
    subentry = next(s for s in entry.subentries.values() if s.title == "A")
    assert subentry.data["ottoeject_id"] == 2

    # A partial update keeps it; it can be changed or cleared.
    response = await client.put("/api/ottoracks/1", json={"shelf_spacing_mm": 90})
    assert (await response.json())["ottoeject_id"] == 2
    response = await client.put("/api/ottoracks/2", json={"ottoeject_id": 1})
    assert (await response.json())["ottoeject_id"] == 1
    response = await client.put("/api/ottoracks/2", json={"ottoeject_id": None})
    assert (await response.json())["ottoeject_id"] is None
    for bad in (3, "2", False, 0):
        response = await client.put("/api/ottoracks/2", json={"ottoeject_id": bad})
        assert response.status == HTTPStatus.BAD_REQUEST
        assert (await response.json())["field"] == "ottoeject_id"

    # A deleted OttoEject stays named (the rack then has none) until another one is set.
    hass.config_entries.async_remove_subentry(entry, right.subentry_id)
    await hass.async_block_till_done()
    assert (await (await client.get("/api/ottoracks/1")).json())["ottoeject_id"] == 2
    response = await client.put("/api/ottoracks/1", json={"name": "Left"})
    assert response.status == HTTPStatus.OK
    assert (await response.json())["ottoeject_id"] == 2
    response = await client.put("/api/ottoracks/1", json={"ottoeject_id": 2})
    assert (await response.json())["message"] == "ottoeject_id: OttoEject 2 does not exist"
    response = await client.put("/api/ottoracks/1", json={"ottoeject_id": 1})
    assert (await response.json())["ottoeject_id"] == 1


async def test_stored_racks_without_an_ottoeject_load(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[
            ConfigSubentryData(
                data={**RACK_A, "id": 1}, subentry_type="rack", title="A", unique_id="1"
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client()
    details = await (await client.get("/api/ottoracks/1")).json()
    assert details["ottoeject_id"] is None
    assert details["number_of_shelves"] == 3
    response = await client.put("/api/ottoracks/1", json={"name": "Renamed"})
    assert response.status == HTTPStatus.OK
    (subentry,) = entry.subentries.values()
    assert subentry.data["ottoeject_id"] is None
