"""`/api/printers` end to end against the simulated farm (real TLS Mosquitto and vsftpd)."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
import json
from pathlib import Path
import tempfile
from typing import Any

from aiohttp import FormData
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.printers.settings import parse_ip_address

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import (
    add_ottoeject,
    build_job,
    coordinator_of,
    fault,
    register,
    registration,
    wait_for,
    wait_online,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

UNREACHABLE = "127.0.1.254"  # nothing listens there
OFFLINE_PRINTER = {
    "name": "P",
    "model": "P1S",
    "ip_address": UNREACHABLE,
    "access_code": "12345678",
    "serial_number": "01P00A999999999",
}
P1S_MACROS = {
    "eject": "EJECT_FROM_BAMBULAB_P_ONE_S",
    "load": "LOAD_ONTO_BAMBULAB_P_ONE_S",
    "close_door": "CLOSE_DOOR_BAMBULAB_P_ONE_S",
    "params": {},
}


@pytest.fixture(scope="module")
def jobs_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="otto-printer-jobs-") as name:
        directory = Path(name)
        build_job(directory, "cube.gcode.3mf", prediction_s=4000)
        (directory / "notes.txt").write_text("not a print file")
        yield directory


def _form(path: Path, remote_filename: str | None = None, name: str | None = None) -> FormData:
    form = FormData()
    form.add_field("comment", "other parts are ignored")
    if remote_filename is not None:
        form.add_field("remote_filename", remote_filename)
    form.add_field("file", path.read_bytes(), filename=name or path.name)
    return form


async def test_register_read_update_delete(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    body = registration(
        printer,
        build_volume={"width_mm": 256, "depth_mm": 256, "height_mm": 256},
        filament={"material": "PLA", "color": "Red"},
    )
    response = await client.post("/api/printers", json=body)
    assert response.status == HTTPStatus.CREATED
    assert await response.json() == {
        "id": 1,
        "name": printer["name"],
        "message": "Printer registered successfully",
    }
    await wait_online(entry, 1)
    await hass.async_block_till_done()

    # The same subentry the UI creates; the certificate was pinned on the first connection.
    (subentry,) = (s for s in entry.subentries.values() if s.subentry_type == "printer")
    assert subentry.unique_id == printer["serial_number"]
    assert subentry.data["access_code"] == printer["access_code"]
    assert len(subentry.data["fingerprint"]) == 64

    # The printer reports its filament: live data wins over the stored one.
    live = coordinator_of(entry, 1).data.filament
    assert live is not None
    response = await client.get("/api/printers/")
    assert response.status == HTTPStatus.OK
    assert await response.json() == [
        {
            "id": 1,
            "name": printer["name"],
            "status": "IDLE",
            "type": "FDM",
            "filament": {"material": live.material, "color": live.color},
            "ottoeject_id": None,
            "clearing_method": "ottoeject",
            "macros": P1S_MACROS,
            "eject_position": {"axis": "Z", "position_mm": 200.0},
            "nozzle_diameter_mm": None,
        }
    ]

    response = await client.get("/api/printers/1")
    text = await response.text()
    assert printer["access_code"] not in text
    assert subentry.data["fingerprint"] not in text
    details = json.loads(text)
    assert details["status"] == "IDLE"
    assert details["current_stage"] == "IDLE"
    assert details["model"] == "P1S"
    assert details["brand"] == "Bambu Lab"
    assert details["ip_address"] == printer["ip"]
    assert details["serial_number"] == printer["serial_number"]
    assert details["build_volume"] == {"width_mm": 256, "depth_mm": 256, "height_mm": 256}
    assert details["filament"] == {
        "material": live.material,
        "color": live.color,
        "name": live.name,
        "source": live.source,
    }
    assert isinstance(details["bed_temperature"], float)
    assert isinstance(details["nozzle_temperature"], float)
    assert details["online"] is True
    assert details["has_build_plate"] is True
    assert details["firmware_version"]

    response = await client.get("/api/printers/1/status")
    assert await response.json() == {
        "id": 1,
        "name": printer["name"],
        "brand": "Bambu Lab",
        "model": "P1S",
        "status": "IDLE",
        "current_stage": "IDLE",
        "progress_percent": 0,
        "remaining_time_minutes": 0,
        "online": True,
    }

    # The device sits under the hub, with the firmware the printer reported.
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_1"), entry.entry_id
    )
    assert device is not None
    assert device.via_device_id == entry.runtime_data.hub_device_id
    assert device.config_subentry_id == subentry.subentry_id
    assert device.sw_version == details["firmware_version"]
    assert device.serial_number == printer["serial_number"]
    plate = entity_registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_printer_1_build_plate"
    )
    assert plate is not None
    assert hass.states.get(plate).state == STATE_ON

    response = await client.put(
        "/api/printers/1",
        json={
            "name": "Renamed",
            "filament": {"material": "PETG", "color": "TransparentRed_Hex"},
            "has_build_plate": False,
            "serial_number": printer["serial_number"].lower(),
        },
    )
    assert response.status == HTTPStatus.OK
    updated = await response.json()
    assert updated["message"] == "Printer updated successfully"
    assert updated["name"] == "Renamed"
    assert updated["filament"]["source"] == live.source
    assert updated["has_build_plate"] is False
    assert updated["status"] == "IDLE"
    await hass.async_block_till_done()
    assert hass.states.get(plate).state == STATE_OFF
    assert device_registry.async_get(device.id).name == "Renamed"
    assert entry.subentries[subentry.subentry_id].title == "Renamed"
    # A rename keeps the connection.
    assert coordinator_of(entry, 1).online
    # The build plate flag is part of the farm's stored state.
    assert entry.runtime_data.state.as_dict()["build_plates"] == {"1": False}

    response = await client.delete("/api/printers/1")
    assert response.status == HTTPStatus.OK
    assert await response.json() == {"message": "Printer deleted successfully"}
    await hass.async_block_till_done()
    assert device_registry.async_get(device.id) is None
    assert entity_registry.async_get(plate) is None
    assert hass.states.get(plate) is None
    assert (await client.get("/api/printers/1")).status == HTTPStatus.NOT_FOUND
    assert await (await client.get("/api/printers")).json() == []
    assert entry.runtime_data.state.build_plates == {}
    # Ids are never reused.
    assert await register(client, printer) == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"brand": "Prusa"}, "brand"),
        ({"model": "MK4"}, "model"),
        ({"type": "SLA"}, "type"),
        ({"ip_address": "not an address!"}, "ip_address"),
        ({"ip_address": "999.1.1.1"}, "ip_address"),
        ({"access_code": ""}, "access_code"),
        ({"access_code": "has spaces"}, "access_code"),
        ({"serial_number": "short"}, "serial_number"),
        ({"serial_number": None}, "serial_number"),
        ({"build_volume": {"width_mm": 0, "depth_mm": 1, "height_mm": 1}}, "build_volume"),
        ({"build_volume": {"width_mm": 1, "depth_mm": 1, "height_mm": 1, "x": 1}}, "build_volume"),
        ({"build_volume": [1, 2, 3]}, "build_volume"),
        ({"filament": {"material": ""}}, "filament"),
        ({"filament": {"colour": "red"}}, "filament"),
        ({"filament": "PLA"}, "filament"),
        ({"has_build_plate": "yes"}, "has_build_plate"),
        ({"ottoeject_id": 2}, "ottoeject_id"),
        ({"ottoeject_id": "1"}, "ottoeject_id"),
        ({"ottoeject_id": 0}, "ottoeject_id"),
        ({"ottoeject_id": True}, "ottoeject_id"),
        ({"clearing_method": "robot"}, "clearing_method"),
        ({"clearing_method": 1}, "clearing_method"),
        ({"eject_macro": "LOAD_ONTO_BAMBULAB_P_ONE_S"}, "eject_macro"),
        ({"eject_macro": ""}, "eject_macro"),
        ({"eject_macro": "EJECT_FROM_X G28"}, "eject_macro"),
        ({"eject_macro": "EJECT_FROM_" + "X" * 60}, "eject_macro"),
        ({"load_macro": "EJECT_FROM_X"}, "load_macro"),
        ({"load_macro": 7}, "load_macro"),
        ({"close_door_macro": "OPEN_DOOR_X"}, "close_door_macro"),
        ({"close_door_macro": "CLOSE_DOOR_X;G28"}, "close_door_macro"),
        ({"macro_params": "SPEED=1"}, "macro_params"),
        ({"macro_params": {"SPEED": "a b"}}, "macro_params"),
        ({"macro_params": {"SPEED": "1\nG28"}}, "macro_params"),
        ({"macro_params": {"9X": 1}}, "macro_params"),
        ({"macro_params": {"ON": True}}, "macro_params"),
        ({"macro_params": {"X": None}}, "macro_params"),
        ({"macro_params": {f"P{n}": n for n in range(9)}}, "macro_params"),
        ({"eject_position": {"axis": "X", "position_mm": 200}}, "eject_position"),
        ({"eject_position": {"axis": "Z", "position_mm": 0}}, "eject_position"),
        ({"eject_position": {"axis": "Z", "position_mm": 400.5}}, "eject_position"),
        ({"eject_position": {"axis": "Z"}}, "eject_position"),
        ({"eject_position": {"axis": "Z", "position_mm": 200, "feed": 600}}, "eject_position"),
        ({"eject_position": "Z200"}, "eject_position"),
        ({"nozzle_diameter_mm": 0}, "nozzle_diameter_mm"),
        ({"nozzle_diameter_mm": 2.1}, "nozzle_diameter_mm"),
        ({"nozzle_diameter_mm": "0.4"}, "nozzle_diameter_mm"),
    ],
)
async def test_register_validates_every_field(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    changes: dict[str, Any],
    field: str,
) -> None:
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "Robot")
    client = await hass_client()
    body = {**OFFLINE_PRINTER, **changes}
    response = await client.post("/api/printers", json=body)
    assert response.status == HTTPStatus.BAD_REQUEST
    answer = await response.json()
    assert answer["field"] == field
    assert answer["message"].startswith(f"{field}: ")
    assert "12345678" not in json.dumps(answer)
    assert [s.subentry_type for s in entry.subentries.values()] == ["ottoeject"]
    # The same value is refused by an update.
    assert (await client.post("/api/printers", json=OFFLINE_PRINTER)).status == HTTPStatus.CREATED
    response = await client.put("/api/printers/1", json=changes)
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == field


async def test_register_without_reaching_the_printer(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Registering needs no reachable printer; it stays offline and commands answer 503."""
    entry = await setup_hub(hass)
    client = await hass_client()
    body = {
        "name": "Far away",
        "model": "C11",
        "ip_address": UNREACHABLE,
        "access_code": "12345678",
        "serial_number": "01s00a999999999",
    }
    response = await client.post("/api/printers", json=body)
    assert response.status == HTTPStatus.CREATED
    details = await (await client.get("/api/printers/1")).json()
    assert details["model"] == "P1P"
    assert details["serial_number"] == "01S00A999999999"
    assert details["ip_address"] == UNREACHABLE
    assert details["status"] == "OFFLINE"
    assert details["online"] is False
    assert details["filament"] == {"material": "N/A", "color": "N/A", "source": None}
    assert details["build_volume"] is None

    # The same serial again: 409.
    response = await client.post("/api/printers", json={**body, "name": "Twin"})
    assert response.status == HTTPStatus.CONFLICT
    assert (await response.json())["field"] == "serial_number"

    for path, payload in (
        ("send-gcode", {"gcode": "G28"}),
        ("start-print", {"filename": "a.gcode.3mf", "use_ams": True, "ams_mapping": [0, -1]}),
        ("start-print", {"filename": "plain.gcode"}),
        ("pause", None),
        ("resume", None),
        ("stop", None),
    ):
        response = await client.post(f"/api/printers/1/{path}", json=payload)
        assert response.status == HTTPStatus.SERVICE_UNAVAILABLE, path
        assert "not connected" in (await response.json())["message"]

    # Unreachable over FTPS: 503.
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "a.gcode"
        path.write_text("G28\n")
        response = await client.post("/api/printers/1/upload", data=_form(path))
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE

    # Unknown printers and the build plate flag of a printer that is offline.
    assert (await client.get("/api/printers/7")).status == HTTPStatus.NOT_FOUND
    assert (await client.get("/api/printers/abc/status")).status == HTTPStatus.NOT_FOUND
    assert (await client.post("/api/printers/9/pause")).status == HTTPStatus.NOT_FOUND
    response = await client.put("/api/printers/1/", json={"has_build_plate": True})
    assert response.status == HTTPStatus.OK
    assert entry.runtime_data.state.build_plates == {}


