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
from .orchestration_json import active_jobs


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

    async def get(self, request: web.Request) -> web.Response:
        active = active_jobs(self.runtime(request).state)
        return self.json({"success": True, "data": {"activeJobs": len(active), "jobs": active}})


class OrchestrationHealthView(OttoView):
    url = "/api/orchestration/health"
    name = "api:ottoengine:orchestration:health"

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
