"""The "Add printer" subentry flow (discovered and manual), reconfiguration and repair flows."""

from __future__ import annotations

from http import HTTPStatus
import socket
from types import MappingProxyType
from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_IP_ADDRESS
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.repairs import async_create_fix_flow

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import (
    add_ottoeject,
    coordinator_of,
    fault,
    manager_of,
    register,
    wait_for,
    wait_online,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

UNREACHABLE = "127.0.1.254"


def _input(printer: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "name": printer["name"],
        "model": printer["model"],
        "ip_address": printer["ip"],
        "serial_number": printer["serial_number"],
        "access_code": printer["access_code"],
        **changes,
    }


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """ "Add printer"; with nothing discovered, "Bambu Lab printer" is chosen from its menu."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "printer"), context={"source": "user"}
    )
    if result["type"] is FlowResultType.MENU:
        assert result["menu_options"] == ["manual", "klipper"]
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "manual"}
        )
    return dict(result)


async def _configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return dict(await hass.config_entries.subentries.async_configure(flow_id, data))


def _suggested(result: dict[str, Any], section: str | None = None) -> dict[str, Any]:
    """The suggested values of the form (or of one of its sections)."""
    schema = result["data_schema"].schema
    if section is not None:
        schema = schema[section].schema.schema
    return {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description and "suggested_value" in key.description
    }


def _fields(result: dict[str, Any]) -> list[str]:
    return [str(key) for key in result["data_schema"].schema]


P1S_ROBOT = {
    "eject_macro": "EJECT_FROM_BAMBULAB_P_ONE_S",
    "load_macro": "LOAD_ONTO_BAMBULAB_P_ONE_S",
    "close_door_macro": "CLOSE_DOOR_BAMBULAB_P_ONE_S",
    "eject_axis": "Z",
    "eject_position_mm": 200.0,
}
NO_TOPOLOGY = {
    "ottoeject_id": None,
    "clearing_method": "ottoeject",
    "eject_macro": None,
    "load_macro": None,
    "close_door_macro": None,
    "macro_params": None,
    "eject_position": None,
    "nozzle_diameter_mm": None,
}


def _announce(address: tuple[str, int], printer: dict[str, Any], name: str | None = None) -> None:
    message = (
        "NOTIFY * HTTP/1.1\r\n"
        "HOST: 239.255.255.250:1990\r\n"
        "Server: UPnP/1.0\r\n"
        f"Location: {printer['ip']}\r\n"
        "NT: urn:bambulab-com:device:3dprinter:1\r\n"
        "NTS: ssdp:alive\r\n"
        f"USN: {printer['serial_number']}\r\n"
        "Cache-Control: max-age=1800\r\n"
        "DevModel.bambu.com: C11\r\n"
        f"DevName.bambu.com: {name or printer['name']}\r\n"
        "DevConnect.bambu.com: lan\r\n"
        "DevBind.bambu.com: free\r\n\r\n"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(message.encode(), address)


async def test_manual_flow_tests_the_connection(
    hass: HomeAssistant, sim_farm: FarmHandle, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_hub(hass)
    printer = sim_farm.printer("P1S")
    other = sim_farm.printer("P1P")

    result = await _start(hass, entry)
    # Nothing discovered: straight to the printer's details.
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "manual"
    # At most one OttoEject in the farm: no OttoEject to choose.
    assert _fields(result) == [
        "name",
        "model",
        "ip_address",
        "serial_number",
        "access_code",
        "clearing_method",
        "nozzle_diameter_mm",
        "robot",
    ]
    assert _suggested(result, "robot") == {}
    flow_id = result["flow_id"]

    for changes, errors in (
        ({"name": "  "}, {"name": "invalid_name"}),
        ({"ip_address": "not-an-ip!"}, {"ip_address": "invalid_ip_address"}),
        ({"serial_number": "x"}, {"serial_number": "invalid_serial"}),
        ({"access_code": "a b"}, {"access_code": "invalid_access_code"}),
        ({"ip_address": UNREACHABLE}, {"base": "cannot_connect"}),
        ({"access_code": "00000000"}, {"base": "invalid_auth"}),
        ({"serial_number": other["serial_number"]}, {"base": "wrong_serial"}),
    ):
        result = await _configure(hass, flow_id, _input(printer, **changes))
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors, changes
        # The form keeps what was entered.
        assert _suggested(result)["name"] == changes.get("name", printer["name"])

    result = await _configure(hass, flow_id, _input(printer, name=" Left P1S "))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Left P1S"
    assert result["unique_id"] == printer["serial_number"]
    data = result["data"]
    assert data["id"] == 1
    assert data["model"] == "P1S"
    assert data["brand"] == "Bambu Lab"
    assert data["type"] == "FDM"
    assert len(data["fingerprint"]) == 64
    assert {key: data[key] for key in NO_TOPOLOGY} == NO_TOPOLOGY
    await wait_online(entry, 1)
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_1"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Left P1S"

    # The same printer again.
    result = await _start(hass, entry)
    result = await _configure(hass, result["flow_id"], _input(printer))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_discovered_printers_are_offered(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sim_farm: FarmHandle
) -> None:
    entry = await setup_hub(hass)
    manager = manager_of(entry)
    printer = sim_farm.printer("P1P")
    configured = sim_farm.printer("A1")
    client = await hass_client()
    await register(client, configured)

    # The first "Add printer" starts listening for announcements.
    result = await _start(hass, entry)
    assert result["step_id"] == "manual"
    hass.config_entries.subentries.async_abort(result["flow_id"])
    (address,) = manager.discovery.addresses
    _announce(address, printer, name="Workshop P1P")
    _announce(address, configured)
    # Not a printer's announcement: ignored.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"M-SEARCH * HTTP/1.1\r\n\r\n", address)
    await wait_for(lambda: manager.discovery.get(printer["serial_number"]), what="announcement")
    await wait_for(lambda: manager.discovery.get(configured["serial_number"]), what="announcement")

    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    selector = result["data_schema"].schema["printer"]
    options = selector.config["options"]
    # Configured printers are not offered; "enter manually" (Bambu, Klipper) always is.
    assert [option["value"] for option in options] == [
        printer["serial_number"],
        "manual",
        "klipper",
    ]
    assert options[0]["label"] == f"Workshop P1P (P1P, {printer['ip']})"

    result = await _configure(hass, result["flow_id"], {"printer": printer["serial_number"]})
    assert result["step_id"] == "manual"
    assert _suggested(result) == {
        "name": "Workshop P1P",
        "model": "P1P",
        "ip_address": printer["ip"],
        "serial_number": printer["serial_number"],
    }
    # The robot's section suggests the discovered model's defaults (a P1P has no door).
    robot = _suggested(result, "robot")
    assert robot == {
        "eject_macro": "EJECT_FROM_BAMBULAB_P_ONE_P",
        "load_macro": "LOAD_ONTO_BAMBULAB_P_ONE_P",
        "eject_axis": "Z",
        "eject_position_mm": 200.0,
    }
    # Submitted as suggested, but as a P1S: the P1P's defaults are no overrides either.
    result = await _configure(
        hass,
        result["flow_id"],
        {
            **_suggested(result),
            "access_code": printer["access_code"],
            "clearing_method": "ottoeject",
            "robot": robot,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Workshop P1P"
    assert result["data"]["id"] == 2
    assert {key: result["data"][key] for key in NO_TOPOLOGY} == NO_TOPOLOGY

    # Choosing "enter manually" leaves the form empty; configured printers are offered no more.
    _announce(address, sim_farm.printer("X1C"))
    await wait_for(lambda: manager.discovery.get(sim_farm.printer("X1C")["serial_number"]))
    result = await _start(hass, entry)
    assert [o["value"] for o in result["data_schema"].schema["printer"].config["options"]] == [
        sim_farm.printer("X1C")["serial_number"],
        "manual",
        "klipper",
    ]
    result = await _configure(hass, result["flow_id"], {"printer": "manual"})
    assert result["step_id"] == "manual"
    assert _suggested(result) == {}


async def test_flows_abort_while_the_hub_is_not_loaded(
    hass: HomeAssistant, sim_farm: FarmHandle
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[
            ConfigSubentryData(
                data={
                    "id": 1,
                    "name": "P",
                    "model": "P1S",
                    "ip_address": UNREACHABLE,
                    "serial_number": "01P00A999999999",
                    "access_code": "12345678",
                },
                subentry_type="printer",
                title="P",
                unique_id="01P00A999999999",
            )
        ],
    )
    entry.add_to_hass(hass)
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"
    (subentry_id,) = entry.subentries
    result = dict(
        await hass.config_entries.subentries.async_init(
            (entry.entry_id, "printer"),
            context={"source": "reconfigure", "subentry_id": subentry_id},
        )
    )
    assert result["reason"] == "hub_not_loaded"

    # The hub unloads while the form is open.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await _start(hass, entry)
    assert result["step_id"] == "manual"
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await _configure(hass, result["flow_id"], _input(sim_farm.printer("P1S")))
    assert result["reason"] == "hub_not_loaded"


async def test_reconfigure(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub(hass)
    printer = sim_farm.printer("X1C")
    client = await hass_client()
    # Registered with the wrong address: never connected, nothing pinned yet.
    await register(client, printer, ip_address=UNREACHABLE)
    coordinator = coordinator_of(entry, 1)
    subentry_id = coordinator.subentry_id

    async def reconfigure() -> dict[str, Any]:
        return dict(
            await hass.config_entries.subentries.async_init(
                (entry.entry_id, "printer"),
                context={"source": "reconfigure", "subentry_id": subentry_id},
            )
        )

    result = await reconfigure()
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"serial_number": printer["serial_number"]}
    assert _suggested(result) == {
        "name": printer["name"],
        "model": "X1C",
        CONF_IP_ADDRESS: UNREACHABLE,
        "clearing_method": "ottoeject",
    }
    assert _suggested(result, "robot") == {
        "eject_macro": "EJECT_FROM_BAMBULAB_X_ONE_C",
        "load_macro": "LOAD_ONTO_BAMBULAB_X_ONE_C",
        "close_door_macro": "CLOSE_DOOR_BAMBULAB_X_ONE_C",
        "eject_axis": "Z",
        "eject_position_mm": 200.0,
    }
    flow_id = result["flow_id"]
    base = {"name": "Corner X1C", "model": "X1C", "access_code": printer["access_code"]}
    for changes, errors in (
        ({"ip_address": "bad address!"}, {"ip_address": "invalid_ip_address"}),
        ({"ip_address": UNREACHABLE}, {"base": "cannot_connect"}),
        ({"ip_address": printer["ip"], "access_code": "99999999"}, {"base": "invalid_auth"}),
    ):
        result = await _configure(hass, flow_id, {**base, **changes})
        assert result["errors"] == errors
    result = await _configure(hass, flow_id, {**base, "ip_address": printer["ip"]})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "Corner X1C"
    assert subentry.data["ip_address"] == printer["ip"]
    assert {key: subentry.data[key] for key in NO_TOPOLOGY} == NO_TOPOLOGY
    fingerprint = subentry.data["fingerprint"]
    assert len(fingerprint) == 64
    # The hub is not reloaded: the same coordinator reconnects to the new address.
    await wait_online(entry, 1)
    assert coordinator_of(entry, 1) is coordinator
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_1"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Corner X1C"

    # Another certificate than the trusted one is refused.
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[subentry_id],
        data=MappingProxyType({**subentry.data, "fingerprint": "ab" * 32}),
    )
    result = await reconfigure()
    result = await _configure(hass, result["flow_id"], {**base, "ip_address": printer["ip"]})
    assert result["errors"] == {"base": "certificate_changed"}


async def _fix_flow(hass: HomeAssistant, issue_id: str) -> dict[str, Any]:
    manager = hass.data["repairs"]["flow_manager"]
    return dict(await manager.async_init(DOMAIN, context={"issue_id": issue_id}))


async def _fix(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return dict(await hass.data["repairs"]["flow_manager"].async_configure(flow_id, data))


async def test_access_code_repair(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry = await setup_hub(hass)
    printer = sim_farm.printer("P1P")
    client = await hass_client()
    await register(client, printer, access_code="11111111")
    subentry_id = coordinator_of(entry, 1).subentry_id
    issue_id = f"access_code_{subentry_id}"
    issue = await wait_for(
        lambda: issue_registry.async_get_issue(DOMAIN, issue_id), what="access code issue"
    )
    assert issue.is_fixable
    assert issue.translation_placeholders == {"name": printer["name"]}

    result = await _fix_flow(hass, issue_id)
    assert result["step_id"] == "access_code"
    assert result["description_placeholders"] == {"name": printer["name"]}
    flow_id = result["flow_id"]
    result = await _fix(hass, flow_id, {"access_code": "1 2"})
    assert result["errors"] == {"access_code": "invalid_access_code"}
    result = await _fix(hass, flow_id, {"access_code": "22222222"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _fix(hass, flow_id, {"access_code": printer["access_code"]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert entry.subentries[subentry_id].data["access_code"] == printer["access_code"]
    await wait_online(entry, 1)

    # The printer is removed while a fix flow is open.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="access_code",
        translation_placeholders={"name": printer["name"]},
        data={"entry_id": entry.entry_id, "subentry_id": subentry_id, "kind": "access_code"},
    )
    result = await _fix_flow(hass, issue_id)
    assert (await client.delete("/api/printers/1")).status == HTTPStatus.OK
    result = await _fix(hass, result["flow_id"], {"access_code": printer["access_code"]})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "printer_removed"


async def test_certificate_repair(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry = await setup_hub(hass)
    printer = sim_farm.printer("A1")
    client = await hass_client()
    await register(client, printer)
    await wait_online(entry, 1)
    subentry_id = coordinator_of(entry, 1).subentry_id
    subentry = entry.subentries[subentry_id]
    trusted = subentry.data["fingerprint"]

    # The pinned certificate is not the one the printer presents (as after a mainboard swap).
    hass.config_entries.async_update_subentry(
        entry, subentry, data=MappingProxyType({**subentry.data, "fingerprint": "cd" * 32})
    )
    issue_id = f"certificate_{subentry_id}"
    await wait_for(lambda: issue_registry.async_get_issue(DOMAIN, issue_id), what="issue")
    assert not coordinator_of(entry, 1).online

    result = await _fix_flow(hass, issue_id)
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {
        "name": printer["name"],
        "ip_address": printer["ip"],
    }
    await fault(hass, sim_farm, printer["name"], "mqtt_down")
    try:
        result = await _fix(hass, result["flow_id"], {})
        assert result["errors"] == {"base": "cannot_connect"}
    finally:
        await fault(hass, sim_farm, printer["name"], "mqtt_up")
    result = await _fix(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.subentries[subentry_id].data["fingerprint"] == trusted
    await wait_online(entry, 1)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    # The printer is removed while a fix flow is open.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="certificate",
        translation_placeholders={"name": printer["name"]},
        data={"entry_id": entry.entry_id, "subentry_id": subentry_id, "kind": "certificate"},
    )
    result = await _fix_flow(hass, issue_id)
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    result = await _fix(hass, result["flow_id"], {})
    assert result["reason"] == "printer_removed"


async def test_wrong_serial_issue_and_other_fix_flows(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    # The address belongs to another printer (e.g. after a DHCP change).
    await register(client, sim_farm.printer("P1S"), ip_address=sim_farm.printer("P1P")["ip"])
    subentry_id = coordinator_of(entry, 1).subentry_id
    issue = await wait_for(
        lambda: issue_registry.async_get_issue(DOMAIN, f"wrong_serial_{subentry_id}"),
        what="wrong serial issue",
    )
    assert not issue.is_fixable
    # Fixed by pointing the printer to its address.
    response = await client.put(
        "/api/printers/1", json={"ip_address": sim_farm.printer("P1S")["ip"]}
    )
    assert response.status == HTTPStatus.OK
    assert issue_registry.async_get_issue(DOMAIN, f"wrong_serial_{subentry_id}") is None
    await wait_online(entry, 1)

    assert isinstance(await async_create_fix_flow(hass, "other", None), ConfirmRepairFlow)
    assert isinstance(
        await async_create_fix_flow(hass, "other", {"kind": "developer_mode"}), ConfirmRepairFlow
    )


async def test_add_with_the_topology(hass: HomeAssistant, sim_farm: FarmHandle) -> None:
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "Left robot")
    await add_ottoeject(hass, entry, 2, "Right robot")
    printer = sim_farm.printer("P1S")

    result = await _start(hass, entry)
    assert "ottoeject_id" in _fields(result)
    options = result["data_schema"].schema["ottoeject_id"].config["options"]
    assert options == [
        {"value": "1", "label": "Left robot"},
        {"value": "2", "label": "Right robot"},
    ]
    flow_id = result["flow_id"]
    # Errors of the robot's section are shown at the section.
    for robot, errors in (
        ({"eject_macro": "LOAD_ONTO_BAMBULAB_P_ONE_S"}, {"robot": "invalid_eject_macro"}),
        ({"load_macro": "LOAD ONTO"}, {"robot": "invalid_load_macro"}),
        ({"close_door_macro": "OPEN_DOOR_P1S"}, {"robot": "invalid_close_door_macro"}),
    ):
        result = await _configure(hass, flow_id, _input(printer, robot=robot))
        assert result["errors"] == errors, robot
        assert _suggested(result, "robot") == robot
    result = await _configure(
        hass, flow_id, _input(printer, name="", robot={"eject_macro": "EJECT_FROM_X"})
    )
    assert result["errors"] == {"name": "invalid_name"}

    result = await _configure(
        hass,
        flow_id,
        _input(
            printer,
            ottoeject_id="2",
            clearing_method="manual",
            nozzle_diameter_mm=0.6,
            robot={
                "eject_macro": "eject_from_shelf_p1s",
                # The model's default: no override.
                "load_macro": "LOAD_ONTO_BAMBULAB_P_ONE_S",
                # "-": this printer's door is not to be closed.
                "close_door_macro": "-",
                # The axis left empty: the model's.
                "eject_position_mm": 190.0,
            },
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert {key: data[key] for key in NO_TOPOLOGY} == {
        "ottoeject_id": 2,
        "clearing_method": "manual",
        "eject_macro": "EJECT_FROM_SHELF_P1S",
        "load_macro": None,
        "close_door_macro": "",
        "macro_params": None,
        "eject_position": {"axis": "Z", "position_mm": 190},
        "nozzle_diameter_mm": 0.6,
    }
    await hass.async_block_till_done()
    setup = coordinator_of(entry, 1).settings.setup()
    assert setup.macros.load == "LOAD_ONTO_BAMBULAB_P_ONE_S"
    assert setup.macros.close_door is None
    assert setup.bed.gcode == "G90\nG1 Z190 F600"

    # The OttoEject chosen is removed while the form is open.
    result = await _start(hass, entry)
    left = next(s for s in entry.subentries.values() if s.title == "Left robot")
    hass.config_entries.async_remove_subentry(entry, left.subentry_id)
    await hass.async_block_till_done()
    result = await _configure(
        hass, result["flow_id"], _input(sim_farm.printer("P1P"), ottoeject_id="1")
    )
    assert result["errors"] == {"ottoeject_id": "invalid_ottoeject"}
    # One OttoEject is left: it serves the printer, there is nothing to choose.
    assert "ottoeject_id" not in _fields(result)


async def test_reconfigure_the_topology(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sim_farm: FarmHandle
) -> None:
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "Left robot")
    right = await add_ottoeject(hass, entry, 2, "Right robot")
    printer = sim_farm.printer("A1")
    client = await hass_client()
    await register(
        client, printer, ottoeject_id=2, eject_macro="EJECT_FROM_MY_A1", nozzle_diameter_mm=0.4
    )
    await wait_online(entry, 1)
    subentry_id = coordinator_of(entry, 1).subentry_id

    async def reconfigure() -> dict[str, Any]:
        return dict(await entry.start_subentry_reconfigure_flow(hass, subentry_id))

    def stored() -> dict[str, Any]:
        data = entry.subentries[subentry_id].data
        return {key: data[key] for key in NO_TOPOLOGY}

    result = await reconfigure()
    assert _suggested(result) == {
        "name": printer["name"],
        "model": "A1",
        CONF_IP_ADDRESS: printer["ip"],
        "ottoeject_id": "2",
        "clearing_method": "ottoeject",
        "nozzle_diameter_mm": 0.4,
    }
    # The printer as it runs: its override, the model's other defaults (no door on an A1).
    robot = _suggested(result, "robot")
    assert robot == {
        "eject_macro": "EJECT_FROM_MY_A1",
        "load_macro": "LOAD_ONTO_BAMBULAB_A_ONE",
        "eject_axis": "Y",
        "eject_position_mm": 170.0,
    }
    base = {
        "name": printer["name"],
        "ip_address": printer["ip"],
        "access_code": printer["access_code"],
        "clearing_method": "manual",
        "nozzle_diameter_mm": 0.4,
    }
    result = await _configure(
        hass, result["flow_id"], {**base, "model": "A1", "robot": {"load_macro": "x"}}
    )
    assert result["errors"] == {"robot": "invalid_load_macro"}
    # Another model, the section left as suggested: the A1's defaults are no overrides, so
    # the P1S's apply; the OttoEject is cleared.
    result = await _configure(hass, result["flow_id"], {**base, "model": "P1S", "robot": robot})
    assert result["reason"] == "reconfigure_successful"
    assert stored() == {
        **NO_TOPOLOGY,
        "clearing_method": "manual",
        "eject_macro": "EJECT_FROM_MY_A1",
        "nozzle_diameter_mm": 0.4,
    }
    await hass.async_block_till_done()
    setup = coordinator_of(entry, 1).settings.setup()
    assert setup.macros.load == "LOAD_ONTO_BAMBULAB_P_ONE_S"
    assert setup.macros.close_door == "CLOSE_DOOR_BAMBULAB_P_ONE_S"
    assert setup.bed.axis == "Z"

    # One OttoEject left: not offered, the printer keeps it.
    response = await client.put("/api/printers/1", json={"ottoeject_id": 1})
    assert response.status == HTTPStatus.OK
    hass.config_entries.async_remove_subentry(entry, right.subentry_id)
    await hass.async_block_till_done()
    result = await reconfigure()
    assert "ottoeject_id" not in _fields(result)
    assert _suggested(result, "robot")["close_door_macro"] == "CLOSE_DOOR_BAMBULAB_P_ONE_S"
    result = await _configure(
        hass,
        result["flow_id"],
        {**base, "model": "P1S", "robot": {"close_door_macro": "-"}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert stored()["ottoeject_id"] == 1
    assert stored()["close_door_macro"] == ""
    assert stored()["eject_macro"] is None

    # Its OttoEject removed too: reconfiguring drops the id that names none.
    (left,) = (s for s in entry.subentries.values() if s.subentry_type == "ottoeject")
    hass.config_entries.async_remove_subentry(entry, left.subentry_id)
    await hass.async_block_till_done()
    result = await reconfigure()
    assert "ottoeject_id" not in _suggested(result)
    assert _suggested(result, "robot")["close_door_macro"] == "-"
    result = await _configure(hass, result["flow_id"], {**base, "model": "P1S"})
    assert result["reason"] == "reconfigure_successful"
    assert stored()["ottoeject_id"] is None
    assert stored()["close_door_macro"] is None


async def test_a_printer_that_announces_a_new_address_gets_it(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sim_farm: FarmHandle
) -> None:
    """DHCP gave the printer another address: its announcement moves the configured printer."""
    entry = await setup_hub(hass)
    manager = manager_of(entry)
    printer = sim_farm.printer("P1P")
    printer_id = await register(await hass_client(), printer)
    await wait_online(entry, printer_id)
    # Listening started with the first printer, without any "Add printer" flow.
    (address,) = manager.discovery.addresses
    (subentry,) = (s for s in entry.subentries.values() if s.unique_id == printer["serial_number"])
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_IP_ADDRESS: UNREACHABLE}
    )
    await wait_for(lambda: not coordinator_of(entry, printer_id).online, what="printer offline")

    _announce(address, printer)
    await wait_for(
        lambda: entry.subentries[subentry.subentry_id].data[CONF_IP_ADDRESS] == printer["ip"],
        what="the announced address saved",
    )
    await wait_online(entry, printer_id)
    # Announcing the same address again changes nothing; another printer's serial is ignored.
    _announce(address, printer)
    _announce(address, {**sim_farm.printer("A1"), "ip": "127.0.1.253"})
    await wait_for(lambda: manager.discovery.get(sim_farm.printer("A1")["serial_number"]))
    assert entry.subentries[subentry.subentry_id].data[CONF_IP_ADDRESS] == printer["ip"]
