"""The "Add printer" flow for Klipper printers (manual and discovered) and their reconfiguration,
against the simulated K1C (real Moonraker); the zeroconf transport is Home Assistant's double."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.flows import printer as printer_flow

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from ..zeroconf_double import announce
from .helpers import add_ottoeject
from .klipper_support import (
    fast_klipper,  # noqa: F401 - a fixture
    k1c,
    klipper_farm_fixture,
    klipper_of,
    wait_klipper_online,
)
from .test_flow_translations import EJECTORS, SUBENTRIES, TRANSLATIONS, _check

pytestmark = pytest.mark.usefixtures("loopback_enabled", "fast_klipper")
klipper_farm = klipper_farm_fixture()

NOBODY = "127.0.3.250"
UUID = "c0ffee00-1111"


@pytest.fixture(autouse=True)
def offline_robots() -> None:
    """The Klipper printer's status stream is the real one (the printers' conftest stops it)."""


async def _announce(hass: HomeAssistant, zeroconf: MagicMock, printer: dict[str, Any]) -> None:
    """The K1C's Moonraker announces itself (as its zeroconf component does)."""
    await announce(
        hass, zeroconf, printer["ip"], printer["port"], hostname=printer["name"], uuid=UUID
    )


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "printer"), context={"source": "user"}
    )
    return dict(result)


async def _configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return dict(await hass.config_entries.subentries.async_configure(flow_id, data))


