"""The simulated K1C's G-code and faults outside a whole print, through a real Moonraker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import pytest_socket

from ottosim.klipper import SimulatedKlipperPrinter, klipper_model_spec
from ottosim.klipper.printer import KlipperFaultError
from ottosim.world import World
from tests.conftest import LOOPBACK_NETWORKS
from tests.sim.klipper_helpers import Moonraker, prusa_style_gcode, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOST = "127.0.3.203"
NAME = "k1c-3"
api = Moonraker(f"http://{HOST}:7125")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def printer(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[SimulatedKlipperPrinter]:
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(LOOPBACK_NETWORKS, allow_unix_socket=True)
    world = World()
    world.add_printer(NAME, "K1C")
    simulated = SimulatedKlipperPrinter(
        world,
        name=NAME,
        host=HOST,
        workdir=tmp_path_factory.mktemp("k1c-gcode"),
        time_scale=200.0,
        end_print_raise="G1 Z220 F1200",
    )
    await simulated.start()
    yield simulated
    await simulated.stop()


async def _is_ready() -> bool:
    return await api.klippy_state() == "ready"


@pytest.fixture
async def ready(
    printer: SimulatedKlipperPrinter, loopback_enabled: None
) -> SimulatedKlipperPrinter:
    if await api.klippy_state() != "ready":
        await printer.inject_fault("firmware_restart")
        await wait_for(_is_ready)
    return printer


async def gcode_error(script: str) -> str:
    code, body = await api.gcode(script)
    assert code == 400, body
    return str(body["error"]["traceback"])


async def test_heaters_and_display(ready: SimulatedKlipperPrinter) -> None:
    assert await api.gcode("M104 S200\nM140 S55") == (200, {"result": "ok"})
    status = await api.query("extruder", "heater_bed")
    assert status["extruder"]["target"] == 200.0
    assert status["heater_bed"]["target"] == 55.0
    assert status["extruder"]["power"] > 0
    assert await api.gcode("M109 S200\nM190 S55") == (200, {"result": "ok"})  # waits
    status = await api.query("extruder", "heater_bed")
    assert abs(status["extruder"]["temperature"] - 200.0) <= 2.0
    assert abs(status["heater_bed"]["temperature"] - 55.0) <= 2.0
    assert status["extruder"]["can_extrude"] is True
    await api.gcode("SET_HEATER_TEMPERATURE HEATER=extruder TARGET=180")
    assert (await api.query("extruder"))["extruder"]["target"] == 180.0
    await api.gcode("TURN_OFF_HEATERS")
    status = await api.query("extruder", "heater_bed")
    assert status["extruder"]["target"] == status["heater_bed"]["target"] == 0.0
    assert status["extruder"]["power"] == 0.0
    assert 'Unknown heater "chamber"' in await gcode_error(
        "SET_HEATER_TEMPERATURE HEATER=chamber TARGET=40"
    )
    assert "out of range" in await gcode_error("M104 S400")
    assert "unable to parse" in await gcode_error("M104 Shot")
    await api.gcode("M117 Hello farm")
    assert (await api.query("display_status"))["display_status"]["message"] == "Hello farm"
    await api.gcode("SET_PRINT_STATS_INFO TOTAL_LAYER=7 CURRENT_LAYER=3")
    info = (await api.query("print_stats"))["print_stats"]["info"]
    assert info == {"total_layer": 7, "current_layer": 3}


async def test_start_and_end_print_macros_alone(ready: SimulatedKlipperPrinter) -> None:
    """START_PRINT heats and homes; END_PRINT turns the heaters off and runs the configured
    raise (here G1 Z220 F1200), which puts the bed at the eject position."""
    assert await api.gcode("START_PRINT EXTRUDER_TEMP=210 BED_TEMP=50") == (
        200,
        {"result": "ok"},
    )
    status = await api.query("toolhead", "extruder", "heater_bed", "configfile")
    assert status["toolhead"]["homed_axes"] == "xyz"
    assert status["toolhead"]["position"][2] == 0.0
    assert abs(status["extruder"]["temperature"] - 210.0) <= 2.0
    assert "G1 Z220 F1200" in status["configfile"]["config"]["gcode_macro END_PRINT"]["gcode"]
    assert await api.gcode("END_PRINT") == (200, {"result": "ok"})
    status = await api.query("toolhead", "extruder", "idle_timeout")
    assert status["toolhead"]["position"][2] == 220.0
    assert status["extruder"]["target"] == 0.0
    assert status["idle_timeout"]["state"] == "Ready"
    truth = ready.world.truth()["printers"][NAME]
    assert truth["bed_z_mm"] == 220.0
    assert truth["at_eject_position"] is True
    moved = [e for e in ready.world.events if e["event"] == "bed_moved"]
    assert moved[-1]["position_mm"] == 220.0


async def test_sd_file_commands(ready: SimulatedKlipperPrinter, tmp_path: Path) -> None:
    assert "missing FILENAME" in await gcode_error("SDCARD_PRINT_FILE")
    assert "Unable to open file" in await gcode_error("SDCARD_PRINT_FILE FILENAME=../escape.gcode")
    # PAUSE with nothing printing is a no-op; RESUME says it is not paused.
    assert await api.gcode("PAUSE") == (200, {"result": "ok"})
    assert await api.gcode("RESUME") == (200, {"result": "ok"})
    _, body = await api.get("/server/gcode_store?count=5")
    lines = [line["message"] for line in body["result"]["gcode_store"]]
    assert "// Print is not paused, resume aborted" in lines
    source = tmp_path / "short.gcode"
    source.write_text(prusa_style_gcode(minutes=1, layers=3))
    assert (await api.upload(source))[0] == 201
    await api.post("/printer/print/start?filename=short.gcode")
    assert "SD busy" in await gcode_error("SDCARD_RESET_FILE")
    await api.post("/printer/print/pause")
    await api.post("/printer/print/pause")  # already paused: a console message, still ok
    _, body = await api.get("/server/gcode_store?count=5")
    assert "// Print already paused" in [m["message"] for m in body["result"]["gcode_store"]]
    await api.post("/printer/print/resume")
    await wait_for(lambda: _state("complete"), timeout=30)
    assert await api.gcode("SDCARD_RESET_FILE") == (200, {"result": "ok"})
    status = await api.query("print_stats", "virtual_sdcard")
    assert status["print_stats"]["state"] == "standby"
    assert status["print_stats"]["filename"] == ""
    assert status["virtual_sdcard"]["file_path"] is None
    files = ready.status()["files"]
    assert {"path": "short.gcode", "size": source.stat().st_size} in files
    ready.world.operator("clear_printer_plate", printer=NAME)


async def _state(state: str) -> bool:
    return bool((await api.query("print_stats"))["print_stats"]["state"] == state)


async def test_printer_faults(ready: SimulatedKlipperPrinter) -> None:
    with pytest.raises(KlipperFaultError):
        await ready.inject_fault("print_error")
    with pytest.raises(ValueError, match="unknown fault"):
        await ready.inject_fault("melt")
    await ready.inject_fault("error", message="Option 'kinematics' is not valid")
    await wait_for(lambda: _klippy("error"))
    _, body = await api.get("/printer/info")
    assert "Option 'kinematics' is not valid" in body["result"]["state_message"]
    assert "Printer is halted" in await gcode_error("G28")
    status: dict[str, Any] = ready.status()
    assert status["klippy_state"] == "error"
    assert status["driver"] == "klipper"
    await ready.inject_fault("clear")
    await wait_for(_is_ready)
    await ready.inject_fault("shutdown", estop=True)
    await wait_for(lambda: _klippy("shutdown"))
    await ready.inject_fault("moonraker_down")
    assert ready.status()["moonraker_running"] is False
    await ready.inject_fault("moonraker_up")
    await ready.inject_fault("moonraker_up")  # already up: nothing to do
    await ready.inject_fault("clear")
    await wait_for(_is_ready)
    assert ready.status()["restarts"] >= 2
    assert ready.describe() == {
        "name": NAME,
        "model": "K1C",
        "ip": HOST,
        "port": 7125,
        "api_key": None,
    }


async def _klippy(state: str) -> bool:
    return await api.klippy_state() == state


async def test_model_spec() -> None:
    assert klipper_model_spec("k1c").axis_maximum[2] == 250.0
    with pytest.raises(ValueError, match="unknown Klipper printer model"):
        klipper_model_spec("Ender 3")
    with pytest.raises(ValueError, match="add_printer"):
        SimulatedKlipperPrinter(World(), name="nope")


async def test_homing_into_a_finished_print_is_a_collision(ready: SimulatedKlipperPrinter) -> None:
    """G28 moves the bed up to the nozzle: with a 30 mm print on the plate it is refused and
    recorded as a violation; moves that stay above the print are fine."""
    world = ready.world
    await api.gcode("G28\nG90\nG1 Z100 F6000")
    world.start_print(NAME)
    world.finish_print(NAME, "tower", height_mm=30.0)
    world.move_bed(NAME, z_mm=100.0)  # the print ended with the bed low, as after END_PRINT
    traceback = await gcode_error("G28")
    assert "collision, bed moved up to Z 0 under the print 'tower' (30 mm)" in traceback
    assert world.truth()["printers"][NAME]["bed_z_mm"] == 100.0  # nothing moved
    assert any("collision, bed moved up to Z 0" in v for v in world.violations)
    assert "collision" in await gcode_error("G1 Z20 F600")
    assert await api.gcode("G1 Z40 F6000") == (200, {"result": "ok"})
    assert world.truth()["printers"][NAME]["bed_z_mm"] == 40.0
    world.violations.clear()
    world.operator("clear_printer_plate", printer=NAME)
    assert await api.gcode("G28") == (200, {"result": "ok"})
