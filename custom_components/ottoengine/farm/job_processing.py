"""Whether the farm processes its job queue, and how it has done so far (kept across restarts).

The orchestration API (``/api/orchestration/...``) and the hub's entities report this; jobs
reaching COMPLETED or FAILED update the statistics. It is part of the farm's stored state, so
a paused farm stays paused after a restart and the figures go on where they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .job_status import JobStatus
from .jobs import PrintJob


@dataclass
class ProcessingStatistics:
    jobs_processed: int = 0
    jobs_completed: int = 0
    jobs_failed: int = 0
    total_completion_minutes: float = 0.0

    @property
    def average_completion_time_minutes(self) -> float | None:
        if not self.jobs_completed:
            return None
        return round(self.total_completion_minutes / self.jobs_completed, 1)

    def as_dict(self) -> dict[str, Any]:
        """The orchestration API's shape."""
        return {
            "jobs_processed": self.jobs_processed,
            "jobs_completed": self.jobs_completed,
            "jobs_failed": self.jobs_failed,
            "average_completion_time_minutes": self.average_completion_time_minutes,
        }

    def to_store(self) -> dict[str, Any]:
        return {
            "jobs_processed": self.jobs_processed,
            "jobs_completed": self.jobs_completed,
            "jobs_failed": self.jobs_failed,
            "total_completion_minutes": self.total_completion_minutes,
        }

    @classmethod
    def from_store(cls, data: Mapping[str, Any]) -> ProcessingStatistics:
        return cls(
            jobs_processed=int(data.get("jobs_processed", 0)),
            jobs_completed=int(data.get("jobs_completed", 0)),
            jobs_failed=int(data.get("jobs_failed", 0)),
            total_completion_minutes=float(data.get("total_completion_minutes", 0.0)),
        )


class JobProcessing:
    """Job processing on or paused, how often it was restarted, and the jobs' statistics."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        restarts: int = 0,
        statistics: ProcessingStatistics | None = None,
    ) -> None:
        self.enabled = enabled
        self.restarts = restarts
        self.statistics = statistics or ProcessingStatistics()

    def record_job_finished(self, *, succeeded: bool, minutes: float | None) -> None:
        self.statistics.jobs_processed += 1
        if succeeded:
            self.statistics.jobs_completed += 1
            self.statistics.total_completion_minutes += minutes or 0.0
        else:
            self.statistics.jobs_failed += 1

    def pause(self) -> None:
        self.enabled = False

    def resume(self) -> None:
        self.enabled = True

    def restart(self) -> None:
        """Re-enable job processing (the caller re-evaluates active jobs afterwards)."""
        self.enabled = True
        self.restarts += 1

    def health_issues(self, *, database_ok: bool) -> list[str]:
        issues: list[str] = []
        if not self.enabled:
            issues.append("Job processing is paused; POST /api/orchestration/restart resumes it")
        if not database_ok:
            issues.append("The farm's state could not be saved to Home Assistant's storage")
        return issues

    # Persistence.
    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "restarts": self.restarts,
            "statistics": self.statistics.to_store(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobProcessing:
        return cls(
            enabled=bool(data.get("enabled", True)),
            restarts=int(data.get("restarts", 0)),
            statistics=ProcessingStatistics.from_store(data.get("statistics", {})),
        )

    @classmethod
    def from_job_history(cls, jobs: Iterable[PrintJob]) -> JobProcessing:
        """The statistics the jobs' own history implies (for state stored before they were)."""
        processing = cls()
        for job in jobs:
            if job.status is JobStatus.COMPLETED:
                minutes = None
                if job.started_at is not None and job.completed_at is not None:
                    minutes = (job.completed_at - job.started_at).total_seconds() / 60
                processing.record_job_finished(succeeded=True, minutes=minutes)
            elif job.status is JobStatus.FAILED:
                processing.record_job_finished(succeeded=False, minutes=None)
        return processing
