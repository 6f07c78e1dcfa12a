"""The farm's figures of the day, from its jobs' history (the farm panel's header).

"Today" is the local day of ``now`` (pass ``now`` in Home Assistant's time zone): from its
midnight to ``now``. A job *prints* from its change to PRINTING until it leaves PRINTING (a pause
while printing included) for EJECTING, STORING or a final status; a job still printing counts
until ``now``. Nothing here is stored: the figures follow the jobs' transitions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from .job_status import ACTIVE_STATUSES, JobStatus
from .jobs import PrintJob
from .state import FarmState


@dataclass(frozen=True, slots=True)
class FarmFigures:
    jobs_today: int  # jobs that started printing or ended (completed / failed) today
    completed_today: int
    failed_today: int
    success_rate: float | None  # % of today's ended jobs that completed; None: none ended
    print_hours_today: float
    print_hours_total: float
    queued: int  # waiting for a printer (QUEUED, no workflow yet)
    active: int  # in a workflow or on a printer (starting, printing, ejecting, storing)

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "jobs_today": self.jobs_today,
            "completed_today": self.completed_today,
            "failed_today": self.failed_today,
            "success_rate": self.success_rate,
            "print_hours_today": self.print_hours_today,
            "print_hours_total": self.print_hours_total,
            "queued": self.queued,
            "active": self.active,
        }


def start_of_day(now: datetime) -> datetime:
    """Local midnight of ``now``'s day (``now`` carries the local time zone)."""
    return datetime.combine(now.date(), time(), tzinfo=now.tzinfo)


def printing_intervals(job: PrintJob, now: datetime) -> list[tuple[datetime, datetime]]:
    """When the job was printing: each stretch from entering PRINTING/PAUSED to leaving them."""
    intervals: list[tuple[datetime, datetime]] = []
    began: datetime | None = None
    for change in job.history:
        if change.new_status is JobStatus.PRINTING:
            if began is None:
                began = change.at
        elif change.new_status is JobStatus.PAUSED and began is not None:
            continue  # a pause while printing: the print goes on afterwards
        elif began is not None:
            intervals.append((began, change.at))
            began = None
    if began is not None:
        intervals.append((began, max(began, now)))
    return intervals


def _hours(intervals: Iterable[tuple[datetime, datetime]], since: datetime | None) -> float:
    seconds = 0.0
    for begin, end in intervals:
        start = begin if since is None else max(begin, since)
        if end > start:
            seconds += (end - start).total_seconds()
    return seconds / 3600


def _ended_today(job: PrintJob, status: JobStatus, midnight: datetime) -> bool:
    return any(change.new_status is status and change.at >= midnight for change in job.history)


def farm_figures(state: FarmState, now: datetime) -> FarmFigures:
    """The figures at ``now`` (an aware moment in the farm's local time zone)."""
    midnight = start_of_day(now)
    jobs_today = completed = failed = queued = active = 0
    hours_today = hours_total = 0.0
    in_workflow = {run.job_id for run in state.active_runs() if run.job_id is not None}
    for job in state.jobs.values():
        intervals = printing_intervals(job, now)
        hours_total += _hours(intervals, None)
        hours_today += _hours(intervals, midnight)
        done = _ended_today(job, JobStatus.COMPLETED, midnight)
        lost = _ended_today(job, JobStatus.FAILED, midnight)
        completed += done
        failed += lost
        started = any(begin >= midnight for begin, _ in intervals)
        jobs_today += done or lost or started
        if job.status is JobStatus.QUEUED and job.id not in in_workflow:
            queued += 1
        elif job.status in ACTIVE_STATUSES:
            active += 1
    ended = completed + failed
    return FarmFigures(
        jobs_today=jobs_today,
        completed_today=completed,
        failed_today=failed,
        success_rate=round(100 * completed / ended, 1) if ended else None,
        print_hours_today=round(hours_today, 1),
        print_hours_total=round(hours_total, 1),
        queued=queued,
        active=active,
    )
