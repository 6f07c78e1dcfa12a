"""Klipper's end-of-job quirks, as pure functions the port applies to each snapshot.

- **Stale COMPLETE**: ``print_stats`` keeps the last job's ``complete`` (and filename) until a
  new job starts. Right after our start request it still says ``complete`` — possibly with the
  same filename when a file is printed again — and must not read as "our job finished". An end
  state belongs to the job the driver started only once that job was seen active
  (``printing``/``paused`` after the request), or when it ended between two reports: Moonraker's
  job history holds a newer job of that file than the newest at the request, or ``print_stats``
  (state, filename, total duration) changed since the request and names our file. Until then the printer reads IDLE (so a start that never happens times out instead
  of looking finished).
- **Stuck at 99 %**: some end macros (``SDCARD_RESET_FILE`` in a K1's ``END_PRINT``, firmware
  that never reaches 100 %) leave the printer in ``standby`` instead of ``complete``. A job seen
  active whose last progress was ≥ 99 % and that drops to ``standby`` finished (OTTOMAT3D's
  rule).
- **Klippy lost mid-job**: a shutdown/error while the tracked job was printing or paused fails
  that job (FAILED with the ``klippy_*`` detail) even once the frozen objects are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from ..farm.ports import PrinterState
from .status import KlipperSnapshot

FINISHED_PROGRESS: Final = 0.99
END_PRINT_STATES: Final = frozenset({"complete", "cancelled", "error"})


type PrintStatsKey = tuple[str | None, str | None, float]  # state, filename, total_duration


def print_stats_key(snapshot: KlipperSnapshot) -> PrintStatsKey:
    """What changes in ``print_stats`` whenever a job starts or ends."""
    return (snapshot.print_state, snapshot.filename, snapshot.total_duration)


@dataclass(frozen=True, slots=True)
class HistoryJob:
    """The newest entry of Moonraker's job history (``server.history.list?limit=1``)."""

    job_id: str
    filename: str | None
    status: str  # completed, cancelled, error, klippy_shutdown, ..., in_progress


@dataclass(frozen=True, slots=True)
class TrackedJob:
    """The job this driver started, and what has been seen of it since."""

    filename: str
    baseline_job_id: str | None = None  # newest history job when the start was requested
    baseline_print: PrintStatsKey | None = None  # print_stats when the start was requested
    seen_active: bool = False
    last_progress: float = 0.0  # while it was seen active
    last_print_state: str | None = None  # the last print_stats state seen for this job


def same_file(reported: str | None, ours: str) -> bool:
    """Whether ``print_stats.filename`` (relative to ``gcodes``) names our file."""
    if not reported:
        return False
    return reported.strip("/").casefold() == ours.strip("/").casefold()


def observe(job: TrackedJob, snapshot: KlipperSnapshot) -> TrackedJob:
    """The tracked job after one snapshot: marks it seen active and keeps its last progress."""
    if snapshot.print_state is None or snapshot.klippy_state != "ready":
        return job
    if snapshot.print_state in {"printing", "paused"} and same_file(
        snapshot.filename, job.filename
    ):
        return replace(
            job,
            seen_active=True,
            last_progress=snapshot.progress,
            last_print_state=snapshot.print_state,
        )
    if job.seen_active:
        return replace(job, last_print_state=snapshot.print_state)
    return job


def lost_with_klippy(job: TrackedJob | None, snapshot: KlipperSnapshot) -> bool:
    """Klippy shut down, failed or vanished while the tracked job was printing or paused.

    The job cannot continue (FIRMWARE_RESTART resets ``print_stats``), even when the objects
    frozen at the shutdown are no longer known (the status was polled meanwhile).
    """
    return (
        job is not None
        and job.last_print_state in {"printing", "paused"}
        and snapshot.state is PrinterState.OFFLINE
        and snapshot.detail in {"klippy_shutdown", "klippy_error"}
    )


def history_shows_new_job(job: TrackedJob, newest: HistoryJob | None) -> bool:
    """The history's newest job is ours and newer than the one at the start request."""
    return (
        newest is not None
        and newest.job_id != job.baseline_job_id
        and same_file(newest.filename, job.filename)
    )


def is_stale_end(
    job: TrackedJob | None, snapshot: KlipperSnapshot, newest: HistoryJob | None = None
) -> bool:
    """``print_stats`` shows an end state that is not (yet) the end of the tracked job."""
    if (
        job is None
        or snapshot.klippy_state != "ready"  # frozen objects of a stopped Klippy: not an end
        or snapshot.print_state not in END_PRINT_STATES
    ):
        return False
    if job.seen_active or history_shows_new_job(job, newest):
        return False
    changed_since_start = (
        job.baseline_print is not None and print_stats_key(snapshot) != job.baseline_print
    )
    return not (changed_since_start and same_file(snapshot.filename, job.filename))


def finished_at_99(job: TrackedJob | None, snapshot: KlipperSnapshot) -> bool:
    """The tracked job was active at ≥ 99 % and the printer dropped to ``standby``."""
    return (
        job is not None
        and job.seen_active
        and snapshot.klippy_state == "ready"
        and snapshot.print_state == "standby"
        and job.last_progress >= FINISHED_PROGRESS
    )


def job_name(job: TrackedJob | None) -> str | None:
    return job.filename if job is not None else None


def apply_quirks(
    job: TrackedJob | None, snapshot: KlipperSnapshot, newest: HistoryJob | None = None
) -> KlipperSnapshot:
    """The snapshot the farm should see, given the tracked job (see the module docstring)."""
    if is_stale_end(job, snapshot, newest):
        return replace(
            snapshot,
            state=PrinterState.IDLE,
            detail="stale_end",
            progress=0.0,
            remaining_seconds=None,
            message=None,
        )
    if lost_with_klippy(job, snapshot):
        return replace(
            snapshot, state=PrinterState.FAILED, filename=snapshot.filename or job_name(job)
        )
    if job is not None and finished_at_99(job, snapshot):
        return replace(
            snapshot,
            state=PrinterState.FINISH,
            detail="finished_at_99",
            filename=snapshot.filename or job.filename,
            progress=1.0,
        )
    return snapshot
