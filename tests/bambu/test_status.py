"""The normalised status model built from merged reports."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ottoengine.bambu import PrinterStatus, PrintState
from custom_components.ottoengine.bambu.merge import merge_report
from tests.bambu.reports import P1_DELTAS, P1S_RUNNING_FULL, X1C_IDLE_EXTERNAL_SPOOL


def test_p1s_running_full_report() -> None:
    status = PrinterStatus.from_report(P1S_RUNNING_FULL)
    assert status.status is PrintState.RUNNING
    assert status.current_stage == "PRINTING"
    assert status.current_stage_id == 0
    assert status.progress_percent == 37
    assert status.remaining_time_minutes == 52
    assert (status.nozzle_temperature, status.nozzle_target_temperature) == (219.8, 220.0)
    assert (status.bed_temperature, status.bed_target_temperature) == (64.9, 65.0)
    assert (status.layer, status.total_layers) == (41, 112)
    assert status.gcode_file == "bracket_v3.gcode.3mf"
    assert status.subtask_name == "bracket_v3"
    assert status.wifi_signal_dbm == -51
    assert status.ip_address == "192.168.1.100"
    assert status.prepare_percent == 100
    assert status.sdcard is True
    assert status.signing_required is None
    assert status.errors == ()
    assert status.is_busy
    filament = status.filament
    assert filament is not None
    assert (filament.source, filament.tray_id) == ("ams_1_tray_1", 0)
    assert (filament.material, filament.color, filament.name) == ("PLA", "1A1A1AFF", "PLA Basic")
    assert filament.remaining_percent == 82
    assert [t.source for t in status.trays] == ["ams_1_tray_1", "ams_1_tray_2"]
    assert status.trays[1].remaining_percent is None  # -1: unknown


def test_deltas_to_finish() -> None:
    state: dict[str, Any] = {}
    merge_report(state, P1S_RUNNING_FULL["print"])
    for delta in P1_DELTAS:
        merge_report(state, delta["print"])
    status = PrinterStatus.from_report(state)
    assert status.status is PrintState.FINISH
    assert status.current_stage == "IDLE"
    assert status.progress_percent == 100
    assert status.layer == 42
    assert not status.is_busy


def test_x1c_idle_with_external_spool_and_hms() -> None:
    status = PrinterStatus.from_report(X1C_IDLE_EXTERNAL_SPOOL)
    assert status.status is PrintState.IDLE
    assert status.current_stage == "IDLE"
    assert status.chamber_temperature == 31.0
    assert status.signing_required is True  # fun ...AFFF9CFF has bit 0x20000000
    assert status.filament is not None
    assert status.filament.source == "external_spool"
    assert status.filament.material == "PETG"
    assert status.filament.color == "898989FF"
    assert status.filament.name is None
    (error,) = status.errors
    assert error.kind == "hms"
    assert error.code == "HMS_0C00_0300_0003_0007"
    assert error.description.startswith("Possible first layer defects have been detected")
    assert (error.severity, error.module) == ("common", "camera")
    assert error.url == (
        "https://wiki.bambulab.com/en/x1/troubleshooting/hmscode/0C00_0300_0003_0007"
    )


def test_cancelled_print() -> None:
    status = PrinterStatus.from_report(
        {"gcode_state": "FAILED", "print_error": 50348044, "stg_cur": 255}
    )
    assert status.status is PrintState.FAILED
    assert status.cancelled
    assert status.errors[0].code == "0300_400C"
    assert status.errors[0].description == "Print cancelled"


def test_fun_bit_clear_means_no_signing() -> None:
    assert PrinterStatus.from_report({"fun": "3EC18FFF9CFF"}).signing_required is False


@pytest.mark.parametrize(
    ("report", "stage"),
    [
        ({"stg_cur": 2}, "HEATBED_PREHEATING"),
        ({"stg_cur": 0, "print_type": "idle"}, "IDLE"),
        ({"stg_cur": 77}, "PREPARING_AMS"),
        ({"stg_cur": 66}, "STAGE_66"),
        ({}, "IDLE"),
    ],
)
def test_stage_names(report: dict[str, Any], stage: str) -> None:
    assert PrinterStatus.from_report(report).current_stage == stage


def test_offline_and_unknown_states() -> None:
    assert PrinterStatus.from_report(P1S_RUNNING_FULL, online=False).status is PrintState.OFFLINE
    assert PrinterStatus.from_report({}).status is PrintState.UNKNOWN
    assert PrinterStatus.from_report({"gcode_state": "WEIRD"}).status is PrintState.UNKNOWN
    assert PrinterStatus.from_report({"gcode_state": "SLICING"}).is_busy


def test_ams_ht_tray_and_missing_active_tray() -> None:
    report = {
        "ams": {
            "ams": [{"id": "128", "tray": [{"id": "0", "tray_type": "PA-CF"}]}],
            "tray_now": "128",
        }
    }
    status = PrinterStatus.from_report(report)
    assert status.filament is not None
    assert (status.filament.source, status.filament.tray_id) == ("ams_ht_1_tray_1", 128)
    report["ams"]["tray_now"] = "255"
    assert PrinterStatus.from_report(report).filament is None


def test_h2d_packed_nozzle_temperature() -> None:
    report = {"device": {"extruder": {"info": [{"id": 0, "temp": (220 << 16) | 215}]}}}
    status = PrinterStatus.from_report(report)
    assert (status.nozzle_temperature, status.nozzle_target_temperature) == (215.0, 220.0)
