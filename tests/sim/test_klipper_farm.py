"""A Klipper printer (K1C) in the simulated farm: a whole print through real Moonraker HTTP, then
the OttoEject takes it off; faults, operator actions and /reset through the control endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
import urllib.error
import urllib.request

import pytest

from tests.farm_fixtures import FarmControlError, FarmHandle, run_farm
from tests.sim.klipper_helpers import Moonraker, prusa_style_gcode, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

NAME = "k1c-1"
EJECT = "EJECT_FROM_CREALITY_K_ONE_C"
LOAD = "LOAD_ONTO_CREALITY_K_ONE_C"


@pytest.fixture(scope="module")
def klipper_farm() -> Iterator[FarmHandle]:
    """One K1C, one OttoEject with a 6-shelf rack, no Bambu printer; time scale 200."""
    with run_farm(printers=0, ejectors=1, shelves=6, klipper_printers=1) as farm:
        yield farm


def moonraker(farm: FarmHandle, section: str = "klipper_printers", index: int = 0) -> Moonraker:
    device = farm.description[section][index]
    return Moonraker(f"http://{device['ip']}:{device['port']}")


def printer_truth(farm: FarmHandle) -> dict[str, Any]:
    return dict(farm.truth()["printers"][NAME])


async def test_describe_lists_the_klipper_printer(klipper_farm: FarmHandle) -> None:
    (entry,) = klipper_farm.description["klipper_printers"]
    assert entry["name"] == NAME
    assert entry["model"] == "K1C"
    assert entry["ip"].startswith("127.0.3.")
    assert entry["port"] == 7125
    assert entry["api_key"] is None
    assert klipper_farm.description["printers"] == []


async def test_whole_print_then_the_ottoeject_ejects_it(
    klipper_farm: FarmHandle, loopback_enabled: None, tmp_path: Path
) -> None:
    farm = klipper_farm
    api = moonraker(farm)
    robot = moonraker(farm, "ejectors")
    source = tmp_path / "benchy.gcode"
    source.write_text(prusa_style_gcode(minutes=20, layers=120, layer_height=0.3))
    code, body = await api.upload(source)
    assert code == 201, body
    assert body["item"]["path"] == "benchy.gcode"

    async def metadata() -> dict[str, Any] | None:
        code, body = await api.get("/server/files/metadata?filename=benchy.gcode")
        return body["result"] if code == 200 and "estimated_time" in body["result"] else None

    meta = await wait_for(metadata)
    assert meta["estimated_time"] == 1200
    assert meta["layer_count"] == 120
    assert meta["object_height"] == 36.0
    code, body = await api.post("/printer/print/start?filename=benchy.gcode")
    assert (code, body) == (200, {"result": "ok"})
    device = farm.truth()["devices"]["printers"][NAME]
    assert device["driver"] == "klipper"
    assert {"path": "benchy.gcode", "size": source.stat().st_size} in device["files"]

    seen: list[float] = []

    async def complete() -> bool:
        status = await api.query("print_stats", "virtual_sdcard")
        seen.append(status["virtual_sdcard"]["progress"])
        return bool(status["print_stats"]["state"] == "complete")

    await wait_for(complete, timeout=60)
    assert len({p for p in seen if 0.01 < p < 0.99}) >= 3, seen  # progress moved
    truth = printer_truth(farm)
    assert truth["plate"]["print"] == f"benchy@{NAME}#1"
    assert truth["plate"]["height_mm"] == 36.0
    assert truth["bed_z_mm"] == 200.0  # END_PRINT's G1 Z200 F600
    assert truth["at_eject_position"] is True
    finished = farm.events(event="print_finished", device=NAME)
    assert finished[-1]["height_mm"] == 36.0
    code, body = await api.get("/server/history/list?limit=1")
    assert code == 200
    (job,) = body["result"]["jobs"]
    assert (job["filename"], job["status"]) == ("benchy.gcode", "completed")

    code, body = await robot.gcode(EJECT)
    assert code == 200, body
    code, body = await robot.gcode("STORE_TO_SLOT_1")
    assert code == 200, body
    code, body = await robot.gcode("GRAB_FROM_SLOT_6")
    assert code == 200, body
    code, body = await robot.gcode(LOAD)
    assert code == 200, body
    truth = farm.truth()
    assert truth["violations"] == []
    assert truth["racks"]["rack-1"]["1"]["print"] == f"benchy@{NAME}#1"
    assert truth["printers"][NAME]["plate"]["print"] is None
    assert truth["stored_prints"] == {f"benchy@{NAME}#1": 1}
    # Stale: the printer still says complete with the old file until the next print.
    status = await api.query("print_stats")
    assert status["print_stats"]["state"] == "complete"
    assert status["print_stats"]["filename"] == "benchy.gcode"


async def test_eject_refused_while_the_bed_is_not_in_position(
    klipper_farm: FarmHandle, loopback_enabled: None
) -> None:
    """A firmware restart leaves the bed where it is; lowering it by hand to Z 100 is not the
    eject position: the OttoEject's eject macro fails, the collision is a violation."""
    farm = klipper_farm
    api = moonraker(farm)
    robot = moonraker(farm, "ejectors")
    code, _ = await api.gcode("G28\nG90\nG1 Z100 F6000")
    assert code == 200
    assert printer_truth(farm)["at_eject_position"] is False
    code, body = await robot.gcode(EJECT)
    assert code == 400
    assert "collision" in body["error"]["traceback"]
    violations = farm.truth()["violations"]
    assert any("EJECT from k1c-1 with its bed at Z 100" in v for v in violations)
    assert farm.truth()["ejectors"]["ottoeject-1"]["gripper"] is None


async def test_faults_and_reset(klipper_farm: FarmHandle, loopback_enabled: None) -> None:
    farm = klipper_farm
    api = moonraker(farm)
    with pytest.raises(FarmControlError) as err:
        farm.fault(NAME, "print_error")
    assert err.value.status == 409  # not printing
    with pytest.raises(FarmControlError) as err:
        farm.fault(NAME, "no_such_fault")
    assert err.value.status == 400

    farm.fault(NAME, "shutdown")
    await wait_for(lambda: _klippy_is(api, "shutdown"))
    assert farm.truth()["devices"]["printers"][NAME]["klippy_state"] == "shutdown"
    farm.reset()
    await wait_for(lambda: _klippy_is(api, "ready"))

    farm.fault(NAME, "moonraker_down")
    assert _unreachable(api.base + "/server/info")
    assert farm.truth()["devices"]["printers"][NAME]["moonraker_running"] is False
    farm.reset()
    await wait_for(lambda: _klippy_is(api, "ready"))
    events = farm.events(event="fault_injected", device=NAME)
    assert [e["fault"] for e in events][-2:] == ["shutdown", "moonraker_down"]


async def test_operator_and_plate_rules(klipper_farm: FarmHandle, loopback_enabled: None) -> None:
    farm = klipper_farm
    farm.operator("remove_plate_from_printer", printer=NAME)
    assert printer_truth(farm)["plate"] is None
    result = farm.operator("put_plate_on_printer", printer=NAME)
    assert printer_truth(farm)["plate"]["plate_id"] == result["plate_id"]


async def _klippy_is(api: Moonraker, state: str) -> bool:
    return await api.klippy_state() == state


def _unreachable(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.URLError, ConnectionError, TimeoutError:
        return True
    return False
