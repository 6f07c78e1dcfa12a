"""The mapping of Moonraker's merged status to the farm's printer model (table-tested)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ottoengine.farm.ports import PrinterState
from custom_components.ottoengine.klipper.status import (
    KlipperSnapshot,
    Temperatures,
    derive_snapshot,
    remaining_seconds,
)


def objects(state: str, **extra: Any) -> dict[str, dict[str, Any]]:
    """Objects as Moonraker sends them (shapes from the reference sheet's measured examples)."""
    result: dict[str, dict[str, Any]] = {
        "print_stats": {
            "filename": "cube.gcode" if state != "standby" else "",
            "total_duration": 120.0,
            "print_duration": 100.0,
            "filament_used": 10.0,
            "state": state,
            "message": "",
            "info": {"total_layer": None, "current_layer": None},
        },
        "virtual_sdcard": {"progress": 0.25, "is_active": state == "printing"},
        "display_status": {"progress": 0.5, "message": None},
        "extruder": {"temperature": 210.0, "target": 210.0},
        "heater_bed": {"temperature": 60.0, "target": 60.0},
        "webhooks": {"state": "ready", "state_message": "Printer is ready"},
        "toolhead": {"position": [10.0, 20.0, 4.2, 100.0], "homed_axes": "xyz"},
        "idle_timeout": {"state": "Printing"},
    }
    for name, fields in extra.items():
        result.setdefault(name, {}).update(fields)
    return result


def ready(objs: dict[str, dict[str, Any]], **kwargs: Any) -> KlipperSnapshot:
    return derive_snapshot(
        reachable=True, klippy_connected=True, klippy_state="ready", objects=objs, **kwargs
    )


@pytest.mark.parametrize(
    ("print_state", "expected", "detail"),
    [
        ("standby", PrinterState.IDLE, None),
        ("printing", PrinterState.RUNNING, None),
        ("paused", PrinterState.PAUSED, None),
        ("complete", PrinterState.FINISH, None),
        ("cancelled", PrinterState.FAILED, "cancelled"),
        ("error", PrinterState.FAILED, "error"),
        ("something_new", PrinterState.UNKNOWN, None),
    ],
)
def test_print_states(print_state: str, expected: PrinterState, detail: str | None) -> None:
    snapshot = ready(objects(print_state))
    assert (snapshot.state, snapshot.detail) == (expected, detail)


@pytest.mark.parametrize(
    ("link", "klippy", "print_state", "expected", "detail"),
    [
        ((False, False), None, "printing", PrinterState.OFFLINE, "unreachable"),
        ((True, False), "disconnected", "printing", PrinterState.OFFLINE, "klippy_disconnected"),
        ((True, False), None, None, PrinterState.OFFLINE, "klippy_disconnected"),
        ((True, True), "startup", "standby", PrinterState.OFFLINE, "klippy_startup"),
        ((True, True), "shutdown", "standby", PrinterState.OFFLINE, "klippy_shutdown"),
        ((True, True), "error", "complete", PrinterState.OFFLINE, "klippy_error"),
        # e-stop mid-print: print_stats frozen at paused/printing, the job is lost
        ((True, True), "shutdown", "paused", PrinterState.FAILED, "klippy_shutdown"),
        ((True, True), "error", "printing", PrinterState.FAILED, "klippy_error"),
    ],
)
def test_klippy_states_gate_print_stats(
    link: tuple[bool, bool],
    klippy: str | None,
    print_state: str | None,
    expected: PrinterState,
    detail: str,
) -> None:
    objs = objects(print_state) if print_state else {}
    reachable, connected = link
    snapshot = derive_snapshot(
        reachable=reachable,
        klippy_connected=connected,
        klippy_state=klippy,
        objects=objs,
        state_message="Lost communication with MCU 'mcu'" if klippy == "shutdown" else None,
    )
    assert (snapshot.state, snapshot.detail) == (expected, detail)
    assert not snapshot.to_printer_snapshot().online or expected is PrinterState.FAILED
    if klippy == "shutdown":
        assert snapshot.message == "Lost communication with MCU 'mcu'"


def test_ready_without_objects_yet_is_unknown() -> None:
    snapshot = ready({})
    assert snapshot.state is PrinterState.UNKNOWN


@pytest.mark.parametrize(
    ("extruder", "bed", "detail"),
    [
        ({"temperature": 25.0, "target": 210.0}, {"temperature": 60.0, "target": 60.0}, "heating"),
        ({"temperature": 210.0, "target": 210.0}, {"temperature": 30.0, "target": 60.0}, "heating"),
        (
            {"temperature": 209.0, "target": 210.0},
            {"temperature": 59.0, "target": 60.0},
            "preparing",
        ),
        ({"temperature": 25.0, "target": 0.0}, {"temperature": 25.0, "target": 0.0}, "preparing"),
    ],
)
def test_printing_before_first_extrusion_is_preparing(
    extruder: dict[str, float], bed: dict[str, float], detail: str
) -> None:
    objs = objects("printing", extruder=extruder, heater_bed=bed)
    objs["print_stats"]["print_duration"] = 0.0
    snapshot = ready(objs)
    assert (snapshot.state, snapshot.detail) == (PrinterState.PREPARING, detail)


def test_running_details_progress_layers_temperatures() -> None:
    objs = objects("printing")
    objs["print_stats"]["info"] = {"total_layer": 40, "current_layer": 12}
    snapshot = ready(objs, estimated_time=400.0)
    assert snapshot.filename == "cube.gcode"
    assert snapshot.progress_percent == 50  # display_status (M73) wins over the file position
    assert snapshot.remaining_seconds == 300  # estimate 400 s - 100 s printed
    assert (snapshot.layer, snapshot.total_layers) == (12, 40)
    assert snapshot.temperatures == Temperatures(210.0, 210.0, 60.0, 60.0)
    assert (snapshot.z_position, snapshot.motion_busy) == (4.2, True)
    farm = snapshot.to_printer_snapshot()
    assert (farm.state, farm.job_name, farm.progress_percent) == (
        PrinterState.RUNNING,
        "cube.gcode",
        50,
    )
    assert (farm.remaining_minutes, farm.layer, farm.total_layers) == (5, 12, 40)


def test_layers_from_metadata_and_progress_from_sdcard() -> None:
    objs = objects("paused")
    del objs["display_status"]
    snapshot = ready(objs, total_layers_hint=30)
    assert (snapshot.total_layers, snapshot.layer, snapshot.progress_percent) == (30, None, 25)
    assert snapshot.remaining_seconds == 300  # 100 s for 25 %: 300 s for the rest


def test_finish_is_full_progress_and_failure_carries_message() -> None:
    assert ready(objects("complete")).progress_percent == 100
    objs = objects("error")
    objs["print_stats"]["message"] = "Move out of range: 0.000 0.000 300.000 [0.000]"
    snapshot = ready(objs)
    assert snapshot.message == "Move out of range: 0.000 0.000 300.000 [0.000]"
    idle = ready(objects("standby"))
    assert (idle.progress, idle.filename, idle.remaining_seconds, idle.message) == (
        0.0,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("progress", "printed", "total", "estimate", "expected"),
    [
        (0.5, 100.0, 120.0, 400.0, 300),
        (0.5, 500.0, 520.0, 400.0, 0),  # slower than the slicer said: never negative
        (0.5, 100.0, 120.0, None, 100),
        (0.5, 0.0, 120.0, None, 120),  # nothing extruded yet: the elapsed total time
        (0.0, 0.0, 5.0, None, None),
        (0.4, 0.0, 0.0, 0.0, None),
    ],
)
def test_remaining_seconds(
    progress: float, printed: float, total: float, estimate: float | None, expected: int | None
) -> None:
    assert (
        remaining_seconds(
            progress=progress,
            print_duration=printed,
            total_duration=total,
            estimated_time=estimate,
        )
        == expected
    )


def test_malformed_numbers_are_ignored() -> None:
    objs = objects("printing", extruder={"temperature": "hot", "target": True})
    objs["display_status"]["progress"] = None
    objs["virtual_sdcard"]["progress"] = 1.7
    snapshot = ready(objs)
    assert snapshot.temperatures.extruder is None
    assert snapshot.temperatures.extruder_target is None
    assert snapshot.progress == 1.0


def test_bed_position_and_motion_after_the_print() -> None:
    """After END_PRINT the farm can see the bed at Z 200 and the move done (idle_timeout)."""
    objs = objects("complete", toolhead={"position": [0.0, 0.0, 200.0, 0.0]})
    objs["idle_timeout"]["state"] = "Ready"
    snapshot = ready(objs)
    assert (snapshot.z_position, snapshot.motion_busy) == (200.0, False)
    objs["toolhead"]["position"] = None
    assert ready(objs).z_position is None
