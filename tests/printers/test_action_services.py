"""The printer actions of the device page, against the simulated farm.

Each action goes to a real simulated printer over MQTT; what it did is read back from the farm's
physical ground truth (``GET /truth``), never from our own state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.bambu import PrintState
from custom_components.ottoengine.const import DOMAIN

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import (
    build_job,
    coordinator_of,
    farm_call,
    register,
    wait_for,
    wait_online,
    wait_truth,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled")


async def _printer_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    farm: FarmHandle,
    model: str,
) -> tuple[MockConfigEntry, int, str]:
    entry = await setup_hub(hass)
    printer_id = await register(await hass_client(), farm.printer(model))
    await wait_online(entry, printer_id)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None
    return entry, printer_id, device.id


async def _act(hass: HomeAssistant, action: str, device_id: str, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, action, {"device_id": device_id, **data}, blocking=True)


def _bed_z(truth: dict[str, Any], name: str) -> float:
    return float(truth["printers"][name]["bed_z_mm"])


async def test_move_axis_moves_the_bed(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sim_farm: FarmHandle
) -> None:
    _entry, _printer_id, device_id = await _printer_device(hass, hass_client, sim_farm, "P1S")
    name = sim_farm.printer("P1S")["name"]
    start = _bed_z(await farm_call(hass, sim_farm, "truth"), name)

    await _act(hass, "move_axis", device_id, axis="z", distance=25, speed=3000)
    await wait_truth(
        hass, sim_farm, lambda t: _bed_z(t, name) == pytest.approx(start + 25), "bed lowered"
    )
    # Each jog is relative to where the bed is, and leaves the printer in absolute mode.
    await _act(hass, "move_axis", device_id, axis="Z", distance=-5)
    await wait_truth(
        hass, sim_farm, lambda t: _bed_z(t, name) == pytest.approx(start + 20), "bed raised"
    )
    await _act(hass, "send_gcode", device_id, gcode="G1 Z50 F3000")
    await wait_truth(hass, sim_farm, lambda t: _bed_z(t, name) == pytest.approx(50), "at Z 50")

    # Nonsense is refused before anything is sent, naming what is wrong.
    with pytest.raises(ServiceValidationError) as refused:
        await _act(hass, "move_axis", device_id, axis="Z", distance=0)
    assert refused.value.translation_key == "invalid_printer_action"
    assert "distance" in str(refused.value.translation_placeholders)
    with pytest.raises(ServiceValidationError):
        await _act(hass, "move_axis", device_id, axis="Z", distance=10, speed=99999)


async def test_print_file_starts_a_file_on_the_sd_card_and_skip_objects_needs_a_print(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    tmp_path: Path,
) -> None:
    entry, printer_id, device_id = await _printer_device(hass, hass_client, sim_farm, "X1C")
    name = sim_farm.printer("X1C")["name"]
    commands = coordinator_of(entry, printer_id).commands
    # Skipping objects makes sense only during a print.
    with pytest.raises(HomeAssistantError) as refused:
        await _act(hass, "skip_objects", device_id, object_ids=[12])
    assert refused.value.translation_placeholders is not None
    assert refused.value.translation_placeholders["reason"] == "device_busy"

    remote = await commands.async_upload(build_job(tmp_path, "gear.gcode.3mf"), "gear.gcode.3mf")
    await _act(
        hass,
        "print_file",
        device_id,
        filename=f"/sdcard/{remote}",
        plate=1,
        use_ams=False,
        bed_leveling=False,
        timelapse=False,
    )
    truth = await wait_truth(
        hass,
        sim_farm,
        lambda t: any(e["event"] == "print_started" and e["device"] == name for e in t["events"]),
        "print started",
    )
    started = [e for e in truth["events"] if e["event"] == "print_started" and e["device"] == name]
    assert started[-1]["file"].endswith("gear.gcode.3mf")
    await wait_for(
        lambda: coordinator_of(entry, printer_id).data.status is PrintState.RUNNING,
        what="printing",
    )

    # During the print: objects can be skipped, but the toolhead's filament is left alone.
    await _act(hass, "skip_objects", device_id, object_ids=[12, "34"])
    with pytest.raises(HomeAssistantError) as busy:
        await _act(hass, "unload_filament", device_id)
    assert busy.value.translation_placeholders is not None
    assert busy.value.translation_placeholders["reason"] == "device_busy"
    with pytest.raises(ServiceValidationError):
        await _act(hass, "skip_objects", device_id, object_ids=[])
    with pytest.raises(HomeAssistantError):
        # A second start while printing: refused by the printer's state.
        await _act(hass, "print_file", device_id, filename=remote)
    with pytest.raises(ServiceValidationError):
        await _act(hass, "print_file", device_id, filename="../etc/passwd")
    await commands.async_stop()


async def test_ams_filament_actions(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sim_farm: FarmHandle
) -> None:
    """The P1S's AMS (one unit, four loaded trays): what the printer holds changes for real."""
    _entry, _printer_id, device_id = await _printer_device(hass, hass_client, sim_farm, "P1S")
    name = sim_farm.printer("P1S")["name"]

    def _printer(truth: dict[str, Any]) -> dict[str, Any]:
        printer: dict[str, Any] = truth["devices"]["printers"][name]
        return printer

    await _act(
        hass,
        "set_ams_filament",
        device_id,
        tray="A3",
        filament_type="petg",
        color="#ff8800",
        nozzle_temp_min=220,
        nozzle_temp_max=260,
    )
    truth = await wait_truth(
        hass,
        sim_farm,
        lambda t: _printer(t)["ams"][0]["trays"][2]["color"] == "FF8800FF",
        "tray A3 set",
    )
    assert _printer(truth)["ams"][0]["trays"][2]["type"] == "PETG"
    # ... and the tray's entity shows what the printer now reports.
    tray = "sensor.p1s_1_ams_1_tray_3"
    await wait_for(
        lambda: hass.states.get(tray).attributes.get("color") == "#FF8800", what="tray entity"
    )
    assert hass.states.get(tray).attributes["type"] == "PETG"

    await _act(hass, "load_filament", device_id, tray="A2", temperature=230)
    await wait_truth(hass, sim_farm, lambda t: _printer(t)["tray_now"] == 1, "tray A2 loaded")
    await wait_for(
        lambda: hass.states.get("sensor.p1s_1_active_tray").state == "ams_1_tray_2",
        what="active tray entity",
    )
    await _act(hass, "unload_filament", device_id)
    await wait_truth(hass, sim_farm, lambda t: _printer(t)["tray_now"] == 255, "unloaded")

    # The printer refuses a tray it does not have: the printer's reason, translated.
    with pytest.raises(HomeAssistantError) as missing:
        await _act(
            hass,
            "set_ams_filament",
            device_id,
            tray="B1",
            filament_type="PLA",
            color="#FFFFFF",
            nozzle_temp_min=190,
            nozzle_temp_max=230,
        )
    assert missing.value.translation_placeholders is not None
    assert missing.value.translation_placeholders["reason"] == "device_refused"
    # Nonsense is refused before anything is sent, naming the field.
    with pytest.raises(ServiceValidationError) as refused:
        await _act(
            hass,
            "set_ams_filament",
            device_id,
            tray="A1",
            filament_type="PLA",
            color="orange",
            nozzle_temp_min=190,
            nozzle_temp_max=230,
        )
    assert "color" in str(refused.value.translation_placeholders)
    with pytest.raises(ServiceValidationError):
        await _act(
            hass,
            "set_ams_filament",
            device_id,
            tray="A1",
            filament_type="PLA",
            color="#FFFFFF",
            nozzle_temp_min=240,
            nozzle_temp_max=200,
        )
    # Not a tray: the action's schema refuses it, naming the field.
    with pytest.raises(vol.Invalid, match="tray"):
        await _act(hass, "load_filament", device_id, tray="E1")
