"""Operator changes of the queue: move a job to the top or before another, retry a failed job.

The queue is ordered by ``PrintJob.queue_key`` (priority, then position, then id); moving a job
takes over the priority of where it goes and a position just before it, so the orchestrator
picks it next among what it can print.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..job_status import JobStatus
from ..jobs import PrintJob
from ..state import FarmState


class QueueChangeError(ValueError):
    """The change is not possible now (the job is not waiting in the queue, ...)."""


def waiting(state: FarmState) -> list[PrintJob]:
    """Jobs waiting for a printer (QUEUED, then NEW), in the order they would be picked."""
    jobs = [
        job
        for job in state.jobs.values()
        if job.status in (JobStatus.QUEUED, JobStatus.NEW) and state.run_of_job(job.id) is None
    ]
    return sorted(jobs, key=lambda job: job.queue_key)


def _check_movable(state: FarmState, job: PrintJob) -> None:
    if job.status not in (JobStatus.QUEUED, JobStatus.NEW) or state.run_of_job(job.id):
        raise QueueChangeError(f"Print job {job.id} is {job.status}; only waiting jobs move")


def move_to_top(state: FarmState, job: PrintJob) -> None:
    _check_movable(state, job)
    others = [other for other in waiting(state) if other.id != job.id]
    if not others:
        return
    first = others[0]
    job.settings = replace(
        job.settings, priority=min(first.settings.priority, job.settings.priority)
    )
    job.queue_order = first.queue_key[1] - 1.0


def move_before(state: FarmState, job: PrintJob, other: PrintJob) -> None:
    _check_movable(state, job)
    if other.id == job.id:
        raise QueueChangeError("A job cannot move before itself")
    queue = [candidate for candidate in waiting(state) if candidate.id != job.id]
    if other not in queue:
        raise QueueChangeError(f"Print job {other.id} is not waiting in the queue")
    index = queue.index(other)
    after = other.queue_key[1]
    before = queue[index - 1] if index > 0 else None
    if before is not None and before.settings.priority == other.settings.priority:
        order = (before.queue_key[1] + after) / 2
    else:
        order = after - 1.0
    job.settings = replace(job.settings, priority=other.settings.priority)
    job.queue_order = order


def retry(state: FarmState, job: PrintJob, at: datetime) -> PrintJob:
    """A new queued job printing the same item with the same settings (a failed job stays)."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise QueueChangeError(
            f"Print job {job.id} is {job.status}; only failed or cancelled jobs are retried"
        )
    item = state.print_items.get(job.print_item_id)
    if item is None:
        raise QueueChangeError(f"The print file of job {job.id} is no longer stored")
    settings = replace(job.settings, auto_start=True, store_slot=None, grab_slot=None)
    new = state.create_job(item, settings, at)
    new.history[-1] = replace(new.history[-1], reason=f"Retry of print job {job.id}")
    return new
