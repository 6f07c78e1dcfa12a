"""The orchestrator's own state: whether job processing runs, since when, and its statistics.

The orchestration API (`/api/orchestration/...`) reports this; the print → eject → store →
grab → load loop updates the statistics as jobs end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import time
from typing import Any


@dataclass
class OrchestratorStatistics:
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
        return {
            "jobs_processed": self.jobs_processed,
            "jobs_completed": self.jobs_completed,
            "jobs_failed": self.jobs_failed,
            "average_completion_time_minutes": self.average_completion_time_minutes,
        }


class Orchestrator:
    """Tracks whether the farm's job processing is enabled and how it has done so far."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self.initialized = True
        self.job_processing_enabled = True
        self.restarts = 0
        self.statistics = OrchestratorStatistics()

    @property
    def uptime_seconds(self) -> int:
        return int(self._clock() - self._started)

    def record_job_finished(self, *, succeeded: bool, minutes: float | None) -> None:
        self.statistics.jobs_processed += 1
        if succeeded:
            self.statistics.jobs_completed += 1
            self.statistics.total_completion_minutes += minutes or 0.0
        else:
            self.statistics.jobs_failed += 1

    def pause_processing(self) -> None:
        self.job_processing_enabled = False

    def restart(self) -> None:
        """Re-enable job processing (the caller re-evaluates active jobs afterwards)."""
        self.job_processing_enabled = True
        self.restarts += 1

    def health_issues(self, *, database_ok: bool) -> list[str]:
        issues: list[str] = []
        if not self.job_processing_enabled:
            issues.append("Job processing is paused; POST /api/orchestration/restart resumes it")
        if not database_ok:
            issues.append("The farm's state could not be saved to Home Assistant's storage")
        return issues
