"""`/api/ottoeject`: registration, live status and macros against real Moonraker."""

from __future__ import annotations

from http import HTTPStatus
import logging
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.print_items import PrintItem

from .robot import (
    API_KEY,
    LONG_MACRO,
    LONG_MACRO_S,
    TIME_SCALE,
    RobotThread,
    lease_address,
    robot_fixture,
    settle_s,
    setup_hub,
    wait_for,
)

HOST = lease_address()
robot = robot_fixture(HOST)

pytestmark = pytest.mark.usefixtures("loopback_enabled")


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "device_name": "OttoEject-Mk2",
        "ip_address": HOST,
        "port": 7125,
        "api_key": API_KEY,
        **overrides,
    }


async def _register(client: Any, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/ottoeject/", json=_body(**overrides))
    assert response.status == HTTPStatus.CREATED, await response.text()
    return await response.json()


async def _status(client: Any, ottoeject_id: int = 1) -> str:
    response = await client.get(f"/api/ottoeject/{ottoeject_id}/status")
    assert response.status == HTTPStatus.OK
    return str((await response.json())["status"])


async def _unload(hass: HomeAssistant, entry_id: str) -> None:
    assert await hass.config_entries.async_unload(entry_id)
    await hass.async_block_till_done()


async def test_register_list_get_update_delete(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    robot: RobotThread,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass)
    client = await hass_client()

    created = await _register(client)
    assert created == {
        "id": 1,
        "device_name": "OttoEject-Mk2",
        "status": "ONLINE",
        "message": "Ottoeject registered successfully",
    }
    await hass.async_block_till_done()

    # The same subentry as the UI flow, with the robot's identity as unique id; a device under
    # the hub with its entities.
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == "ottoeject"
    assert subentry.unique_id == robot.identity
    assert dict(subentry.data) == {
        "id": 1,
        "device_name": "OttoEject-Mk2",
        "ip_address": HOST,
        "port": 7125,
        "api_key": API_KEY,
    }
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_ottoeject_1"), entry.entry_id
    )
    assert device is not None
    assert device.via_device_id == entry.runtime_data.hub_device_id
    assert device.config_subentry_id == subentry.subentry_id
    # Status, current macro, last result, home, park, emergency stop; waiting ejections.
    assert len(er.async_entries_for_device(entity_registry, device.id)) == 7

    listed = await (await client.get("/api/ottoeject")).json()
    assert listed == [{"id": 1, "device_name": "OttoEject-Mk2", "status": "ONLINE"}]
    got = await client.get("/api/ottoeject/1/")
    assert got.status == HTTPStatus.OK
    body = await got.json()
    assert body == {
        "id": 1,
        "device_name": "OttoEject-Mk2",
        "status": "ONLINE",
        "ip_address": HOST,
        "port": 7125,
    }
    assert API_KEY not in await got.text()
    assert await _status(client) == "ONLINE"

    # Duplicates: name (case-insensitive), address, and the same robot under another address.
    for overrides, field in (
        ({"device_name": "ottoeject-mk2", "ip_address": "127.0.2.99"}, "device_name"),
        ({"device_name": "Other"}, "ip_address"),
    ):
        response = await client.post("/api/ottoeject", json=_body(**overrides))
        assert response.status == HTTPStatus.CONFLICT
        assert (await response.json())["field"] == field
    same_robot = await client.post(
        "/api/ottoeject", json=_body(device_name="Other", ip_address="127.0.0.1")
    )
    # Moonraker listens on HOST only: 127.0.0.1 is unreachable, so it is registered offline.
    assert same_robot.status == HTTPStatus.CREATED
    offline = await same_robot.json()
    assert offline["status"] == "OFFLINE"
    assert offline["id"] == 2

    # PUT: rename (device follows), unknown fields are ignored, the key stays hidden.
    renamed = await client.put("/api/ottoeject/1", json={"device_name": "OttoEject-Renamed"})
    assert renamed.status == HTTPStatus.OK
    assert await renamed.json() == {
        "id": 1,
        "device_name": "OttoEject-Renamed",
        "status": "ONLINE",
        "message": "Ottoeject updated successfully",
    }
    device = device_registry.async_get(device.id)
    assert device is not None
    assert device.name == "OttoEject-Renamed"
    # The offline one cannot take the address of the first.
    conflict = await client.put("/api/ottoeject/2", json={"ip_address": HOST, "port": 7125})
    assert conflict.status == HTTPStatus.CONFLICT
    assert (await conflict.json())["field"] == "ip_address"
    for timeout in (0, -1, 601, "5", True):
        bad = await client.put("/api/ottoeject/1", json={"macro_ack_timeout": timeout})
        assert bad.status == HTTPStatus.BAD_REQUEST
        assert (await bad.json())["field"] == "macro_ack_timeout"
    own_timeout = await client.put("/api/ottoeject/1", json={"macro_ack_timeout": 2})
    assert own_timeout.status == HTTPStatus.OK
    manager = entry.runtime_data.ottoejects
    assert manager is not None
    coordinator = manager.by_id(1)
    assert coordinator is not None
    assert coordinator.ack_timeout == 2.0
    wrong_key = await client.put("/api/ottoeject/1", json={"api_key": "f" * 32})
    assert wrong_key.status == HTTPStatus.BAD_REQUEST
    assert (await wrong_key.json())["field"] == "api_key"

    # DELETE: refused while an unfinished job uses it; then the device and entities go.
    state = entry.runtime_data.state
    item = state.add_print_item(
        PrintItem(state.ids.allocate("print_item"), "a.gcode", "1_a.gcode", 1, "ab", utcnow())
    )
    job = state.create_job(item, JobSettings(ottoeject_id=1), utcnow())
    busy = await client.delete("/api/ottoeject/1")
    assert busy.status == HTTPStatus.CONFLICT
    assert str(job.id) in (await busy.json())["message"]
    del state.jobs[job.id]
    deleted = await client.delete("/api/ottoeject/1")
    assert deleted.status == HTTPStatus.OK
    assert await deleted.json() == {"message": "Ottoeject deleted successfully"}
    await hass.async_block_till_done()
    assert device_registry.async_get(device.id) is None
    assert (await client.get("/api/ottoeject/1")).status == HTTPStatus.NOT_FOUND
    assert [o["id"] for o in await (await client.get("/api/ottoeject")).json()] == [2]
    # Now it can: it takes the robot's identity and is ONLINE.
    moved = await client.put("/api/ottoeject/2", json={"ip_address": HOST})
    assert moved.status == HTTPStatus.OK
    await wait_for(lambda: _status_is(client, "ONLINE", 2))
    assert entry.subentries[next(iter(entry.subentries))].unique_id == robot.identity
    # Ids are never reused.
    assert (await _register(client, device_name="Third", port=7999))["id"] == 3
    await _unload(hass, entry.entry_id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ip_address": HOST}, "device_name"),
        ({"device_name": "  "}, "device_name"),
        ({"device_name": "x" * 65}, "device_name"),
        ({"device_name": "A"}, "ip_address"),
        ({"device_name": "A", "ip_address": "http://1.2.3.4/"}, "ip_address"),
        ({"device_name": "A", "ip_address": HOST, "port": 0}, "port"),
        ({"device_name": "A", "ip_address": HOST, "port": "x"}, "port"),
        ({"device_name": "A", "ip_address": HOST, "port": True}, "port"),
        ({"device_name": "A", "ip_address": HOST, "api_key": 5}, "api_key"),
        ({"device_name": "A", "ip_address": HOST, "api_key": "a b"}, "api_key"),
        ({"device_name": "A", "ip_address": HOST, "api_key": "wrong"}, "api_key"),
    ],
)
async def test_register_bad_fields(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    robot: RobotThread,
    body: dict[str, Any],
    field: str,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    response = await client.post("/api/ottoeject", json=body)
    assert response.status == HTTPStatus.BAD_REQUEST
    answer = await response.json()
    assert answer["field"] == field
    assert answer["error"] == "Bad Request"
    assert not entry.subentries
    await _unload(hass, entry.entry_id)


async def test_auth_and_not_found(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_read_only_user: Any,
    hass_access_token: str,
    robot: RobotThread,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    for path in ("/api/ottoeject/7", "/api/ottoeject/x/status", "/api/ottoeject/0"):
        assert (await client.get(path)).status == HTTPStatus.NOT_FOUND
    assert (await client.post("/api/ottoeject/9/macros", json={"macro": "X"})).status == 404
    assert (await client.put("/api/ottoeject/9", json={})).status == HTTPStatus.NOT_FOUND
    assert (await client.delete("/api/ottoeject/9")).status == HTTPStatus.NOT_FOUND
    await _unload(hass, entry.entry_id)
    # Hub not loaded: 503.
    assert (await client.get("/api/ottoeject")).status == HTTPStatus.SERVICE_UNAVAILABLE


async def test_macros(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    robot: RobotThread,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass)
    client = await hass_client()
    await _register(client)
    caplog.set_level(logging.DEBUG)

    # Acknowledged: 202 with Moonraker's answer.
    response = await client.post("/api/ottoeject/1/macros", json={"macro": "OTTOEJECT_HOME"})
    assert response.status == HTTPStatus.ACCEPTED
    assert await response.json() == {
        "message": "Macro 'OTTOEJECT_HOME' command sent to Ottoeject 1.",
        "moonraker_response": {"result": "ok"},
    }
    with_params = await client.post(
        "/api/ottoeject/1/macros",
        json={"macro": "EJECT_FROM_BAMBULAB_P_ONE_S", "params": {"printer": "nobody"}},
    )
    # The robot's macro failed (Klipper error): 502 with Moonraker's message.
    assert with_params.status == HTTPStatus.BAD_GATEWAY
    failed = await with_params.json()
    assert failed["error"] == "Macro Execution Proxy Error"
    assert "PRINTER=nobody is not a BAMBULAB_P_ONE_S printer" in failed["message"]
    assert failed["moonraker_details"]["code"] == 400

    # Refused before anything is sent: 400 naming the field.
    for body, field in (
        ({}, "macro"),
        ({"macro": ""}, "macro"),
        ({"macro": 5}, "macro"),
        ({"macro": "G28\nM112"}, "macro"),
        ({"macro": "G28"}, "macro"),  # not one of the robot's macros
        ({"macro": "NOT_A_MACRO"}, "macro"),
        ({"macro": "OTTOEJECT_HOME", "params": [1]}, "params"),
        ({"macro": "OTTOEJECT_HOME", "params": {"X": "1 M112"}}, "params"),
    ):
        response = await client.post("/api/ottoeject/1/macros", json=body)
        assert response.status == HTTPStatus.BAD_REQUEST, body
        assert (await response.json())["field"] == field
    bad_json = await client.post("/api/ottoeject/1/macros", data=b"[")
    assert bad_json.status == HTTPStatus.BAD_REQUEST

    # Longer than the acknowledgement timeout: 502 with the seed's body; the macro runs on,
    # the status is EJECTING until it ends, then ONLINE.
    response = await client.post("/api/ottoeject/1/macros", json={"macro": LONG_MACRO})
    assert response.status == HTTPStatus.BAD_GATEWAY
    body = await response.json()
    assert set(body) == {"error", "message", "moonraker_details"}
    assert body["error"] == "Macro Execution Proxy Error"
    assert body["moonraker_details"] is None
    assert body["message"].startswith(
        f"Command '{LONG_MACRO}' sent to Ottoeject, but acknowledgement from device timed out. "
        "External polling for completion is required. Detail: "
    )
    assert await _status(client) == "EJECTING"
    assert robot.robot is not None
    assert robot.robot.klippy.current_command == LONG_MACRO
    # follows the long macro's duration, then the stream settling
    await wait_for(
        lambda: _status_is(client, "ONLINE"), timeout=LONG_MACRO_S * TIME_SCALE + settle_s()
    )
    assert API_KEY not in caplog.text

    # A macro that vanished from the robot (printer.cfg changed) answers "Unknown command".
    await robot.acall(_remove_printer(robot))
    await robot.restart_klippy()
    await wait_for(lambda: _status_is(client, "ONLINE"))
    response = await client.post(
        "/api/ottoeject/1/macros", json={"macro": "EJECT_FROM_BAMBULAB_P_ONE_S"}
    )
    assert response.status == HTTPStatus.BAD_GATEWAY
    assert 'Unknown command:"EJECT_FROM_BAMBULAB_P_ONE_S"' in (await response.json())["message"]
    await robot.acall(_add_printer(robot))
    await robot.restart_klippy()

    # Moonraker down: the status is OFFLINE and macros answer 503.
    await wait_for(lambda: _status_is(client, "ONLINE"))
    await robot.fault("moonraker_down")
    await wait_for(lambda: _status_is(client, "OFFLINE"))
    response = await client.post("/api/ottoeject/1/macros", json={"macro": "OTTOEJECT_HOME"})
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    await robot.fault("moonraker_up")
    await wait_for(lambda: _status_is(client, "ONLINE"))

    # Klippy shut down: ISSUE, and a macro is refused by Klipper (502).
    await robot.fault("shutdown")
    await wait_for(lambda: _status_is(client, "ISSUE"))
    response = await client.post("/api/ottoeject/1/macros", json={"macro": "OTTOEJECT_HOME"})
    assert response.status == HTTPStatus.BAD_GATEWAY
    await robot.restart_klippy()
    await wait_for(lambda: _status_is(client, "ONLINE"))
    await _unload(hass, entry.entry_id)


async def _status_is(client: Any, expected: str, ottoeject_id: int = 1) -> bool:
    return await _status(client, ottoeject_id) == expected


async def _remove_printer(robot: RobotThread) -> None:
    assert robot.robot is not None
    robot.robot.world.printers.pop("p1s-1")


async def _add_printer(robot: RobotThread) -> None:
    assert robot.robot is not None
    robot.robot.world.add_printer("p1s-1", "P1S")


async def test_registered_while_offline_adopts_its_identity(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, robot: RobotThread
) -> None:
    await robot.ensure_ready()
    await robot.fault("moonraker_down")
    entry = await setup_hub(hass)
    client = await hass_client()
    created = await _register(client)
    assert created["status"] == "OFFLINE"
    (subentry,) = entry.subentries.values()
    assert subentry.unique_id is None
    await robot.fault("moonraker_up")
    await wait_for(lambda: _status_is(client, "ONLINE"))
    # The identity is read from the robot after it is back (its own request, after the status
    # that says ONLINE): followed until it lands, as the status is.
    await wait_for(lambda: entry.subentries[subentry.subentry_id].unique_id == robot.identity)
    await _unload(hass, entry.entry_id)


async def test_the_same_robot_under_two_addresses(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    robot: RobotThread,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One robot, registered at an address where it no longer answers, is not added twice."""
    await robot.ensure_ready()
    entry = await setup_hub(
        hass,
        [
            ConfigSubentryData(
                data={"id": 1, **_body(device_name="Old", port=7999)},
                subentry_type="ottoeject",
                title="Old",
                unique_id=robot.identity,
            )
        ],
    )
    client = await hass_client()
    response = await client.post("/api/ottoeject", json=_body())
    assert response.status == HTTPStatus.CONFLICT
    assert (await response.json())["message"] == (
        "This OttoEject is already registered as Ottoeject 1"
    )

    def add(ottoeject_id: int, name: str, unique_id: str | None, **data: Any) -> None:
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=MappingProxyType({"id": ottoeject_id, **_body(device_name=name, **data)}),
                subentry_type="ottoeject",
                title=name,
                unique_id=unique_id,
            ),
        )

    # Another robot's entry cannot be pointed at this robot.
    add(2, "Other", "host:someone-else", port=7998)
    response = await client.put("/api/ottoeject/2", json={"port": 7125})
    assert response.status == HTTPStatus.CONFLICT
    assert (await response.json())["message"] == (
        f"ip_address: another OttoEject answers at {HOST}:7125"
    )
    # Nor can one registered while offline (no identity yet).
    add(3, "Offline", None, ip_address="127.0.0.1")
    response = await client.put("/api/ottoeject/3", json={"ip_address": HOST})
    assert response.status == HTTPStatus.CONFLICT
    assert "already registered" in (await response.json())["message"]
    # Added behind the API's back without identity: kept, with a warning, never adopted.
    add(4, "New", None)
    await hass.async_block_till_done()
    await wait_for(lambda: "OttoEject New is the same robot as Old" in caplog.text)
    assert [s.unique_id for s in entry.subentries.values()] == [
        robot.identity,
        "host:someone-else",
        None,
        None,
    ]
    await _unload(hass, entry.entry_id)


async def test_stored_api_key_refused(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    robot: RobotThread,
    device_registry: dr.DeviceRegistry,
) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(
        hass,
        [
            ConfigSubentryData(
                data={"id": 1, **_body(api_key="f" * 32)},
                subentry_type="ottoeject",
                title="OttoEject-Mk2",
                unique_id=robot.identity,
            )
        ],
    )
    client = await hass_client()
    assert await _status(client) == "OFFLINE"
    response = await client.post("/api/ottoeject/1/macros", json={"macro": "OTTOEJECT_HOME"})
    assert response.status == HTTPStatus.BAD_GATEWAY
    assert await response.json() == {
        "error": "Macro Execution Proxy Error",
        "message": "Ottoeject 1 refused the stored API key; update it with PUT",
        "moonraker_details": None,
    }
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_ottoeject_1"), entry.entry_id
    )
    assert device is not None
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            DOMAIN, "run_macro", {"device_id": device.id, "macro": "OTTOEJECT_HOME"}, blocking=True
        )
    assert caught.value.translation_key == "ottoeject_auth_failed"
    # PUT with the right key: it reconnects and is ONLINE.
    response = await client.put("/api/ottoeject/1", json={"api_key": API_KEY})
    assert response.status == HTTPStatus.OK
    await wait_for(lambda: _status_is(client, "ONLINE"))
    await _unload(hass, entry.entry_id)


async def test_diagnostics_hide_the_api_key(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, robot: RobotThread
) -> None:
    await robot.ensure_ready()
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await setup_hub(hass)
    client = await hass_client()
    await _register(client)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert API_KEY not in str(diagnostics)
    assert HOST not in str(diagnostics)
    (subentry,) = diagnostics["subentries"]
    assert subentry["data"]["api_key"] == "**REDACTED**"
    await _unload(hass, entry.entry_id)
