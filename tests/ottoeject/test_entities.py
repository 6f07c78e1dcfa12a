"""OttoEject devices, entities, buttons and the run_macro action against real Moonraker."""

from __future__ import annotations

import logging
from types import MappingProxyType

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry, ConfigSubentryData
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.ottoeject.coordinator import OttoEjectCoordinator

from .robot import (
    API_KEY,
    LONG_MACRO,
    ROBOT_NAME,
    RobotThread,
    lease_address,
    robot_fixture,
    setup_hub,
    wait_for,
)

HOST = lease_address()
robot = robot_fixture(HOST)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

STATUS = "sensor.robot_status"
CURRENT = "sensor.robot_current_macro"
LAST = "sensor.robot_last_macro_result"


def _subentry(name: str = "Robot", port: int = 7125, ottoeject_id: int = 1) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={
            "id": ottoeject_id,
            "device_name": name,
            "ip_address": HOST,
            "port": port,
            "api_key": API_KEY,
        },
        subentry_type="ottoeject",
        title=name,
        unique_id=f"host:{ROBOT_NAME}",
    )


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _coordinator(entry: MockConfigEntry) -> OttoEjectCoordinator:
    manager = entry.runtime_data.ottoejects
    assert manager is not None
    coordinator = manager.by_id(1)
    assert coordinator is not None
    return coordinator


async def _online(hass: HomeAssistant, robot: RobotThread) -> MockConfigEntry:
    await robot.ensure_ready()
    entry = await setup_hub(hass, [_subentry()])
    await wait_for(lambda: _state(hass, STATUS) == "online")
    return entry


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call("button", "press", {"entity_id": entity_id}, blocking=True)


async def _websockets(coordinator: OttoEjectCoordinator) -> int:
    return int((await coordinator.client.server_info())["websocket_count"])


async def test_entities_follow_the_robot(
    hass: HomeAssistant,
    robot: RobotThread,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.ottoengine")
    entry = await _online(hass, robot)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_ottoeject_1"), entry.entry_id
    )
    assert device is not None
    assert (device.name, device.model, device.manufacturer) == ("Robot", "OttoEject", "OTTOMAT3D")
    assert device.via_device_id == entry.runtime_data.hub_device_id
    entities = {e.entity_id for e in er.async_entries_for_device(entity_registry, device.id)}
    assert entities == {
        STATUS,
        CURRENT,
        LAST,
        "button.robot_home",
        "button.robot_park",
        "button.robot_emergency_stop",
        "sensor.robot_waiting_ejections",  # the orchestrator's queue for this robot
    }
    status = hass.states.get(STATUS)
    assert status is not None
    assert status.attributes["options"] == ["online", "ejecting", "offline", "issue"]
    assert status.attributes["klippy_state"] == "ready"
    assert _state(hass, CURRENT) == STATE_UNKNOWN
    assert _state(hass, LAST) == STATE_UNKNOWN

    # Home: acknowledged, the last result is ok.
    await _press(hass, "button.robot_home")
    assert _state(hass, LAST) == "ok"
    last = hass.states.get(LAST)
    assert last is not None
    assert last.attributes["macro"] == "OTTOEJECT_HOME"
    await wait_for(lambda: _state(hass, STATUS) == "online")

    # Park takes longer than the acknowledgement timeout: no error, it keeps running.
    await _press(hass, "button.robot_park")
    assert _state(hass, LAST) == "ack_timeout"
    assert _state(hass, CURRENT) == LONG_MACRO
    assert _state(hass, STATUS) == "ejecting"
    await wait_for(lambda: _state(hass, STATUS) == "online")
    assert _state(hass, CURRENT) == STATE_UNKNOWN

    # Emergency stop: Klipper shuts down (ISSUE, one warning); a macro is then refused.
    await _press(hass, "button.robot_emergency_stop")
    await wait_for(lambda: _state(hass, STATUS) == "issue")
    status = hass.states.get(STATUS)
    assert status is not None
    assert status.attributes["klippy_state"] == "shutdown"
    with pytest.raises(HomeAssistantError) as caught:
        await _press(hass, "button.robot_home")
    assert caught.value.translation_key == "macro_failed"
    assert _state(hass, LAST) == "failed"
    await robot.restart_klippy()
    await wait_for(lambda: _state(hass, STATUS) == "online")

    # Moonraker down: every entity of the robot unavailable, logged once; back: available,
    # logged once. (The orchestrator's queue for it is the farm's record: it stays available.)
    entities = entities - {"sensor.robot_waiting_ejections"}
    coordinator = _coordinator(entry)
    assert await _websockets(coordinator) == 1
    caplog.clear()
    for _ in range(2):
        await robot.fault("moonraker_down")
        await wait_for(lambda: _state(hass, STATUS) == STATE_UNAVAILABLE)
        assert all(_state(hass, entity_id) == STATE_UNAVAILABLE for entity_id in entities)
        await robot.fault("moonraker_up")
        await wait_for(lambda: _state(hass, STATUS) == "online")
        await wait_for(
            lambda: coordinator.stream is not None and coordinator.stream.websocket_connected
        )
        assert await _websockets(coordinator) == 1  # the old socket was closed
    assert caplog.text.count("OttoEject Robot is offline") == 2
    assert caplog.text.count("OttoEject Robot is back") == 2
    assert API_KEY not in caplog.text

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: _websockets_are(coordinator, 0))


