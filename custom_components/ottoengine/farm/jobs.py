"""Print jobs: what to print, where, and the history of every status change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import from_iso, to_iso
from .job_status import RUNNING_STATUSES, IllegalTransitionError, JobStatus, can_transition


@dataclass(frozen=True, slots=True)
class JobTransition:
    """One status change of a job: from what, to what, when (UTC) and why."""

    old_status: JobStatus | None
    new_status: JobStatus
    at: datetime
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_status": self.old_status.value if self.old_status else None,
            "new_status": self.new_status.value,
            "at": to_iso(self.at),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobTransition:
        at = from_iso(data["at"])
        assert at is not None
        old = data.get("old_status")
        return cls(
            old_status=JobStatus(old) if old else None,
            new_status=JobStatus(data["new_status"]),
            at=at,
            reason=str(data["reason"]),
        )


@dataclass(frozen=True, slots=True)
class JobSettings:
    """What a job's creator chose; changeable only while the job has not started.

    ``printer_id`` ``None`` means "any compatible printer"; ``rack_id``, ``store_slot`` and
    ``grab_slot`` (shelf numbers within the rack) ``None`` mean "the orchestrator chooses".
    ``priority`` 1 is the most urgent.
    """

    printer_id: int | None = None
    ottoeject_id: int | None = None
    rack_id: int | None = None
    store_slot: int | None = None
    grab_slot: int | None = None
    auto_start: bool = False
    priority: int = 1
    use_ams: bool = False
    start_after: datetime | None = None  # not started before this moment (UTC)
    match_color: bool = False  # the loaded filament's colour must match the file's too

    def as_dict(self) -> dict[str, Any]:
        return {
            "printer_id": self.printer_id,
            "ottoeject_id": self.ottoeject_id,
            "rack_id": self.rack_id,
            "store_slot": self.store_slot,
            "grab_slot": self.grab_slot,
            "auto_start": self.auto_start,
            "priority": self.priority,
            "use_ams": self.use_ams,
            "start_after": to_iso(self.start_after),
            "match_color": self.match_color,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobSettings:
        return cls(
            printer_id=data.get("printer_id"),
            ottoeject_id=data.get("ottoeject_id"),
            rack_id=data.get("rack_id"),
            store_slot=data.get("store_slot"),
            grab_slot=data.get("grab_slot"),
            auto_start=bool(data.get("auto_start", False)),
            priority=int(data.get("priority", 1)),
            use_ams=bool(data.get("use_ams", False)),
            start_after=from_iso(data.get("start_after")),
            match_color=bool(data.get("match_color", False)),
        )


@dataclass(slots=True)
class PrintJob:
    """A job prints one copy of a print item; its status only changes through ``transition``."""

    id: int
    print_item_id: int
    filename: str
    settings: JobSettings
    created_at: datetime
    status: JobStatus = JobStatus.NEW
    progress_percent: int = 0
    started_at: datetime | None = None
    completed_at: datetime | None = None
    history: list[JobTransition] = field(default_factory=list)
    # Why a job waits (set by the orchestrator: "no printer has PETG loaded"); shown as the
    # status message until the next status change.
    note: str | None = None
    # Position in the queue among jobs of the same priority (unix seconds; None: its age).
    queue_order: float | None = None
    # The printer the orchestrator gave it (its settings' printer_id may be "any").
    assigned_printer_id: int | None = None

    @property
    def printer_id(self) -> int | None:
        """Where it prints or printed: the assigned printer, else the one it asks for."""
        return self.assigned_printer_id or self.settings.printer_id

    @property
    def queue_key(self) -> tuple[int, float, int]:
        """The queue's order: most urgent priority first, then position (age), then id."""
        order = self.queue_order if self.queue_order is not None else self.created_at.timestamp()
        return (self.settings.priority, order, self.id)

    @classmethod
    def create(
        cls, job_id: int, print_item_id: int, filename: str, settings: JobSettings, at: datetime
    ) -> PrintJob:
        """A new job: ``QUEUED`` when it starts automatically, else ``NEW``."""
        status = JobStatus.QUEUED if settings.auto_start else JobStatus.NEW
        job = cls(job_id, print_item_id, filename, settings, at, status=status)
        job.history.append(JobTransition(None, status, at, "Print job created"))
        return job

    @property
    def status_message(self) -> str:
        return self.note or self.history[-1].reason

    def transition(self, target: JobStatus, reason: str, at: datetime) -> JobTransition:
        """Change the status or raise ``IllegalTransitionError``; returns the recorded change."""
        if not can_transition(self.status, target):
            raise IllegalTransitionError(self.id, self.status, target)
        if self.status is JobStatus.PAUSED and target in RUNNING_STATUSES:
            paused_from = self.paused_from()
            if paused_from is not None and target is not paused_from:
                raise IllegalTransitionError(self.id, self.status, target)
        change = JobTransition(self.status, target, at, reason)
        self.status = target
        self.note = None
        self.history.append(change)
        if target is JobStatus.PRINTING and self.started_at is None:
            self.started_at = at
        if target is JobStatus.COMPLETED:
            self.completed_at = at
            self.progress_percent = 100
        return change

    def paused_from(self) -> JobStatus | None:
        """The running stage a paused job resumes to."""
        for change in reversed(self.history):
            if change.new_status is JobStatus.PAUSED:
                return change.old_status
        return None

    def set_progress(self, percent: int) -> None:
        self.progress_percent = max(0, min(100, int(percent)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "print_item_id": self.print_item_id,
            "filename": self.filename,
            "settings": self.settings.as_dict(),
            "created_at": to_iso(self.created_at),
            "status": self.status.value,
            "progress_percent": self.progress_percent,
            "started_at": to_iso(self.started_at),
            "completed_at": to_iso(self.completed_at),
            "history": [change.as_dict() for change in self.history],
            "note": self.note,
            "queue_order": self.queue_order,
            "assigned_printer_id": self.assigned_printer_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrintJob:
        created_at = from_iso(data["created_at"])
        assert created_at is not None
        return cls(
            id=int(data["id"]),
            print_item_id=int(data["print_item_id"]),
            filename=str(data["filename"]),
            settings=JobSettings.from_dict(data.get("settings", {})),
            created_at=created_at,
            status=JobStatus(data["status"]),
            progress_percent=int(data.get("progress_percent", 0)),
            started_at=from_iso(data.get("started_at")),
            completed_at=from_iso(data.get("completed_at")),
            history=[JobTransition.from_dict(change) for change in data.get("history", [])],
            note=data.get("note"),
            queue_order=data.get("queue_order"),
            assigned_printer_id=data.get("assigned_printer_id"),
        )
