"""The simulated firmware in isolation: fake clock, no servers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ottosim.bambu.brain import (
    PLATE_ERROR,
    PRINT_CANCELLED,
    PRINTER_BUSY,
    SD_CARD_ERROR,
    VERIFY_FAILED,
    PrinterBrain,
    file_name_from_url,
)
from ottosim.bambu.job_file import JobSpec, read_job
from ottosim.bambu.models import model_spec
from ottosim.world import World
from tests.sim.clients import make_3mf, project_file


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def read_inline(path: Path, param: str) -> JobSpec:
    return read_job(path, param)


class Harness:
    def __init__(self, tmp_path: Path, model: str = "P1S", *, plate: bool = True) -> None:
        self.world = World()
        self.world.add_printer("printer", model, with_plate=plate)
        self.sent: list[dict[str, Any]] = []
        self.clock = Clock()
        self.sdcard = tmp_path
        self.brain = PrinterBrain(
            world=self.world,
            name="printer",
            spec=model_spec(model),
            serial="01P00A000000001",
            ip="192.168.1.100",
            sdcard=tmp_path,
            send=self.sent.append,
            time_scale=1.0,
            clock=self.clock,
            job_reader=read_inline,
        )

    def request(self, message: dict[str, Any]) -> None:
        self.brain.handle_request(json.dumps(message).encode())

    async def run(self, seconds: float, step: float = 5.0) -> None:
        """Let simulated time pass, ticking like the real loop (and letting file reads finish)."""
        self.brain.tick()
        elapsed = 0.0
        while elapsed < seconds:
            await asyncio.sleep(0)
            self.clock.now += step
            elapsed += step
            self.brain.tick()

    def reports(self) -> list[dict[str, Any]]:
        return [m["print"] for m in self.sent if m.get("print", {}).get("command") == "push_status"]

    def replies(self, command: str) -> list[dict[str, Any]]:
        return [
            body
            for m in self.sent
            for body in m.values()
            if body.get("command") == command and "result" in body
        ]


PUSHALL = {"pushing": {"sequence_id": "0", "command": "pushall"}}


def test_full_report_then_deltas_on_p1(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "P1S")
    harness.request(PUSHALL)
    full = harness.reports()[-1]
    assert full["msg"] == 0
    assert full["gcode_state"] == "IDLE"
    assert full["stg_cur"] == 0  # P1 after boot
    assert full["net"]["info"][0]["ip"] == 1677830336  # 192.168.1.100 little-endian
    harness.request({"print": {"sequence_id": "1", "command": "print_speed", "param": "3"}})
    harness.brain.tick()
    delta = harness.reports()[-1]
    assert delta["msg"] == 1
    assert {"spd_lvl": 3, "spd_mag": 124}.items() <= delta.items()
    assert "gcode_state" not in delta


def test_x1_sends_full_objects(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "X1C")
    harness.request(PUSHALL)
    harness.request({"print": {"sequence_id": "1", "command": "print_speed", "param": "1"}})
    harness.brain.tick()
    report = harness.reports()[-1]
    assert report["msg"] == 0
    assert report["gcode_state"] == "IDLE"
    assert report["stg_cur"] == -1
    assert "fun" in report


async def test_print_lifecycle_and_world(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    (tmp_path / "part.gcode.3mf").write_bytes(make_3mf(prediction_s=3600, layers=60))
    harness.request(project_file("part.gcode.3mf"))
    assert harness.replies("project_file")[-1]["result"] == "success"
    assert harness.brain.gcode_state == "PREPARE"
    await harness.run(60)
    assert harness.brain.gcode_state == "PREPARE"
    assert harness.world.printers["printer"].printing is True
    assert harness.brain.status["nozzle_temper"] > 100
    await harness.run(200)
    assert harness.brain.gcode_state == "RUNNING"
    await harness.run(1800)
    status = harness.brain.status
    assert 45 <= status["mc_percent"] <= 55
    assert 25 <= status["mc_remaining_time"] <= 35  # minutes
    assert 25 <= status["layer_num"] <= 35
    assert status["total_layer_num"] == 60
    await harness.run(1900)
    assert harness.brain.gcode_state == "FINISH"
    assert status["mc_percent"] == 100
    body = harness.world.printers["printer"]
    assert body.printing is False
    assert body.plate is not None
    assert body.plate.print_label == "part@printer#1"
    states = [r["gcode_state"] for r in harness.reports() if "gcode_state" in r]
    assert states == ["PREPARE", "RUNNING", "FINISH"]


async def test_busy_printer_refuses_a_start_and_stop_cancels(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    (tmp_path / "a.gcode.3mf").write_bytes(make_3mf(prediction_s=3600, layers=10))
    harness.request(project_file("a.gcode.3mf"))
    await harness.run(300)
    harness.request(project_file("a.gcode.3mf"))
    refusal = harness.replies("project_file")[-1]
    assert (refusal["result"], refusal["err_code"]) == ("failed", PRINTER_BUSY)
    assert harness.brain.gcode_state == "RUNNING"
    harness.request({"print": {"sequence_id": "0", "command": "stop", "param": ""}})
    assert harness.brain.gcode_state == "FAILED"
    assert harness.brain.status["print_error"] == PRINT_CANCELLED
    plate = harness.world.printers["printer"].plate
    assert plate is not None
    assert plate.print_label == "a@printer#1 (incomplete)"


@pytest.mark.parametrize("content", [None, b"PK\x03\x04 truncated upload"])
async def test_unreadable_job_fails_with_sd_error(tmp_path: Path, content: bytes | None) -> None:
    harness = Harness(tmp_path)
    if content is not None:
        (tmp_path / "bad.gcode.3mf").write_bytes(content)
    harness.request(project_file("bad.gcode.3mf"))
    await harness.run(10)
    assert harness.brain.gcode_state == "FAILED"
    assert harness.brain.status["print_error"] == SD_CARD_ERROR
    assert harness.world.printers["printer"].printing is False


async def test_start_without_plate_fails_and_is_a_violation(tmp_path: Path) -> None:
    harness = Harness(tmp_path, plate=False)
    (tmp_path / "a.gcode.3mf").write_bytes(make_3mf(prediction_s=600, layers=10))
    harness.request(project_file("a.gcode.3mf"))
    await harness.run(10)
    assert harness.brain.gcode_state == "FAILED"
    assert harness.brain.status["print_error"] == PLATE_ERROR
    assert harness.brain.status["hms"]
    assert harness.world.violations == ["printer: print started with no build plate on the bed"]


async def test_authorization_firmware(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "P1P")
    harness.brain.set_reject_commands(True)
    harness.request({"print": {"sequence_id": "5", "command": "pause"}})
    reply = harness.replies("pause")[-1]
    assert reply["result"] == "failed"
    assert reply["reason"] == "mqtt message verify failed"
    assert reply["err_code"] == VERIFY_FAILED
    harness.request({"info": {"sequence_id": "0", "command": "get_version"}})
    ota = harness.replies("get_version")[-1]["module"][0]
    assert ota["sw_ver"] == "01.08.02.00"
    harness.brain.set_reject_commands(False)
    harness.request({"print": {"sequence_id": "6", "command": "pause"}})
    assert harness.replies("pause")[-1]["result"] == "success"


async def test_pushing_stop_and_start(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.request(PUSHALL)
    harness.request({"pushing": {"sequence_id": "0", "command": "stop"}})
    before = len(harness.reports())
    await harness.run(60)
    assert len(harness.reports()) == before
    harness.request({"pushing": {"sequence_id": "0", "command": "start"}})
    await harness.run(60)
    assert len(harness.reports()) > before


async def test_gcode_line_moves_the_bed_over_time(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "P1S")
    harness.request({"print": {"sequence_id": "0", "command": "gcode_line",
                               "param": "G90\nG1 Z200 F600\nM400\n"}})  # fmt: skip
    await harness.run(10, step=1.0)
    assert 100 < harness.world.printers["printer"].bed_z_mm < 200  # 10 mm/s from Z 10
    await harness.run(15, step=1.0)
    assert harness.world.printers["printer"].bed_z_mm == 200
    assert harness.world.printers["printer"].at_eject_position


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///sdcard/a.gcode.3mf", "a.gcode.3mf"),
        ("ftp:///a.gcode.3mf", "a.gcode.3mf"),
        ("ftp://a.gcode.3mf", "a.gcode.3mf"),
        ("file:///mnt/sdcard/a.gcode.3mf", "a.gcode.3mf"),
        ("ftp://sdcard/a.gcode.3mf", "a.gcode.3mf"),
        ("file:///sdcard/cache/b.gcode.3mf", "cache/b.gcode.3mf"),
    ],
)
def test_file_name_from_url(url: str, expected: str) -> None:
    assert file_name_from_url(url) == expected


async def test_gcode_file_prints_plain_gcode(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "A1")
    (tmp_path / "job.gcode").write_text(";TIME:600\n;LAYER_COUNT:12\nG28\n")
    harness.request({"print": {"sequence_id": "0", "command": "gcode_file",
                               "param": "/sdcard/job.gcode"}})  # fmt: skip
    assert harness.replies("gcode_file")[-1]["result"] == "success"
    await harness.run(900)
    assert harness.brain.gcode_state == "FINISH"
    assert harness.brain.status["total_layer_num"] == 12
    assert harness.brain.status["subtask_name"] == "job"
    plate = harness.world.printers["printer"].plate
    assert plate is not None
    assert plate.print_label == "job@printer#1"


def _events(world: World, kind: str) -> list[dict[str, Any]]:
    return [e for e in world.events if e["event"] == kind]


async def test_a_finished_print_is_as_tall_as_the_files_max_z(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    (tmp_path / "tall.gcode.3mf").write_bytes(make_3mf(prediction_s=600, layers=100, max_z_mm=87.5))
    harness.request(project_file("tall.gcode.3mf"))
    await harness.run(1200)
    assert harness.brain.gcode_state == "FINISH"
    plate = harness.world.printers["printer"].plate
    assert plate is not None
    assert (plate.print_label, plate.height_mm) == ("tall@printer#1", 87.5)
    [started] = _events(harness.world, "print_started")
    assert (started["device"], started["file"], started["job"]) == (
        "printer",
        "tall.gcode.3mf",
        "tall@printer#1",
    )
    [finished] = _events(harness.world, "print_finished")
    assert (finished["print"], finished["height_mm"]) == ("tall@printer#1", 87.5)
    assert started["seq"] < finished["seq"]


async def test_a_stopped_print_leaves_the_part_printed_so_far(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    (tmp_path / "half.gcode.3mf").write_bytes(
        make_3mf(prediction_s=1000, layers=100, max_z_mm=100.0)
    )
    harness.request(project_file("half.gcode.3mf"))
    await harness.run(160 + 500)  # preparation, then about half of the print
    assert harness.brain.gcode_state == "RUNNING"
    harness.request({"print": {"sequence_id": "0", "command": "stop", "param": ""}})
    plate = harness.world.printers["printer"].plate
    assert plate is not None
    assert plate.print_label == "half@printer#1 (incomplete)"
    assert plate.height_mm is not None
    assert 30 < plate.height_mm < 70
    [failed] = _events(harness.world, "print_failed")
    assert (failed["reason"], failed["print_error"], failed["started"]) == (
        "cancelled",
        PRINT_CANCELLED,
        True,
    )
    assert (failed["print"], failed["height_mm"]) == (plate.print_label, plate.height_mm)


async def test_an_unreadable_file_fails_before_the_print_starts(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.request(project_file("missing.gcode.3mf"))
    await harness.run(10)
    assert harness.brain.gcode_state == "FAILED"
    assert _events(harness.world, "print_started") == []
    [failed] = _events(harness.world, "print_failed")
    assert (failed["reason"], failed["started"], failed["print"]) == (
        "file_unreadable",
        False,
        None,
    )
    assert "no such file" in failed["error"]


async def test_a_finished_bed_move_is_logged(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "A1")
    harness.request({"print": {"sequence_id": "0", "command": "gcode_line",
                               "param": "G90\nG1 Y170 F600\n"}})  # fmt: skip
    await harness.run(5, step=1.0)
    assert _events(harness.world, "bed_moved") == []  # still moving (10 mm/s)
    await harness.run(20, step=1.0)
    [moved] = _events(harness.world, "bed_moved")
    assert (moved["axis"], moved["position_mm"], moved["at_eject_position"]) == ("Y", 170.0, True)
