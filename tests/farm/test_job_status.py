"""The print job state machine: every legal change is allowed, every other one refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ottoengine.farm.job_status import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    IllegalTransitionError,
    JobStatus,
    can_transition,
)
from custom_components.ottoengine.farm.jobs import JobSettings, PrintJob

T0 = datetime(2026, 5, 21, 10, 0, tzinfo=UTC)

LEGAL = {
    ("NEW", "QUEUED"),
    ("NEW", "CANCELLED"),
    ("QUEUED", "NEW"),
    ("QUEUED", "PRINTING"),
    ("QUEUED", "FAILED"),
    ("QUEUED", "CANCELLED"),
    ("PRINTING", "PAUSED"),
    ("PRINTING", "EJECTING"),
    ("PRINTING", "COMPLETED"),
    ("PRINTING", "FAILED"),
    ("PRINTING", "CANCELLED"),
    ("PAUSED", "PRINTING"),
    ("PAUSED", "EJECTING"),
    ("PAUSED", "STORING"),
    ("PAUSED", "COMPLETED"),
    ("PAUSED", "FAILED"),
    ("PAUSED", "CANCELLED"),
    ("EJECTING", "PAUSED"),
    ("EJECTING", "STORING"),
    ("EJECTING", "COMPLETED"),
    ("EJECTING", "FAILED"),
    ("EJECTING", "CANCELLED"),
    ("STORING", "PAUSED"),
    ("STORING", "COMPLETED"),
    ("STORING", "FAILED"),
    ("STORING", "CANCELLED"),
}


@pytest.mark.parametrize("current", list(JobStatus))
@pytest.mark.parametrize("target", list(JobStatus))
def test_transition_table(current: JobStatus, target: JobStatus) -> None:
    assert can_transition(current, target) is ((current.value, target.value) in LEGAL)


def test_final_statuses_have_no_way_out() -> None:
    for status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED):
        assert status.is_finished
        assert TRANSITIONS[status] == frozenset()
    assert not JobStatus.PAUSED.is_finished
    assert {"QUEUED", "PRINTING", "PAUSED", "EJECTING", "STORING"} == ACTIVE_STATUSES
    assert {status for status in JobStatus if status.is_editable} == {"NEW", "QUEUED"}


def _job(auto_start: bool = True) -> PrintJob:
    return PrintJob.create(7, 1, "cube.gcode", JobSettings(auto_start=auto_start), T0)


def test_the_full_loop_is_recorded() -> None:
    job = _job(auto_start=False)
    assert job.status is JobStatus.NEW
    steps = [
        (JobStatus.QUEUED, "started"),
        (JobStatus.PRINTING, "print started"),
        (JobStatus.EJECTING, "print done"),
        (JobStatus.STORING, "ejected"),
        (JobStatus.COMPLETED, "stored in shelf 3"),
    ]
    for minutes, (target, reason) in enumerate(steps, start=1):
        change = job.transition(target, reason, T0 + timedelta(minutes=minutes))
        assert (change.old_status, change.new_status, change.reason) == (
            steps[minutes - 2][0] if minutes > 1 else JobStatus.NEW,
            target,
            reason,
        )
    assert job.started_at == T0 + timedelta(minutes=2)
    assert job.completed_at == T0 + timedelta(minutes=5)
    assert job.progress_percent == 100
    assert job.status_message == "stored in shelf 3"
    assert [change.new_status for change in job.history] == [
        "NEW",
        "QUEUED",
        "PRINTING",
        "EJECTING",
        "STORING",
        "COMPLETED",
    ]
    assert job.history[-1].as_dict() == {
        "old_status": "STORING",
        "new_status": "COMPLETED",
        "at": "2026-05-21T10:05:00.000Z",
        "reason": "stored in shelf 3",
    }


def test_illegal_transition_changes_nothing() -> None:
    job = _job()
    with pytest.raises(IllegalTransitionError) as err:
        job.transition(JobStatus.COMPLETED, "too early", T0)
    assert (err.value.current, err.value.target, err.value.job_id) == ("QUEUED", "COMPLETED", 7)
    assert str(err.value) == "Print job 7 is QUEUED; it cannot become COMPLETED"
    assert job.status is JobStatus.QUEUED
    assert len(job.history) == 1


def test_pause_resumes_where_it_was() -> None:
    job = _job()
    job.transition(JobStatus.PRINTING, "go", T0)
    job.transition(JobStatus.EJECTING, "done", T0)
    job.transition(JobStatus.PAUSED, "robot issue", T0)
    assert job.paused_from() is JobStatus.EJECTING
    with pytest.raises(IllegalTransitionError):
        job.transition(JobStatus.PRINTING, "resume", T0)
    job.transition(JobStatus.EJECTING, "resume", T0)
    # Restarting after a pause keeps the first start time.
    assert job.started_at == T0


def test_progress_is_clamped() -> None:
    job = _job()
    job.set_progress(150)
    assert job.progress_percent == 100
    job.set_progress(-3)
    assert job.progress_percent == 0


def test_paused_from_without_a_pause() -> None:
    assert _job().paused_from() is None
