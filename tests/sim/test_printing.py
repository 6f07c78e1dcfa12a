"""Prints on the simulated farm, driven over MQTT + FTPS like a real client would."""

from __future__ import annotations

from typing import Any

import pytest

from tests.farm_fixtures import FarmHandle
from tests.sim.clients import (
    REPORT_BUDGET_S,
    ReportStream,
    is_full_report,
    make_3mf,
    project_file,
    publish,
    reply_to,
    upload,
    wait_truth,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

PRINT_CANCELLED = 50348044
PRINTER_BUSY = 0x05004004


def command(name: str, **fields: Any) -> dict[str, Any]:
    return {"print": {"sequence_id": "0", "command": name, **fields}}


def state_is(*states: str) -> Any:
    return lambda state: state.get("gcode_state") in states


def test_project_file_walks_prepare_running_finish(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")
    name = printer["name"]
    upload(printer, "cube.gcode.3mf", make_3mf(prediction_s=900, layers=30))
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, project_file("cube.gcode.3mf"))
        assert reports.wait_for(reply_to("project_file"))["print"]["result"] == "success"
        seen: list[str] = []
        percents: list[int] = []

        def observe(state: dict[str, Any]) -> bool:
            if not seen or seen[-1] != state["gcode_state"]:
                seen.append(state["gcode_state"])
            if state["gcode_state"] == "RUNNING":
                percents.append(state["mc_percent"])
            return bool(state["gcode_state"] == "FINISH")

        reports.wait_state(observe, timeout=30)
        assert seen[-3:] == ["PREPARE", "RUNNING", "FINISH"]
        assert percents == sorted(percents)
        final = reports.state
        assert final["mc_percent"] == 100
        assert final["layer_num"] == final["total_layer_num"] == 30
        assert final["subtask_name"] == "cube"
        assert final["gcode_file"] == "cube.gcode.3mf"
        assert final["print_error"] == 0
        finish = next(
            m["print"]
            for m in reports.messages
            if m.get("print", {}).get("gcode_state") == "FINISH"
        )
        assert not is_full_report({"print": finish})  # P1 firmware: a delta, changed keys only
        assert len(finish) < 20

    truth = sim_farm.truth()
    assert truth["violations"] == []
    body = truth["printers"][name]
    assert body["printing"] is False
    assert body["plate"]["print"] == f"cube@{name}#1"

    # A second start on the plate that still holds the finished print fails with HMS.
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, project_file("cube.gcode.3mf"))
        reports.wait_state(lambda s: s["gcode_state"] == "FAILED", timeout=15)
        assert reports.state["print_error"] != 0
        assert reports.state["hms"]
    violations = sim_farm.truth()["violations"]
    assert any("on top of the finished print" in v for v in violations)


def test_start_while_busy_is_refused_and_stop_cancels(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("X1C")
    name = printer["name"]
    upload(printer, "long.gcode.3mf", make_3mf(prediction_s=36000, layers=500))
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, project_file("long.gcode.3mf"))
        reports.wait_state(state_is("RUNNING"), timeout=20)
        # X1 firmware sends the whole object every time.
        report = reports.wait_for(lambda m: "print" in m and "mc_percent" in m["print"])
        assert report["print"]["msg"] == 0
        assert "nozzle_temper" in report["print"]
        assert reports.state["gcode_file"] == "/data/Metadata/plate_1.gcode"

        publish(sim_farm, printer, project_file("long.gcode.3mf"))
        reply = reports.wait_for(reply_to("project_file"))["print"]
        assert reply["result"] == "failed"
        assert reply["err_code"] == PRINTER_BUSY
        assert sim_farm.printer_truth(name)["gcode_state"] == "RUNNING"
        assert sim_farm.printer_truth(name)["job"]["label"] == f"long@{name}#1"

        publish(sim_farm, printer, command("stop", param=""))
        reports.wait_state(state_is("FAILED"), timeout=10)
        assert reports.state["print_error"] == PRINT_CANCELLED
    body = sim_farm.truth()["printers"][name]
    assert body["printing"] is False
    assert body["plate"]["print"] == f"long@{name}#1 (incomplete)"


def test_pause_and_resume(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1P")
    upload(printer, "slow.gcode.3mf", make_3mf(prediction_s=36000, layers=300))
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, project_file("slow.gcode.3mf"))
        reports.wait_state(state_is("RUNNING"), timeout=20)
        publish(sim_farm, printer, command("pause"))
        reports.wait_state(state_is("PAUSE"), timeout=10)
        assert reports.state["stg_cur"] == 16
        frozen = sim_farm.printer_truth(printer["name"])["job"]["printed_s"]
        reports.wait_for(lambda m: "print" in m, timeout=REPORT_BUDGET_S)
        assert sim_farm.printer_truth(printer["name"])["job"]["printed_s"] == frozen
        publish(sim_farm, printer, command("resume"))
        reports.wait_state(state_is("RUNNING"), timeout=10)
        publish(sim_farm, printer, command("print_speed", param="4"))
        reports.wait_state(lambda s: s["spd_lvl"] == 4 and s["spd_mag"] == 166, timeout=10)
        publish(sim_farm, printer, command("stop"))
        reports.wait_state(state_is("FAILED"), timeout=10)


@pytest.mark.parametrize(
    ("model", "gcode", "axis", "target"),
    [
        ("A1", "G90\nG1 Y170 F600\n", "bed_y_mm", 170.0),
        ("P1P", "G90\nG1 Z200 F600\n", "bed_z_mm", 200.0),
    ],
)
def test_gcode_line_moves_the_bed(
    sim_farm: FarmHandle, model: str, gcode: str, axis: str, target: float
) -> None:
    printer = sim_farm.printer(model)
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, command("gcode_line", param=gcode))
        assert reports.wait_for(reply_to("gcode_line"))["print"]["result"] == "success"
    wait_truth(sim_farm, lambda t: t["printers"][printer["name"]][axis] == target, timeout=10)
    publish(sim_farm, printer, command("gcode_line", param="G91\nG1 Z-50\nG1 Y-20 F3000\n"))
    expected = target - (20.0 if axis == "bed_y_mm" else 50.0)
    wait_truth(sim_farm, lambda t: t["printers"][printer["name"]][axis] == expected, timeout=10)
