"""The end-of-job quirks: stale COMPLETE, stuck at 99 %, Klippy lost mid-job (table-tested)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.ottoengine.farm.ports import PrinterState
from custom_components.ottoengine.klipper.quirks import (
    HistoryJob,
    TrackedJob,
    apply_quirks,
    observe,
    print_stats_key,
)
from custom_components.ottoengine.klipper.status import KlipperSnapshot

_STATES = {
    "standby": PrinterState.IDLE,
    "printing": PrinterState.RUNNING,
    "paused": PrinterState.PAUSED,
    "complete": PrinterState.FINISH,
    "cancelled": PrinterState.FAILED,
    "error": PrinterState.FAILED,
}


def seen(
    print_state: str, filename: str | None = "cube.gcode", total_duration: float = 50.0
) -> KlipperSnapshot:
    """A raw snapshot as ``derive_snapshot`` makes it for a ready Klippy."""
    return KlipperSnapshot(
        _STATES[print_state],
        print_state=print_state,
        klippy_state="ready",
        filename=filename,
        progress=1.0 if print_state == "complete" else 0.0,
        total_duration=total_duration,
    )


OLD_COMPLETE = seen("complete", total_duration=50.0)
JOB = TrackedJob(
    "cube.gcode", baseline_job_id="000007", baseline_print=print_stats_key(OLD_COMPLETE)
)


@pytest.mark.parametrize(
    ("job", "snapshot", "newest", "expected", "detail"),
    [
        # no job of ours: nothing changes
        (None, OLD_COMPLETE, None, PrinterState.FINISH, None),
        # the same file printed again: the old COMPLETE is not our end
        (JOB, OLD_COMPLETE, None, PrinterState.IDLE, "stale_end"),
        (
            JOB,
            OLD_COMPLETE,
            HistoryJob("000007", "cube.gcode", "completed"),
            PrinterState.IDLE,
            "stale_end",
        ),
        # another file's old end, same
        (replace(JOB, filename="other.gcode"), OLD_COMPLETE, None, PrinterState.IDLE, "stale_end"),
        (
            replace(JOB, baseline_print=print_stats_key(seen("cancelled"))),
            seen("cancelled"),
            None,
            PrinterState.IDLE,
            "stale_end",
        ),
        # an end that appeared after the start request (print_stats changed) is ours
        (JOB, seen("cancelled"), None, PrinterState.FAILED, None),
        # it was seen printing: the end is ours
        (replace(JOB, seen_active=True), OLD_COMPLETE, None, PrinterState.FINISH, None),
        (replace(JOB, seen_active=True), seen("cancelled"), None, PrinterState.FAILED, None),
        # started and ended between two reports: the history has a newer job of our file
        (
            JOB,
            OLD_COMPLETE,
            HistoryJob("000008", "cube.gcode", "completed"),
            PrinterState.FINISH,
            None,
        ),
        # ... but a newer job of another file is not ours
        (
            JOB,
            OLD_COMPLETE,
            HistoryJob("000008", "other.gcode", "completed"),
            PrinterState.IDLE,
            "stale_end",
        ),
        # ... or print_stats changed since the start (new total duration, our file)
        (JOB, seen("complete", total_duration=9.0), None, PrinterState.FINISH, None),
        (
            replace(JOB, baseline_print=None),
            seen("complete", total_duration=9.0),
            None,
            PrinterState.IDLE,
            "stale_end",
        ),
        # Klippy shut down with an old end frozen in print_stats: offline, not a stale end
        (
            JOB,
            replace(OLD_COMPLETE, state=PrinterState.OFFLINE, klippy_state="shutdown"),
            None,
            PrinterState.OFFLINE,
            None,
        ),
        # not an end state: untouched
        (JOB, seen("standby", None), None, PrinterState.IDLE, None),
        (JOB, seen("printing"), None, PrinterState.RUNNING, None),
    ],
)
def test_stale_complete(
    job: TrackedJob | None,
    snapshot: KlipperSnapshot,
    newest: HistoryJob | None,
    expected: PrinterState,
    detail: str | None,
) -> None:
    result = apply_quirks(job, snapshot, newest)
    assert (result.state, result.detail) == (expected, detail)
    if detail == "stale_end":
        assert result.to_printer_snapshot().progress_percent == 0


@pytest.mark.parametrize(
    ("last_progress", "seen_active", "now", "expected"),
    [
        (0.995, True, "standby", PrinterState.FINISH),
        (0.99, True, "standby", PrinterState.FINISH),
        (0.98, True, "standby", PrinterState.IDLE),  # stopped early: the farm fails it
        (0.995, False, "standby", PrinterState.IDLE),  # never seen printing
        (0.995, True, "printing", PrinterState.RUNNING),
        (0.995, True, "shutdown", PrinterState.OFFLINE),  # standby frozen by a shutdown
    ],
)
def test_stuck_at_99_then_standby_is_finished(
    last_progress: float, seen_active: bool, now: str, expected: PrinterState
) -> None:
    job = replace(JOB, seen_active=seen_active, last_progress=last_progress)
    if now == "shutdown":
        frozen = seen("standby", None)
        snapshot = replace(frozen, state=PrinterState.OFFLINE, klippy_state="shutdown")
        assert apply_quirks(job, snapshot).state is expected
        return
    snapshot = seen(now, None if now == "standby" else "cube.gcode")
    if now == "printing":
        snapshot = replace(snapshot, progress=0.995)
    result = apply_quirks(job, snapshot)
    assert result.state is expected
    if expected is PrinterState.FINISH:
        farm = result.to_printer_snapshot()
        assert (farm.job_name, farm.progress_percent) == ("cube.gcode", 100)
        assert result.detail == "finished_at_99"


def test_observe_follows_our_job_only() -> None:
    job = observe(JOB, replace(seen("printing"), progress=0.42))
    assert (job.seen_active, job.last_progress, job.last_print_state) == (True, 0.42, "printing")
    assert observe(JOB, seen("printing", "other.gcode")) == JOB
    assert observe(JOB, replace(seen("printing"), klippy_state="shutdown")) == JOB
    after = observe(job, seen("standby", None))
    assert (after.last_print_state, after.last_progress) == ("standby", 0.42)
    assert observe(JOB, seen("standby", None)) == JOB


@pytest.mark.parametrize(
    ("last", "detail", "expected"),
    [
        ("printing", "klippy_shutdown", PrinterState.FAILED),
        ("paused", "klippy_error", PrinterState.FAILED),
        ("printing", "klippy_disconnected", PrinterState.OFFLINE),  # may come back: wait
        ("complete", "klippy_shutdown", PrinterState.OFFLINE),  # ours had ended already
        (None, "klippy_shutdown", PrinterState.OFFLINE),
    ],
)
def test_klippy_lost_mid_job(last: str | None, detail: str, expected: PrinterState) -> None:
    job = replace(JOB, seen_active=last is not None, last_print_state=last)
    offline = KlipperSnapshot(PrinterState.OFFLINE, detail=detail, klippy_state="shutdown")
    result = apply_quirks(job, offline)
    assert result.state is expected
    if expected is PrinterState.FAILED:
        assert (result.detail, result.filename) == (detail, "cube.gcode")
