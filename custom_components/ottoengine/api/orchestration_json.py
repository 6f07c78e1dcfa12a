"""The JSON shapes of the `/api/orchestration` routes (the seed's)."""

from __future__ import annotations

from typing import Any, Final

from ..farm.clock import to_iso
from ..farm.job_status import ACTIVE_STATUSES, JobStatus
from ..farm.state import FarmState

# The orchestrator's word for what is happening to a job.
ORCHESTRATION_STATUS: Final = {
    JobStatus.QUEUED: "waiting",
    JobStatus.PRINTING: "printing",
    JobStatus.PAUSED: "paused",
    JobStatus.EJECTING: "ejecting",
    JobStatus.STORING: "storing",
}


def active_jobs(state: FarmState) -> list[dict[str, Any]]:
    """Jobs the orchestrator is working on: most urgent first (priority 1 before 2), then oldest."""
    jobs = sorted(
        (job for job in state.jobs.values() if job.status in ACTIVE_STATUSES),
        key=lambda job: (job.settings.priority, job.created_at, job.id),
    )
    return [
        {
            "jobId": job.id,
            "printerId": job.settings.printer_id,
            "status": job.status.value.lower(),
            "progress_percent": job.progress_percent,
            "orchestration_status": ORCHESTRATION_STATUS[job.status],
            "assigned_store_slot": job.settings.store_slot,
            "assigned_grab_slot": job.settings.grab_slot,
            "started_at": to_iso(job.started_at),
        }
        for job in jobs
    ]
