"""``farm.figures``: today's jobs, success rate and print hours from the jobs' history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from custom_components.ottoengine.farm.figures import farm_figures, start_of_day
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings, PrintJob
from custom_components.ottoengine.farm.orchestration.runs import Run, RunKind
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.state import FarmState

BERLIN = ZoneInfo("Europe/Berlin")
# 14:00 in Berlin; local midnight is 23:00 UTC the day before.
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=BERLIN)
MIDNIGHT = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)


def _farm() -> FarmState:
    state = FarmState()
    state.add_print_item(
        PrintItem(1, "cube.gcode", "cube.gcode", 10, "0" * 64, NOW - timedelta(days=3))
    )
    return state


def _job(state: FarmState, *steps: tuple[JobStatus, datetime]) -> PrintJob:
    item = state.print_items[1]
    created = steps[0][1] - timedelta(minutes=1) if steps else NOW
    job = state.create_job(item, JobSettings(auto_start=True), created)
    for status, at in steps:
        job.transition(status, "test", at)
    return job


def test_no_jobs() -> None:
    figures = farm_figures(FarmState(), NOW).as_dict()
    assert figures == {
        "jobs_today": 0,
        "completed_today": 0,
        "failed_today": 0,
        "success_rate": None,
        "print_hours_today": 0.0,
        "print_hours_total": 0.0,
        "queued": 0,
        "active": 0,
    }


def test_today_is_the_local_day() -> None:
    assert start_of_day(NOW) == MIDNIGHT
    state = _farm()
    # Finished 30 minutes before local midnight (yesterday), after 2 hours of printing.
    yesterday = MIDNIGHT - timedelta(minutes=30)
    _job(
        state,
        (JobStatus.PRINTING, yesterday - timedelta(hours=2)),
        (JobStatus.COMPLETED, yesterday),
    )
    # Started an hour before midnight, completed an hour after it: 1 h today, 2 h in all.
    _job(
        state,
        (JobStatus.PRINTING, MIDNIGHT - timedelta(hours=1)),
        (JobStatus.EJECTING, MIDNIGHT + timedelta(hours=1)),
        (JobStatus.COMPLETED, MIDNIGHT + timedelta(hours=1, minutes=5)),
    )
    figures = farm_figures(state, NOW)
    assert figures.completed_today == 1
    assert figures.jobs_today == 1
    assert figures.print_hours_today == 1.0
    assert figures.print_hours_total == 4.0
    assert figures.success_rate == 100.0


def test_failed_running_queued_and_paused_jobs() -> None:
    state = _farm()
    morning = MIDNIGHT + timedelta(hours=8)
    _job(state, (JobStatus.PRINTING, morning), (JobStatus.COMPLETED, morning + timedelta(hours=1)))
    _job(state, (JobStatus.PRINTING, morning), (JobStatus.COMPLETED, morning + timedelta(hours=2)))
    _job(state, (JobStatus.PRINTING, morning), (JobStatus.FAILED, morning + timedelta(hours=1)))
    # Printing for an hour, paused for an hour (counts: the print waits on the bed), printing.
    printing = _job(
        state,
        (JobStatus.PRINTING, NOW - timedelta(hours=3)),
        (JobStatus.PAUSED, NOW - timedelta(hours=2)),
        (JobStatus.PRINTING, NOW - timedelta(hours=1)),
    )
    # A pause while ejecting is not printing.
    ejecting = _job(
        state,
        (JobStatus.PRINTING, morning),
        (JobStatus.EJECTING, morning + timedelta(hours=1)),
        (JobStatus.PAUSED, morning + timedelta(hours=2)),
    )
    _job(state)  # queued
    starting = _job(state)  # queued, its workflow starting
    state.runs[1] = Run(1, RunKind.JOB, printer_id=1, job_id=starting.id)
    cancelled = _job(state)
    cancelled.transition(JobStatus.CANCELLED, "no", NOW)
    figures = farm_figures(state, NOW)
    assert figures.completed_today == 2
    assert figures.failed_today == 1
    assert figures.success_rate == 66.7
    assert figures.jobs_today == 5  # the three ended, and the two that started today
    assert figures.print_hours_today == 1 + 2 + 1 + 3 + 1
    assert figures.print_hours_total == figures.print_hours_today
    assert figures.queued == 1
    assert figures.active == 3  # printing, ejecting (paused), starting
    assert printing.status is JobStatus.PRINTING
    assert ejecting.status is JobStatus.PAUSED
