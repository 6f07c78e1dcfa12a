"""The brain's new state in isolation (fake clock, no servers): homing during a print, AMS
commands while printing, HMS / door / update offers, fans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.sim.clients import make_3mf, project_file
from tests.sim.test_brain import Harness

HOMED = 0x7
DOOR_OPEN = 0x00800000


def _print(command: str, **params: Any) -> dict[str, Any]:
    return {"print": {"sequence_id": "1", "command": command, **params}}


async def _start_print(harness: Harness, tmp_path: Path) -> None:
    (tmp_path / "job.gcode.3mf").write_bytes(make_3mf(prediction_s=600, layers=10))
    harness.request(project_file("job.gcode.3mf"))


async def test_a_print_homes_the_axes(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "P1S")
    (tmp_path / "job.gcode.3mf").write_bytes(make_3mf(prediction_s=600, layers=10))
    assert harness.brain.status["home_flag"] & HOMED == 0
    harness.request(project_file("job.gcode.3mf"))
    await harness.run(45)  # preheat (40 s) done, homing (15 s) under way
    assert harness.brain.status["home_flag"] & HOMED == 0
    await harness.run(30)
    assert harness.brain.status["home_flag"] & HOMED == HOMED


async def test_filament_cannot_change_while_printing(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "P1S")
    await _start_print(harness, tmp_path)
    await harness.run(10)
    harness.request(_print("ams_change_filament", ams_id=0, slot_id=1, target=1))
    reply = harness.replies("ams_change_filament")[-1]
    assert (reply["result"], reply["reason"]) == ("failed", "printer is busy")
    harness.request(_print("ams_filament_setting", ams_id=0, tray_id=1, tray_type="PLA",
                           tray_color="FFFFFFFF", tray_info_idx="GFA00"))  # fmt: skip
    assert harness.replies("ams_filament_setting")[-1]["result"] == "success"


async def test_unsigned_ams_commands_are_rejected_on_authorization_firmware(
    tmp_path: Path,
) -> None:
    harness = Harness(tmp_path, "X1C")
    harness.brain.set_reject_commands(True)
    harness.request(_print("extrusion_cali_sel", ams_id=0, tray_id=0, cali_idx=2))
    assert harness.replies("extrusion_cali_sel")[-1]["result"] == "failed"
    assert harness.brain.ams.report()["ams"][0]["tray"][0]["cali_idx"] == -1


async def test_hms_door_and_update_offer(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "X1C")
    brain = harness.brain
    entry = {"attr": 0x07002000, "code": 0x00020004}
    brain.add_hms([entry, entry])
    assert brain.status["hms"] == [entry]
    brain.set_door_open(True)
    assert brain.status["home_flag"] & DOOR_OPEN
    brain.offer_update("01.09.00.10")
    assert brain.status["upgrade_state"]["ota_new_version_number"] == "01.09.00.10"
    await harness.run(5)
    last = harness.reports()[-1]  # X1 sends the whole object every time
    assert last["hms"] == [entry]
    assert last["home_flag"] & DOOR_OPEN
    brain.clear_injected_hms()
    brain.set_door_open(False)
    assert brain.status["hms"] == []
    assert not brain.status["home_flag"] & DOOR_OPEN


async def test_fans_and_homing_ignore_comments_and_bad_words(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "P1P")
    harness.request(_print("gcode_line", param="; G28\nM106 P1 Sfast\nM106 P9 S255\n\n"))
    assert harness.brain.status["home_flag"] & HOMED == 0
    assert harness.brain.status["cooling_fan_speed"] == "0"
    harness.request(_print("gcode_line", param="G28 Z ; only Z\nM106 S510\n"))
    assert harness.brain.status["home_flag"] & HOMED == 0x4
    assert harness.brain.status["cooling_fan_speed"] == "15"  # clamped to 255