async def test_run_macro_action(
    hass: HomeAssistant, robot: RobotThread, device_registry: dr.DeviceRegistry
) -> None:
    entry = await _online(hass, robot)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_ottoeject_1"), entry.entry_id
    )
    assert device is not None

    async def run(**data: object) -> object:
        return await hass.services.async_call(
            DOMAIN,
            "run_macro",
            {"device_id": device.id, **data},
            blocking=True,
            return_response=True,
        )

    assert await run(macro="OTTOEJECT_HOME") == {"moonraker_response": {"result": "ok"}}
    assert (
        await hass.services.async_call(
            DOMAIN, "run_macro", {"device_id": device.id, "macro": "ottoeject_home"}, blocking=True
        )
        is None
    )
    for macro, params, key in (
        ("NOT_A_MACRO", None, "unknown_macro"),
        ("G28; M112", None, "invalid_macro"),
        ("OTTOEJECT_HOME", {"X": "1 M112"}, "invalid_macro"),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await run(macro=macro, **({"params": params} if params else {}))
        assert caught.value.translation_key == key
    with pytest.raises(HomeAssistantError) as caught:
        await run(macro=LONG_MACRO)
    assert caught.value.translation_key == "macro_ack_timeout"
    assert caught.value.translation_placeholders["timeout"] == "0.5"
    await wait_for(lambda: _state(hass, STATUS) == "online")

    # Targets must be OttoEjects.
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "run_macro",
            {"device_id": entry.runtime_data.hub_device_id, "macro": "OTTOEJECT_HOME"},
            blocking=True,
        )
    assert caught.value.translation_key == "not_an_ottoeject"

    # Unreachable robot.
    await robot.fault("moonraker_down")
    with pytest.raises(HomeAssistantError) as caught:
        await run(macro="OTTOEJECT_HOME")
    assert caught.value.translation_key == "ottoeject_unreachable"
    await robot.fault("moonraker_up")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_subentries_change_without_reloading_the_hub(
    hass: HomeAssistant,
    robot: RobotThread,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass)
    runtime = entry.runtime_data
    assert hass.states.get(STATUS) is None

    # Added: device and entities appear, the hub is not reloaded.
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(dict(_subentry()["data"])),
            subentry_type="ottoeject",
            title="Robot",
            unique_id=f"host:{ROBOT_NAME}",
        ),
    )
    await hass.async_block_till_done()
    await wait_for(lambda: _state(hass, STATUS) == "online")
    assert entry.runtime_data is runtime
    (subentry,) = entry.subentries.values()
    coordinator = _coordinator(entry)

    # Renamed: the device follows, the coordinator stays.
    hass.config_entries.async_update_subentry(
        entry, subentry, title="Robot 2", data={**subentry.data, "device_name": "Robot 2"}
    )
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_ottoeject_1"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Robot 2"
    assert _coordinator(entry) is coordinator

    # A wrong port: reconnects, goes offline (entities unavailable); back: online again.
    subentry = entry.subentries[subentry.subentry_id]
    hass.config_entries.async_update_subentry(entry, subentry, data={**subentry.data, "port": 7999})
    await hass.async_block_till_done()
    await wait_for(lambda: _state(hass, STATUS) == STATE_UNAVAILABLE)
    hass.config_entries.async_update_subentry(entry, subentry, data={**subentry.data, "port": 7125})
    await hass.async_block_till_done()
    await wait_for(lambda: _state(hass, STATUS) == "online")
    assert _coordinator(entry) is coordinator
    assert await _websockets(coordinator) == 1

    # Removed: device, entities and the websocket are gone; the hub stays loaded.
    hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get(device.id) is None
    assert not er.async_entries_for_device(entity_registry, device.id)
    assert hass.states.get(STATUS) is None
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is runtime
    await wait_for(lambda: _websockets_are(coordinator, 0))
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _websockets_are(coordinator: OttoEjectCoordinator, count: int) -> bool:
    return await _websockets(coordinator) == count


async def test_home_assistant_stopping_closes_the_websocket(
    hass: HomeAssistant, robot: RobotThread
) -> None:
    entry = await _online(hass, robot)
    coordinator = _coordinator(entry)
    await hass.async_stop()
    assert coordinator.stream is None
    assert entry.state is ConfigEntryState.LOADED
