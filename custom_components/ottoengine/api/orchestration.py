"""`/api/orchestration`: status, active jobs, health and restart of the orchestrator."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
import os
import resource
import sys
from typing import Any

from aiohttp import web

from .base import OttoView
from .orchestration_json import ACTIVE_JOB, active_jobs
from .schema import Arr, Bool, Int, Num, Obj, Operation, Response, Str
from .shapes import MOMENT, TEXT, obj, ok

_HEALTH = obj(
    ("status", "timestamp", "services", "uptime_seconds"),
    status=Str(enum=("healthy", "unhealthy")),
    timestamp=MOMENT,
    services=obj(orchestrator=TEXT, job_processing=TEXT, database=TEXT),
    uptime_seconds=Num(minimum=0),
    issues=Arr(items=Str()),
)
_STATUS = obj(
    timestamp=MOMENT,
    phase3=obj(
        orchestrator=obj(
            initialized=Bool(),
            job_processing_enabled=Bool(),
            polling_active=Bool(),
            active_workflows=Int(minimum=0),
            statistics=Obj(),
        ),
        activeJobs=Int(minimum=0),
        monitoring=Arr(
            items=obj(
                jobId=Int(minimum=1),
                status=TEXT,
                progress_percent=Num(),
                printer_id=Int(minimum=1, nullable=True),
            )
        ),
    ),
    system=obj(
        uptime=Num(minimum=0),
        memory=obj(used=Int(minimum=0), total=Int(minimum=0)),
        pythonVersion=TEXT,
    ),
)


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _memory() -> dict[str, int]:
    """Resident memory of the Home Assistant process and the machine's total memory."""
    used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except ValueError, OSError:
        total = 0
    return {"used": used, "total": total}


class OrchestrationStatusView(OttoView):
    url = "/api/orchestration/status"
    name = "api:ottoengine:orchestration:status"
    operations = {
        "get": Operation(
            summary="The orchestrator's status, the jobs it follows and the system's",
            responses=ok("The status", obj(success=Bool(), data=_STATUS)),
        )
    }

    async def get(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        processing = runtime.processing
        active = active_jobs(runtime.state)
        data: dict[str, Any] = {
            "timestamp": _timestamp(),
            "phase3": {
                "orchestrator": {
                    # The hub entry is loaded (else this answers 503): job processing is set up.
                    "initialized": True,
                    "job_processing_enabled": processing.enabled,
                    "polling_active": processing.enabled,
                    "active_workflows": len(runtime.state.active_runs()),
                    "statistics": processing.statistics.as_dict(),
                },
                "activeJobs": len(active),
                "monitoring": [
                    {
                        "jobId": job["jobId"],
                        "status": job["status"],
                        "progress_percent": job["progress_percent"],
                        "printer_id": job["printerId"],
                    }
                    for job in active
                ],
            },
            "system": {
                "uptime": runtime.uptime_seconds,
                "memory": _memory(),
                "pythonVersion": sys.version.split()[0],
            },
        }
        return self.json({"success": True, "data": data})


class OrchestrationActiveJobsView(OttoView):
    url = "/api/orchestration/active-jobs"
    name = "api:ottoengine:orchestration:active-jobs"
    operations = {
        "get": Operation(
            summary="The jobs the orchestrator works on, most urgent first",
            responses=ok(
                "The active jobs",
                obj(
                    success=Bool(),
                    data=obj(activeJobs=Int(minimum=0), jobs=Arr(items=ACTIVE_JOB)),
                ),
            ),
        )
    }

    async def get(self, request: web.Request) -> web.Response:
        active = active_jobs(self.runtime(request).state)
        return self.json({"success": True, "data": {"activeJobs": len(active), "jobs": active}})


class OrchestrationHealthView(OttoView):
    url = "/api/orchestration/health"
    name = "api:ottoengine:orchestration:health"
    operations = {
        "get": Operation(
            summary="Healthy (200) or not (503, with the issues)",
            responses={
                200: Response(description="Healthy", schema=obj(success=Bool(), data=_HEALTH)),
                503: Response(
                    description="Unhealthy (data.issues says why), or OttoEngine is not set up",
                    schema=Obj(
                        properties={
                            "success": Bool(),
                            "data": _HEALTH,
                            "error": TEXT,
                            "message": TEXT,
                        }
                    ),
                ),
            },
        )
    }

    async def get(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        processing = runtime.processing
        database_ok = not runtime.store.last_save_failed
        issues = processing.health_issues(database_ok=database_ok)
        issues += runtime.orchestrator.engine.health_issues()
        data: dict[str, Any] = {
            "status": "unhealthy" if issues else "healthy",
            "timestamp": _timestamp(),
            "services": {
                "orchestrator": "operational",
                "job_processing": "active" if processing.enabled else "paused",
                "database": "connected" if database_ok else "failed",
            },
            "uptime_seconds": runtime.uptime_seconds,
        }
        if issues:
            data["issues"] = issues
            return self.json({"success": False, "data": data}, HTTPStatus.SERVICE_UNAVAILABLE)
        return self.json({"success": True, "data": data})


class OrchestrationRestartView(OttoView):
    url = "/api/orchestration/restart"
    name = "api:ottoengine:orchestration:restart"
    operations = {
        "post": Operation(
            summary="Restart job processing (every workflow is reconciled again)",
            responses=ok("Restarted", obj(success=Bool(), message=TEXT, timestamp=MOMENT)),
        )
    }

    async def post(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        runtime.processing.restart()
        runtime.async_state_changed()
        # Re-reconcile every workflow from what the devices report now (nothing is lost).
        runtime.orchestrator.async_request()
        return self.json(
            {
                "success": True,
                "message": "Orchestrator job processing restarted successfully",
                "timestamp": _timestamp(),
            }
        )