async def test_update_validation_and_delete_conflict(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    body = {
        "name": "P",
        "model": "P1S",
        "ip_address": UNREACHABLE,
        "access_code": "12345678",
        "serial_number": "01P00A999999999",
    }
    assert (await client.post("/api/printers", json=body)).status == HTTPStatus.CREATED
    for change, field in (
        ({"serial_number": "01P00A000000000"}, "serial_number"),
        ({"ip_address": ""}, "ip_address"),
        ({"build_volume": {"width_mm": True, "depth_mm": 1, "height_mm": 1}}, "build_volume"),
        ({"has_build_plate": 1}, "has_build_plate"),
    ):
        response = await client.put("/api/printers/1", json=change)
        assert response.status == HTTPStatus.BAD_REQUEST
        assert (await response.json())["field"] == field
    assert (await client.put("/api/printers/1", json=[])).status == HTTPStatus.BAD_REQUEST

    # A new address and access code: the printer is connected anew.
    response = await client.put(
        "/api/printers/1",
        json={"ip_address": "127.0.1.253", "access_code": "87654321", "build_volume": None},
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    coordinator = coordinator_of(entry, 1)
    assert coordinator.settings.ip_address == "127.0.1.253"
    assert coordinator.client is not None
    assert coordinator.client.host == "127.0.1.253"

    # A job that has not finished keeps its printer.
    state = entry.runtime_data.state
    item = state.add_print_item(
        PrintItem(
            state.ids.allocate("print_item"), "cube.gcode", "1_cube.gcode", 10, "ab", utcnow()
        )
    )
    job = state.create_job(item, JobSettings(printer_id=1), utcnow())
    response = await client.delete("/api/printers/1")
    assert response.status == HTTPStatus.CONFLICT
    assert str(job.id) in (await response.json())["message"]


async def test_commands_and_a_print(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    jobs_dir: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("X1C")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)

    # Upload under another name; the temporary file is streamed, then sent over FTPS.
    response = await client.post(
        f"/api/printers/{printer_id}/upload",
        data=_form(jobs_dir / "cube.gcode.3mf", remote_filename="Job 1.gcode.3mf"),
    )
    assert response.status == HTTPStatus.OK, await response.text()
    uploaded = await response.json()
    assert uploaded["filename"] == "Job 1.gcode.3mf"
    assert uploaded["file_size"].endswith(("KB", "B"))
    assert uploaded["message"] == (
        f"File 'Job 1.gcode.3mf' uploaded successfully to printer {printer_id}."
    )
    assert uploaded["upload_time"].endswith("Z") or "+" in uploaded["upload_time"]
    truth = await hass.async_add_executor_job(sim_farm.printer_truth, printer["name"])
    assert "Job 1.gcode.3mf" in truth["files"]

    # The seed's escaped newlines and real ones both reach the printer as lines.
    response = await client.post(
        f"/api/printers/{printer_id}/send-gcode", json={"gcode": "G90\\\\nG1 Z150 F3000"}
    )
    assert response.status == HTTPStatus.ACCEPTED
    assert await response.json() == {"message": "G-code sent."}
    response = await client.post(
        f"/api/printers/{printer_id}/send-gcode", json={"gcode": ["G90", "G1 Z120 F3000"]}
    )
    assert response.status == HTTPStatus.ACCEPTED
    for bad in ({}, {"gcode": 5}, {"gcode": " \\n "}):
        response = await client.post(f"/api/printers/{printer_id}/send-gcode", json=bad)
        assert response.status == HTTPStatus.BAD_REQUEST
        assert (await response.json())["field"] == "gcode"

    response = await client.post(
        f"/api/printers/{printer_id}/start-print",
        json={
            "filename": "Job 1.gcode.3mf",
            "useAms": False,
            "bed_leveling": False,
            "flow_cali": False,
            "vibration_cali": False,
            "timelapse": False,
            "plate": 1,
        },
    )
    assert response.status == HTTPStatus.ACCEPTED, await response.text()
    assert await response.json() == {"message": "Start print command for Job 1.gcode.3mf sent."}
    coordinator = coordinator_of(entry, printer_id)
    await wait_for(
        lambda: coordinator.data.status.value in ("PREPARE", "RUNNING"), what="print started"
    )
    status = await (await client.get(f"/api/printers/{printer_id}/status")).json()
    assert status["status"] in ("PREPARE", "RUNNING")

    # Busy: a second start is refused before anything is sent.
    response = await client.post(
        f"/api/printers/{printer_id}/start-print", json={"filename": "Job 1.gcode.3mf"}
    )
    assert response.status == HTTPStatus.CONFLICT

    response = await client.post(f"/api/printers/{printer_id}/pause")
    assert response.status == HTTPStatus.ACCEPTED
    assert await response.json() == {"message": "Pause command sent to printer."}
    await wait_for(lambda: coordinator.data.status.value == "PAUSE", what="paused")
    response = await client.post(f"/api/printers/{printer_id}/resume")
    assert await response.json() == {"message": "Resume command sent to printer."}
    await wait_for(lambda: coordinator.data.status.value != "PAUSE", what="resumed")
    response = await client.post(f"/api/printers/{printer_id}/stop")
    assert await response.json() == {"message": "Stop command sent to printer."}
    await wait_for(lambda: coordinator.data.status.value == "FAILED", what="stopped")
    assert coordinator.data.cancelled


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "filename"),
        ({"filename": "../x.gcode.3mf"}, "filename"),
        ({"filename": "a.gcode.3mf", "plate": 0}, "plate"),
        ({"filename": "a.gcode.3mf", "useAms": "yes"}, "useAms"),
        ({"filename": "a.gcode.3mf", "use_ams": 1}, "use_ams"),
        ({"filename": "a.gcode.3mf", "timelapse": "no"}, "timelapse"),
        ({"filename": "a.gcode.3mf", "ams_mapping": [0, "1"]}, "ams_mapping"),
    ],
)
async def test_start_print_validation(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, body: dict[str, Any], field: str
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    await client.post(
        "/api/printers",
        json={
            "name": "P",
            "model": "P1S",
            "ip_address": UNREACHABLE,
            "access_code": "12345678",
            "serial_number": "01P00A999999999",
        },
    )
    response = await client.post("/api/printers/1/start-print", json=body)
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == field


async def test_upload_errors(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    jobs_dir: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1P")
    printer_id = await register(client, printer)
    url = f"/api/printers/{printer_id}/upload"
    job = jobs_dir / "cube.gcode.3mf"

    response = await client.post(url, json={"file": "x"})
    assert (await response.json())["field"] == "file"
    form = FormData()
    form.add_field("remote_filename", "x.gcode")
    response = await client.post(url, data=form)
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "file"
    for remote in ("../evil.gcode.3mf", "dir/evil.gcode.3mf", "a\\b.gcode"):
        response = await client.post(url, data=_form(job, remote_filename=remote))
        assert response.status == HTTPStatus.BAD_REQUEST
        assert (await response.json())["field"] == "remote_filename"
    response = await client.post(url, data=_form(job, remote_filename="notes.txt"))
    assert (await response.json())["field"] == "remote_filename"
    # A "file name" of 100 kB is refused without being held whole.
    response = await client.post(url, data=_form(job, remote_filename="a" * 100_000 + ".gcode"))
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["message"] == "remote_filename: is too long"
    response = await client.post(url, data=_form(jobs_dir / "notes.txt"))
    assert (await response.json())["field"] == "file"
    form = FormData()
    form.add_field("file", b"", filename="empty.gcode")
    response = await client.post(url, data=form)
    assert "empty" in (await response.json())["message"]

    hass.config_entries.async_update_entry(entry, options={"max_upload_bytes": 1000})
    response = await client.post(url, data=_form(job))
    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    hass.config_entries.async_update_entry(entry, options={})

    # The transfer breaks half-way: 502.
    await fault(hass, sim_farm, printer["name"], "ftps_fail_after", bytes=2048)
    try:
        response = await client.post(url, data=_form(job))
        assert response.status == HTTPStatus.BAD_GATEWAY
        assert "upload" in (await response.json())["message"]
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")

    # The FTPS server is down: 503.
    await fault(hass, sim_farm, printer["name"], "ftps_down")
    try:
        response = await client.post(url, data=_form(job))
        assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    finally:
        await fault(hass, sim_farm, printer["name"], "ftps_up")

    # A wrong access code: 502, and the code appears nowhere in the answer.
    response = await client.put(f"/api/printers/{printer_id}", json={"access_code": "00000000"})
    assert response.status == HTTPStatus.OK
    response = await client.post(url, data=_form(job))
    assert response.status == HTTPStatus.BAD_GATEWAY
    text = await response.text()
    assert "access code was rejected" in text
    assert "00000000" not in text


async def test_authorization_firmware_is_reported(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
) -> None:
    """Firmware demanding signed commands: 502 with the way out, and a repair issue."""
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("A1")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await fault(hass, sim_farm, printer["name"], "reject_commands", enabled=True)
    try:
        response = await client.post(f"/api/printers/{printer_id}/pause")
        assert response.status == HTTPStatus.BAD_GATEWAY
        answer = await response.json()
        assert "Developer Mode" in answer["message"]
        assert answer["reason"] == "developer_mode_required"
        response = await client.post(
            f"/api/printers/{printer_id}/start-print", json={"filename": "a.gcode.3mf"}
        )
        assert response.status == HTTPStatus.BAD_GATEWAY
        from homeassistant.helpers import issue_registry as ir

        subentry_id = coordinator_of(entry, printer_id).subentry_id
        issue = await wait_for(
            lambda: ir.async_get(hass).async_get_issue(DOMAIN, f"developer_mode_{subentry_id}"),
            what="developer mode issue",
        )
        assert not issue.is_fixable
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")


async def test_permissions_and_hub_not_loaded(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client()
    assert (await client.get("/api/printers")).status == HTTPStatus.SERVICE_UNAVAILABLE
    await setup_hub(hass)
    viewer = await hass_client(hass_read_only_access_token)
    assert (await viewer.get("/api/printers")).status == HTTPStatus.OK
    response = await viewer.post("/api/printers", json={})
    assert response.status == HTTPStatus.FORBIDDEN
    assert (await viewer.delete("/api/printers/1")).status == HTTPStatus.FORBIDDEN


def test_host_names_are_accepted() -> None:
    assert parse_ip_address(" Printer-1.LAN ") == "printer-1.lan"
    assert parse_ip_address("fe80::1") == "fe80::1"


@pytest.mark.parametrize(
    "headers",
    [b"", b"Content-Type: text/plain; charset=no-such-charset\r\n"],
    ids=["not utf-8", "unknown charset"],
)
async def test_undecodable_remote_filename_is_400(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, headers: bytes
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    printer = {
        "name": "P",
        "model": "P1P",
        "ip_address": "127.0.0.1",
        "serial_number": "01P00A000000001",
        "access_code": "12345678",
    }
    response = await client.post("/api/printers", json=printer)
    assert response.status == HTTPStatus.CREATED
    body = (
        b'--B\r\nContent-Disposition: form-data; name="remote_filename"\r\n'
        + headers
        + b"\r\n\xff\xfe.gcode\r\n"
        + b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.gcode"\r\n\r\n'
        + b"G1 X1\r\n--B--\r\n"
    )
    response = await client.post(
        f"/api/printers/{(await response.json())['id']}/upload",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "remote_filename"


async def test_topology_is_set_read_and_changed(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_hub(hass)
    await add_ottoeject(hass, entry, 1, "Left robot")
    right = await add_ottoeject(hass, entry, 2, "Right robot")
    client = await hass_client()
    body = {
        **OFFLINE_PRINTER,
        "ottoeject_id": 2,
        "clearing_method": "Manual",
        "eject_macro": "eject_from_shelf_p1s",
        "close_door_macro": "",
        "macro_params": {"speed": 80, "SIDE": "left", "DWELL": 1.5},
        "eject_position": {"axis": "z", "position_mm": 190},
        "nozzle_diameter_mm": 0.6,
    }
    response = await client.post("/api/printers", json=body)
    assert response.status == HTTPStatus.CREATED, await response.text()
    topology = {
        "ottoeject_id": 2,
        "clearing_method": "manual",
        # The effective macros: overrides on top of the model's defaults.
        "macros": {
            "eject": "EJECT_FROM_SHELF_P1S",
            "load": "LOAD_ONTO_BAMBULAB_P_ONE_S",
            "close_door": None,
            "params": {"SPEED": 80, "SIDE": "left", "DWELL": 1.5},
        },
        "eject_position": {"axis": "Z", "position_mm": 190},
        "nozzle_diameter_mm": 0.6,
    }
    details = await (await client.get("/api/printers/1")).json()
    assert {key: details[key] for key in topology} == topology
    (summary,) = await (await client.get("/api/printers")).json()
    assert {key: summary[key] for key in topology} == topology
    (subentry,) = (s for s in entry.subentries.values() if s.subentry_type == "printer")
    assert {key: subentry.data[key] for key in body if key not in OFFLINE_PRINTER} == {
        "ottoeject_id": 2,
        "clearing_method": "manual",
        "eject_macro": "EJECT_FROM_SHELF_P1S",
        "close_door_macro": "",
        "macro_params": {"SPEED": 80, "SIDE": "left", "DWELL": 1.5},
        "eject_position": {"axis": "Z", "position_mm": 190},
        "nozzle_diameter_mm": 0.6,
    }
    setup = coordinator_of(entry, 1).settings.setup()
    assert setup.ottoeject_id == 2
    assert setup.macros.close_door is None

    # A partial update changes only what it names; null resets to the model's default.
    response = await client.put(
        "/api/printers/1",
        json={"eject_macro": None, "close_door_macro": None, "load_macro": "LOAD_ONTO_MINE"},
    )
    assert response.status == HTTPStatus.OK
    updated = await response.json()
    assert updated["macros"] == {
        "eject": "EJECT_FROM_BAMBULAB_P_ONE_S",
        "load": "LOAD_ONTO_MINE",
        "close_door": "CLOSE_DOOR_BAMBULAB_P_ONE_S",
        "params": {"SPEED": 80, "SIDE": "left", "DWELL": 1.5},
    }
    assert (updated["clearing_method"], updated["ottoeject_id"]) == ("manual", 2)
    assert updated["eject_position"] == {"axis": "Z", "position_mm": 190}
    assert coordinator_of(entry, 1).settings.load_macro == "LOAD_ONTO_MINE"

    # Another model brings its defaults (the overrides stay).
    response = await client.put(
        "/api/printers/1",
        json={
            "model": "A1",
            "eject_position": None,
            "macro_params": None,
            "clearing_method": "ottoeject",
            "nozzle_diameter_mm": None,
            "ottoeject_id": 1,
        },
    )
    updated = await response.json()
    assert updated["macros"] == {
        "eject": "EJECT_FROM_BAMBULAB_A_ONE",
        "load": "LOAD_ONTO_MINE",
        "close_door": None,
        "params": {},
    }
    assert updated["eject_position"] == {"axis": "Y", "position_mm": 170.0}
    assert (updated["clearing_method"], updated["ottoeject_id"]) == ("ottoeject", 1)
    assert updated["nozzle_diameter_mm"] is None

    # A deleted OttoEject stays named (the printer then has none) until another is set.
    assert (await client.put("/api/printers/1", json={"ottoeject_id": 2})).status == 200
    hass.config_entries.async_remove_subentry(entry, right.subentry_id)
    await hass.async_block_till_done()
    details = await (await client.get("/api/printers/1")).json()
    assert details["ottoeject_id"] == 2
    response = await client.put("/api/printers/1", json={"name": "Renamed"})
    assert response.status == HTTPStatus.OK
    assert (await response.json())["ottoeject_id"] == 2
    response = await client.put("/api/printers/1", json={"ottoeject_id": 2})
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["message"] == "ottoeject_id: OttoEject 2 does not exist"
    response = await client.put("/api/printers/1", json={"ottoeject_id": None})
    assert (await response.json())["ottoeject_id"] is None


async def test_stored_printers_without_topology_load(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Printers stored before the topology settings existed get the model's defaults."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[
            ConfigSubentryData(
                data={
                    "id": 1,
                    "name": "Old A1",
                    "model": "A1",
                    "ip_address": UNREACHABLE,
                    "serial_number": "03900A999999999",
                    "access_code": "12345678",
                },
                subentry_type="printer",
                title="Old A1",
                unique_id="03900A999999999",
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client()
    details = await (await client.get("/api/printers/1")).json()
    assert details["ottoeject_id"] is None
    assert details["clearing_method"] == "ottoeject"
    assert details["macros"] == {
        "eject": "EJECT_FROM_BAMBULAB_A_ONE",
        "load": "LOAD_ONTO_BAMBULAB_A_ONE",
        "close_door": None,
        "params": {},
    }
    assert details["eject_position"] == {"axis": "Y", "position_mm": 170.0}
    assert details["nozzle_diameter_mm"] is None
    response = await client.put("/api/printers/1", json={"nozzle_diameter_mm": 0.4})
    assert (await response.json())["nozzle_diameter_mm"] == 0.4
    (subentry,) = entry.subentries.values()
    assert subentry.data["nozzle_diameter_mm"] == 0.4
    assert subentry.data["clearing_method"] == "ottoeject"
