"""A print job's status and the state machine that says which changes are legal.

``NEW`` is a job created with ``auto_start`` off: it waits for someone to start it. ``QUEUED``
jobs wait for the orchestrator. ``PRINTING → EJECTING → STORING → COMPLETED`` is the loop of
one job; ``PAUSED`` (a filament runout, a user pause, a robot issue) can happen at any of those
stages and resumes where it was. ``COMPLETED``, ``FAILED`` and ``CANCELLED`` are final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class JobStatus(StrEnum):
    NEW = "NEW"
    QUEUED = "QUEUED"
    PRINTING = "PRINTING"
    PAUSED = "PAUSED"
    EJECTING = "EJECTING"
    STORING = "STORING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_finished(self) -> bool:
        return self in FINISHED_STATUSES

    @property
    def is_editable(self) -> bool:
        """Whether the job's settings (priority, printer, slots, ...) may still change."""
        return self in (JobStatus.NEW, JobStatus.QUEUED)


FINISHED_STATUSES: Final = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})

# What the orchestrator is working on (the orchestration API's "active jobs").
ACTIVE_STATUSES: Final = frozenset(
    {JobStatus.QUEUED, JobStatus.PRINTING, JobStatus.PAUSED, JobStatus.EJECTING, JobStatus.STORING}
)

# Stages a job can be paused in and resumed to.
RUNNING_STATUSES: Final = frozenset({JobStatus.PRINTING, JobStatus.EJECTING, JobStatus.STORING})

_STOPPABLE: Final = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})

TRANSITIONS: Final[dict[JobStatus, frozenset[JobStatus]]] = {
    JobStatus.NEW: frozenset({JobStatus.QUEUED, JobStatus.CANCELLED}),
    JobStatus.QUEUED: frozenset({JobStatus.NEW, JobStatus.PRINTING, *_STOPPABLE}),
    JobStatus.PRINTING: frozenset(
        {JobStatus.PAUSED, JobStatus.EJECTING, JobStatus.COMPLETED, *_STOPPABLE}
    ),
    JobStatus.PAUSED: frozenset({*RUNNING_STATUSES, JobStatus.COMPLETED, *_STOPPABLE}),
    JobStatus.EJECTING: frozenset(
        {JobStatus.PAUSED, JobStatus.STORING, JobStatus.COMPLETED, *_STOPPABLE}
    ),
    JobStatus.STORING: frozenset({JobStatus.PAUSED, JobStatus.COMPLETED, *_STOPPABLE}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}


class IllegalTransitionError(Exception):
    """A status change the state machine refuses; names the current status and the target."""

    def __init__(self, job_id: int, current: JobStatus, target: JobStatus) -> None:
        super().__init__(f"Print job {job_id} is {current}; it cannot become {target}")
        self.job_id = job_id
        self.current = current
        self.target = target


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    return target in TRANSITIONS[current]
