"""The "Add OttoEject" subentry flow and its reconfiguration (discovery: test_discovery_browser)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigSubentryData,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE

from .robot import API_KEY, ROBOT_NAME, RobotThread, lease_address, robot_fixture, setup_hub

HOST = lease_address()
robot = robot_fixture(HOST)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

IDENTITY = f"host:{ROBOT_NAME}"
GOOD = {"device_name": "Robot", "ip_address": HOST, "port": 7125, "api_key": API_KEY}


def _subentry(unique_id: str | None = IDENTITY, **data: Any) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={"id": 1, **GOOD, **data},
        subentry_type="ottoeject",
        title=str(data.get("device_name", "Robot")),
        unique_id=unique_id,
    )


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, "ottoeject"), context={"source": SOURCE_USER}
    )


async def _submit(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_configure(flow_id, data)


async def _unload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_add_by_address_with_each_error(hass: HomeAssistant, robot: RobotThread) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass, [_subentry(device_name="Taken", ip_address="127.0.2.99")])
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "connect"
    flow_id = result["flow_id"]

    for data, errors in (
        ({**GOOD, "device_name": "  "}, {"device_name": "invalid_name"}),
        ({**GOOD, "ip_address": "http://x/"}, {"ip_address": "invalid_host"}),
        ({**GOOD, "api_key": "a b"}, {"api_key": "invalid_api_key"}),
        ({**GOOD, "device_name": "taken"}, {"device_name": "name_in_use"}),
        ({**GOOD, "ip_address": "127.0.2.99"}, {"ip_address": "address_in_use"}),
        ({**GOOD, "port": 7999}, {"base": "cannot_connect"}),
        ({**GOOD, "api_key": "f" * 32}, {"base": "invalid_auth"}),
        ({k: v for k, v in GOOD.items() if k != "api_key"}, {"base": "invalid_auth"}),
    ):
        result = await _submit(hass, flow_id, data)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors, data
    # The API key is never sent back in the form.
    assert "f" * 32 not in str(result["data_schema"].schema)

    # The robot is already in the farm (under another address): identity, not the address.
    result = await _submit(hass, flow_id, GOOD)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await _unload(hass, entry)


async def test_add_creates_the_subentry_and_device(hass: HomeAssistant, robot: RobotThread) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass)
    result = await _start(hass, entry)
    result = await _submit(hass, result["flow_id"], {**GOOD, "port": 7125.0})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Robot"
    assert result["data"] == {"id": 1, **GOOD}
    await hass.async_block_till_done()
    hass.config_entries.async_remove_subentry(entry, next(iter(entry.subentries)))
    await hass.async_block_till_done()
    # With its own acknowledgement timeout.
    result = await _start(hass, entry)
    result = await _submit(hass, result["flow_id"], {**GOOD, "macro_ack_timeout": 45})
    assert result["data"] == {"id": 2, **GOOD, "macro_ack_timeout": 45.0}
    assert result["unique_id"] == IDENTITY
    await hass.async_block_till_done()
    assert hass.states.get("sensor.robot_status") is not None
    # Ids are never reused: the next one gets 2.
    hass.config_entries.async_remove_subentry(entry, next(iter(entry.subentries)))
    await hass.async_block_till_done()
    result = await _start(hass, entry)
    result = await _submit(hass, result["flow_id"], GOOD)
    assert result["data"]["id"] == 3
    await hass.async_block_till_done()
    await _unload(hass, entry)


async def test_hub_not_loaded(hass: HomeAssistant, robot: RobotThread) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[_subentry(ip_address="127.0.2.96")],
    )
    entry.add_to_hass(hass)
    result = await _start(hass, entry)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "hub_not_loaded")
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "ottoeject"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": next(iter(entry.subentries))},
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "hub_not_loaded")

    # Unloaded while the form is open.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await _start(hass, entry)
    await _unload(hass, entry)
    result = await _submit(hass, result["flow_id"], GOOD)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "hub_not_loaded")


async def _reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, "ottoeject"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": next(iter(entry.subentries))},
    )


async def test_reconfigure(hass: HomeAssistant, robot: RobotThread) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass, [_subentry()])
    result = await _reconfigure(hass, entry)
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "reconfigure")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {"device_name": "Robot", "ip_address": HOST, "port": 7125}
    flow_id = result["flow_id"]
    result = await _submit(hass, flow_id, {**GOOD, "port": 7999})
    assert result["errors"] == {"base": "cannot_connect"}
    result = await _submit(hass, flow_id, {**GOOD, "api_key": "f" * 32})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _submit(hass, flow_id, {**GOOD, "device_name": ""})
    assert result["errors"] == {"device_name": "invalid_name"}
    # Renamed; an empty API key keeps the stored one.
    result = await _submit(
        hass, flow_id, {**GOOD, "device_name": "Renamed", "api_key": "", "macro_ack_timeout": 12}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    (subentry,) = entry.subentries.values()
    assert subentry.title == "Renamed"
    assert dict(subentry.data) == {
        **GOOD,
        "id": 1,
        "device_name": "Renamed",
        "macro_ack_timeout": 12.0,
    }
    await hass.async_block_till_done()
    result = await _reconfigure(hass, entry)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["macro_ack_timeout"] == 12.0
    await hass.async_block_till_done()
    await _unload(hass, entry)


@pytest.mark.parametrize(
    ("unique_id", "reason", "expected_unique_id"),
    [
        ("host:another-robot", "unique_id_mismatch", "host:another-robot"),
        (None, "reconfigure_successful", IDENTITY),  # registered offline: identity adopted
    ],
)
async def test_reconfigure_identity(
    hass: HomeAssistant,
    robot: RobotThread,
    unique_id: str | None,
    reason: str,
    expected_unique_id: str,
) -> None:
    await robot.ensure_ready()
    entry = await setup_hub(hass, [_subentry(unique_id, ip_address="127.0.2.97")])
    result = await _reconfigure(hass, entry)
    result = await _submit(hass, result["flow_id"], GOOD)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, reason)
    (subentry,) = entry.subentries.values()
    assert subentry.unique_id == expected_unique_id
    await hass.async_block_till_done()
    await _unload(hass, entry)
