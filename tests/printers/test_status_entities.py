"""The printer's extended entities against the simulated farm: print speed, chamber light,
external spool, errors, chamber and door sensors by model, and the diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
import tempfile

from aiohttp import FormData
from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import ATTR_ENTITY_PICTURE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import build_job, coordinator_of, fault, register, wait_for, wait_online

pytestmark = pytest.mark.usefixtures("loopback_enabled")


@pytest.fixture(scope="module")
def job_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="otto-printer-status-") as name:
        # 4000 simulated seconds: 20 s at the farm's time scale, time to inject a failure.
        yield build_job(Path(name), "gear.gcode.3mf", prediction_s=4000)


def _entity_id(
    registry: er.EntityRegistry, platform: str, entry_id: str, pid: int, key: str
) -> str:
    entity_id = registry.async_get_entity_id(platform, DOMAIN, f"{entry_id}_printer_{pid}_{key}")
    assert entity_id is not None, key
    return entity_id


async def test_speed_light_spool_and_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()

    def entity(platform: str, key: str) -> str:
        return _entity_id(entity_registry, platform, entry.entry_id, printer_id, key)

    # The print speed: the printer reports the new level after the real print_speed command.
    speed = entity("select", "print_speed")
    assert hass.states.get(speed).state == "standard"
    assert hass.states.get(speed).attributes["options"] == [
        "silent",
        "standard",
        "sport",
        "ludicrous",
    ]
    await hass.services.async_call(
        "select", "select_option", {"entity_id": speed, "option": "sport"}, blocking=True
    )
    await wait_for(lambda: hass.states.get(speed).state == "sport", what="sport speed")
    assert coordinator_of(entry, printer_id).data.speed_level == 3

    # The chamber light follows the printer's lights_report.
    light = entity("light", "chamber_light")
    assert hass.states.get(light).state == "on"
    await hass.services.async_call("light", "turn_off", {"entity_id": light}, blocking=True)
    await wait_for(lambda: hass.states.get(light).state == "off", what="light off")
    await hass.services.async_call("light", "turn_on", {"entity_id": light}, blocking=True)
    await wait_for(lambda: hass.states.get(light).state == "on", what="light on")

    # The simulated printer has white PLA on its external spool, none of its trays active.
    spool = hass.states.get(entity("sensor", "external_spool"))
    assert spool.attributes["type"] == "PLA"
    assert spool.state == (spool.attributes["name"] or "PLA")  # its name, else its type
    assert spool.attributes["color"] == "#FFFFFF"
    assert spool.attributes["empty"] is False
    assert spool.attributes[ATTR_ENTITY_PICTURE].startswith("data:image/svg+xml;base64,")
    # The simulated P1S feeds from its AMS's first tray at boot.
    assert hass.states.get(entity("sensor", "active_tray")).state == "ams_1_tray_1"
    assert hass.states.get(entity("binary_sensor", "problem")).state == "off"
    assert hass.states.get(entity("sensor", "hms_errors")).state == "0"
    assert hass.states.get(entity("sensor", "print_error")).state == "none"
    # The firmware: installed as get_version says; up to date, or unknown while the printer
    # does not say whether an update is available (never "up to date" without its word).
    firmware = hass.states.get(entity("update", "firmware"))
    live = coordinator_of(entry, printer_id)
    assert live.client is not None
    assert firmware.attributes["installed_version"] == live.client.firmware_version
    assert firmware.attributes["installed_version"]
    offered = live.data.firmware_update_available
    assert firmware.state == {None: "unknown", False: "off", True: "on"}[offered]

    # A P1S has no chamber sensor (it reports a constant 5 °C) and no door sensor.
    assert (
        entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}_printer_{printer_id}_chamber_temperature"
        )
        is None
    )
    assert (
        entity_registry.async_get_entity_id(
            "binary_sensor", DOMAIN, f"{entry.entry_id}_printer_{printer_id}_door"
        )
        is None
    )
    # What most users do not watch is there, but disabled.
    for key in ("part_cooling_fan", "heatbreak_fan", "wifi_signal", "nozzle_type", "current_file"):
        registered = entity_registry.async_get(entity("sensor", key))
        assert registered is not None
        assert registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION, key

    # Enabled, they show what the printer reports (idle: fans off).
    for key in (
        "part_cooling_fan",
        "heatbreak_fan",
        "wifi_signal",
        "nozzle_type",
        "nozzle_diameter",
    ):
        entity_registry.async_update_entity(entity("sensor", key), disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_online(entry, printer_id)
    await wait_for(
        lambda: hass.states.get(entity("sensor", "wifi_signal")).state in ("-50", "-51", "-52"),
        what="Wi-Fi signal",
    )
    assert (
        hass.states.get(entity("sensor", "wifi_signal")).attributes["unit_of_measurement"] == "dBm"
    )
    assert hass.states.get(entity("sensor", "nozzle_type")).state == "stainless_steel"
    assert float(hass.states.get(entity("sensor", "nozzle_diameter")).state) == 0.4
    assert hass.states.get(entity("sensor", "part_cooling_fan")).state == "0"
    assert hass.states.get(entity("sensor", "heatbreak_fan")).state == "0"

    # Diagnostics show the new state, never the access code, serial or address.
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    shown = diagnostics["printers"][str(printer_id)]
    assert shown["online"] is True
    assert shown["status"]["speed_level"] == 3
    assert shown["status"]["chamber_light_on"] is True
    assert shown["status"]["ams"]["external_spool"]["material"] == "PLA"
    assert shown["status"]["ip_address"] == REDACTED
    text = str(diagnostics)
    for secret in (printer["access_code"], printer["serial_number"], printer["ip"]):
        assert secret not in text


async def test_speed_refused_by_authorization_firmware(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("A1")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    speed = _entity_id(entity_registry, "select", entry.entry_id, printer_id, "print_speed")
    light = _entity_id(entity_registry, "light", entry.entry_id, printer_id, "chamber_light")

    await fault(hass, sim_farm, printer["name"], "reject_commands", enabled=True)
    try:
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call(
                "select", "select_option", {"entity_id": speed, "option": "silent"}, blocking=True
            )
        assert raised.value.translation_key in ("printer_developer_mode", "printer_command_failed")
        assert hass.states.get(speed).state == "standard"
        # The light is not a control command: it still works.
        await hass.services.async_call("light", "turn_off", {"entity_id": light}, blocking=True)
        await wait_for(lambda: hass.states.get(light).state == "off", what="light off")
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")
    await hass.services.async_call("light", "turn_on", {"entity_id": light}, blocking=True)

    # A printer that is not connected says so.
    await fault(hass, sim_farm, printer["name"], "mqtt_down")
    try:
        await wait_for(lambda: not coordinator_of(entry, printer_id).online, what="offline")
        select = hass.data["entity_components"]["select"].get_entity(speed)
        with pytest.raises(HomeAssistantError) as raised:
            await select.async_select_option("sport")
        assert raised.value.translation_key == "printer_offline"
        lamp = hass.data["entity_components"]["light"].get_entity(light)
        with pytest.raises(HomeAssistantError) as raised:
            await lamp.async_turn_on()
        assert raised.value.translation_key == "printer_offline"
    finally:
        await fault(hass, sim_farm, printer["name"], "mqtt_up")
    await wait_online(entry, printer_id)


async def test_failed_print_shows_errors_and_x1c_sensors(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    job_file: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("X1C")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()

    def entity(platform: str, key: str) -> str:
        return _entity_id(entity_registry, platform, entry.entry_id, printer_id, key)

    # An X1C measures its chamber and reports its door.
    chamber = hass.states.get(entity("sensor", "chamber_temperature"))
    assert float(chamber.state) == pytest.approx(25.0, abs=15)
    assert chamber.attributes["unit_of_measurement"] == "°C"
    assert hass.states.get(entity("binary_sensor", "door")).state == "off"

    form = FormData()
    form.add_field("file", job_file.read_bytes(), filename=job_file.name)
    response = await client.post(f"/api/printers/{printer_id}/upload", data=form)
    assert response.status == HTTPStatus.OK
    response = await client.post(
        f"/api/printers/{printer_id}/start-print", json={"filename": job_file.name}
    )
    assert response.status == HTTPStatus.ACCEPTED
    status = entity("sensor", "status")
    await wait_for(lambda: hass.states.get(status).state == "running", what="running")
    assert hass.states.get(entity("sensor", "job_name")).state == "gear"

    # The simulated fault: print_error 0300_8001 with HMS 0300_0300_0001_0001 (hotend fan).
    await fault(hass, sim_farm, printer["name"], "print_error")
    problem = entity("binary_sensor", "problem")
    await wait_for(lambda: hass.states.get(problem).state == "on", what="problem")
    attributes = hass.states.get(problem).attributes
    (hms,) = attributes["errors"]
    assert hms["code"] == "HMS_0300_0300_0001_0001"
    assert hms["text"].startswith("The hotend cooling fan speed is too slow or stopped")
    assert hms["url"].startswith("https://wiki.bambulab.com/")
    assert attributes["print_error"]["code"] == "0300_8001"
    hms_errors = hass.states.get(entity("sensor", "hms_errors"))
    assert hms_errors.state == "1"
    assert hms_errors.attributes["errors"] == [hms]
    print_error = hass.states.get(entity("sensor", "print_error"))
    assert print_error.state == "0300_8001"
    assert print_error.attributes["text"] == attributes["print_error"]["text"]
    assert print_error.attributes["text"] != "0300_8001"  # the public table knows the code


async def test_door_hms_and_firmware_update_from_the_simulated_printer(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
) -> None:
    """The X1C's door opens, an HMS error appears and an update is offered: the entities say so."""
    entry = await setup_hub(hass)
    printer = sim_farm.printer("X1C")
    printer_id = await register(await hass_client(), printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()

    def state(platform: str, key: str) -> str:
        entity_id = _entity_id(entity_registry, platform, entry.entry_id, printer_id, key)
        return hass.states.get(entity_id).state

    try:
        await fault(hass, sim_farm, printer["name"], "door", open=True)
        await fault(hass, sim_farm, printer["name"], "firmware_update", version="01.09.00.00")
        await fault(
            hass, sim_farm, printer["name"], "hms", hms=[{"attr": 0x03000100, "code": 0x00010001}]
        )
        await wait_for(lambda: state("binary_sensor", "door") == "on", what="door open")
        await wait_for(lambda: state("update", "firmware") == "on", what="update offered")
        hms = _entity_id(entity_registry, "sensor", entry.entry_id, printer_id, "hms_errors")
        await wait_for(
            lambda: "HMS_0300_0100_0001_0001" in str(hass.states.get(hms).attributes),
            what="the HMS error",
        )
        assert int(state("sensor", "hms_errors")) >= 1
        assert state("binary_sensor", "problem") == "on"
        firmware = hass.states.get(
            _entity_id(entity_registry, "update", entry.entry_id, printer_id, "firmware")
        )
        assert firmware.attributes["latest_version"] == "01.09.00.00"
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")
    await wait_for(lambda: state("binary_sensor", "door") == "off", what="door closed")
    await wait_for(
        lambda: "HMS_0300_0100_0001_0001" not in str(hass.states.get(hms).attributes),
        what="HMS cleared",
    )