async def _klipper_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """ "Add printer" with nothing discovered: the menu, then "Klipper printer"."""
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["manual", "klipper"]
    result = await _configure(hass, result["flow_id"], {"next_step_id": "klipper"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "klipper"
    return result


def _input(printer: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "name": "K1C Left",
        "model": "K1C",
        "ip_address": printer["ip"],
        "port": printer["port"],
        "clearing_method": "ottoeject",
        **changes,
    }


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


def test_klipper_flow_texts() -> None:
    steps = SUBENTRIES["printer"]["step"]
    schema = printer_flow._with_topology(printer_flow.KLIPPER_SCHEMA, EJECTORS)
    _check(steps["klipper"], schema)
    _check(steps["reconfigure_klipper"], schema)
    assert set(steps["user"]["menu_options"]) == {"manual", "klipper"}
    errors = SUBENTRIES["printer"]["error"]
    for key in ("cannot_connect", "invalid_auth", "not_a_printer", "already_configured"):
        assert errors[key]
    assert all(errors[key] for key in printer_flow._ERRORS.values())
    assert TRANSLATIONS["selector"]["printer_choice"]["options"]["klipper"]


async def test_manual_klipper_printer_is_tested_then_added(
    hass: HomeAssistant, klipper_farm: FarmHandle
) -> None:
    entry = await setup_hub(hass)
    printer = k1c(klipper_farm)
    robot = klipper_farm.description["ejectors"][0]
    result = await _klipper_form(hass, entry)
    assert [str(key) for key in result["data_schema"].schema] == [
        "name",
        "model",
        "ip_address",
        "port",
        "api_key",
        "clearing_method",
        "nozzle_diameter_mm",
        "robot",
    ]
    flow_id = result["flow_id"]

    # Bad input names the field; nothing is asked of the printer yet.
    result = await _configure(hass, flow_id, _input(printer, name="  "))
    assert result["errors"] == {"name": "invalid_name"}
    result = await _configure(hass, flow_id, _input(printer, robot={"eject_macro": "NOT_AN_EJECT"}))
    assert result["errors"] == {"robot": "invalid_eject_macro"}
    # The connection test: nothing there, a wrong key, an OttoEject.
    result = await _configure(hass, flow_id, _input(printer, ip_address=NOBODY))
    assert result["errors"] == {"base": "cannot_connect"}
    result = await _configure(hass, flow_id, _input(printer, api_key="wrong-key"))
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _configure(
        hass, flow_id, _input(printer, ip_address=robot["ip"], port=robot["port"])
    )
    assert result["errors"] == {"base": "not_a_printer"}

    # A robot section equal to the K1C's defaults stores no override.
    defaults = {
        "eject_macro": "EJECT_FROM_CREALITY_K_ONE_C",
        "load_macro": "LOAD_ONTO_CREALITY_K_ONE_C",
        "close_door_macro": "CLOSE_DOOR_CREALITY_K_ONE_C",
        "eject_axis": "Z",
        "eject_position_mm": 200,
    }
    result = await _configure(hass, flow_id, _input(printer, robot=defaults))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "K1C Left"
    data = result["data"]
    assert data["driver"] == "klipper"
    assert (data["brand"], data["model"], data["port"], data["api_key"]) == (
        "Creality",
        "K1C",
        7125,
        None,
    )
    assert "access_code" not in data
    assert data["eject_macro"] is None
    assert data["eject_position"] is None
    (subentry,) = entry.subentries.values()
    assert str(subentry.unique_id).startswith("host:k1c-")
    await wait_klipper_online(entry, data["id"])
    assert klipper_of(entry, data["id"]).data.state.value == "IDLE"

    # The same printer again.
    result = await _klipper_form(hass, entry)
    result = await _configure(hass, result["flow_id"], _input(printer, name="Again"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_the_same_printer_at_another_address_is_already_configured(
    hass: HomeAssistant, klipper_farm: FarmHandle
) -> None:
    printer = k1c(klipper_farm)
    entry = await setup_hub(hass)
    result = await _klipper_form(hass, entry)
    result = await _configure(hass, result["flow_id"], _input(printer))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = entry.subentries.values()
    # Its identity, stored for a printer configured at another address.
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, "ip_address": NOBODY}
    )
    await hass.async_block_till_done()
    result = await _klipper_form(hass, entry)
    result = await _configure(hass, result["flow_id"], _input(printer, name="Twin"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_discovered_klipper_printers_are_offered(
    hass: HomeAssistant, zeroconf: MagicMock, klipper_farm: FarmHandle
) -> None:
    printer = k1c(klipper_farm)
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "R1")  # other subentries are not printers
    await _announce(hass, zeroconf, printer)

    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    options = result["data_schema"].schema["printer"].config["options"]
    assert [option["value"] for option in options] == [f"klipper:{UUID}", "manual", "klipper"]
    assert options[0]["label"] == f"{printer['name']} (Klipper, {printer['ip']}:7125)"

    # "Klipper printer" from the list: an empty form.
    result = await _configure(hass, result["flow_id"], {"printer": "klipper"})
    assert result["step_id"] == "klipper"
    assert _suggested(result) == {}
    hass.config_entries.subentries.async_abort(result["flow_id"])

    # The discovered printer: its name, address and port prefilled.
    result = await _start(hass, entry)
    result = await _configure(hass, result["flow_id"], {"printer": f"klipper:{UUID}"})
    assert result["step_id"] == "klipper"
    assert _suggested(result) == {
        "name": printer["name"],
        "ip_address": printer["ip"],
        "port": 7125,
    }
    result = await _configure(
        hass,
        result["flow_id"],
        {**_suggested(result), "model": "K1C", "clearing_method": "manual"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["clearing_method"] == "manual"

    # Configured: no longer offered (nothing else found: the menu).
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.MENU


async def test_reconfigure_a_klipper_printer(hass: HomeAssistant, klipper_farm: FarmHandle) -> None:
    printer = k1c(klipper_farm)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[
            ConfigSubentryData(
                data={
                    "id": 1,
                    "name": "K1C",
                    "brand": "Creality",
                    "model": "K1C",
                    "type": "FDM",
                    "ip_address": printer["ip"],
                    "driver": "klipper",
                    "port": printer["port"],
                    "api_key": None,
                },
                subentry_type="printer",
                title="K1C",
                unique_id="host:k1c-twin",
            ),
            ConfigSubentryData(
                data={
                    "id": 2,
                    "name": "Elsewhere",
                    "model": "Voron",
                    "ip_address": NOBODY,
                    "driver": "klipper",
                    "port": 7125,
                },
                subentry_type="printer",
                title="Elsewhere",
                unique_id=None,
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_klipper_online(entry, 1)
    subentry_id = next(s for s, sub in entry.subentries.items() if sub.data["id"] == 1)

    result = dict(
        await hass.config_entries.subentries.async_init(
            (entry.entry_id, "printer"),
            context={"source": "reconfigure", "subentry_id": subentry_id},
        )
    )
    assert result["step_id"] == "reconfigure_klipper"
    suggested = _suggested(result)
    assert suggested["port"] == 7125
    assert suggested["name"] == "K1C"
    assert "api_key" not in suggested
    flow_id = result["flow_id"]
    result = await _configure(hass, flow_id, _input(printer, name=""))
    assert result["errors"] == {"name": "invalid_name"}
    result = await _configure(hass, flow_id, _input(printer, ip_address=NOBODY))
    assert result["errors"] == {"base": "already_configured"}
    result = await _configure(hass, flow_id, _input(printer, api_key="wrong-key"))
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _configure(
        hass, flow_id, _input(printer, name="K1C Right", model="K1", nozzle_diameter_mm=0.6)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    data = entry.subentries[subentry_id].data
    assert (data["name"], data["model"], data["nozzle_diameter_mm"]) == ("K1C Right", "K1", 0.6)
    coordinator = klipper_of(entry, 1)
    assert coordinator.settings.name == "K1C Right"
    await wait_klipper_online(entry, 1)


async def test_the_klipper_step_aborts_when_the_hub_unloads(
    hass: HomeAssistant, klipper_farm: FarmHandle
) -> None:
    entry = await setup_hub(hass)
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.MENU
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    result = await _configure(hass, result["flow_id"], {"next_step_id": "klipper"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"
