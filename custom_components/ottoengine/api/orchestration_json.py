"""The JSON shapes of the `/api/orchestration` routes (the seed's)."""

from __future__ import annotations

from typing import Any, Final

from ..farm.clock import to_iso
from ..farm.job_status import ACTIVE_STATUSES, JobStatus
from ..farm.orchestration.runs import Phase
from ..farm.state import FarmState
from .schema import Int, Num, Str
from .shapes import OPT_ID, OPT_MOMENT, OPT_TEXT, TEXT, obj

# The orchestrator's word for what is happening to a job.
ORCHESTRATION_STATUS: Final = {
    JobStatus.QUEUED: "waiting",
    JobStatus.PRINTING: "printing",
    JobStatus.PAUSED: "paused",
    JobStatus.EJECTING: "ejecting",
    JobStatus.STORING: "storing",
}

ACTIVE_JOB = obj(
    jobId=Int(minimum=1),
    printerId=OPT_ID,
    status=TEXT,
    progress_percent=Num(minimum=0, maximum=100),
    orchestration_status=Str(enum=("waiting", "printing", "paused", "ejecting", "storing")),
    assigned_store_slot=OPT_ID,
    assigned_grab_slot=OPT_ID,
    started_at=OPT_MOMENT,
    workflow_id=OPT_ID,
    workflow_phase=OPT_TEXT,
    assigned_rack_id=OPT_ID,
    ottoeject_id=OPT_ID,
    status_message=OPT_TEXT,
)


def active_jobs(state: FarmState) -> list[dict[str, Any]]:
    """Jobs the orchestrator is working on: most urgent first (priority 1 before 2), then oldest.

    Beside the seed's fields: ``workflow_phase`` (the run's phase, ``null`` while the job
    waits for a printer), ``workflow_id``, ``assigned_rack_id``, ``ottoeject_id`` and the
    ``status_message`` (what the job or its workflow waits for).
    """
    jobs = sorted(
        (job for job in state.jobs.values() if job.status in ACTIVE_STATUSES),
        key=lambda job: (job.settings.priority, job.created_at, job.id),
    )
    answer = []
    for job in jobs:
        run = state.run_of_job(job.id)
        orchestration = ORCHESTRATION_STATUS[job.status]
        if run is not None and run.phase is Phase.PAUSED:
            orchestration = "paused"
        answer.append(
            {
                "jobId": job.id,
                "printerId": run.printer_id if run is not None else job.settings.printer_id,
                "status": job.status.value.lower(),
                "progress_percent": job.progress_percent,
                "orchestration_status": orchestration,
                "assigned_store_slot": run.store_slot
                if run is not None
                else job.settings.store_slot,
                "assigned_grab_slot": run.grab_slot if run is not None else job.settings.grab_slot,
                "started_at": to_iso(job.started_at),
                "workflow_id": run.id if run is not None else None,
                "workflow_phase": run.phase.value if run is not None else None,
                "assigned_rack_id": run.rack_id if run is not None else job.settings.rack_id,
                "ottoeject_id": run.ejector_id if run is not None else job.settings.ottoeject_id,
                "status_message": (run.note if run is not None and run.note else None)
                or job.status_message,
            }
        )
    return answer
