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
        orchestrator = runtime.orchestrator
        active = runtime.active_jobs()
        data: dict[str, Any] = {
            "timestamp": _timestamp(),
            "phase3": {
                "orchestrator": {
                    "initialized": orchestrator.initialized,
                    "job_processing_enabled": orchestrator.job_processing_enabled,
                    "polling_active": orchestrator.job_processing_enabled,
                    "active_workflows": len(active),
                    "statistics": orchestrator.statistics.as_dict(),
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
                "uptime": orchestrator.uptime_seconds,
                "memory": _memory(),
                "pythonVersion": sys.version.split()[0],
            },
        }
        return self.json({"success": True, "data": data})


class OrchestrationActiveJobsView(OttoView):
    url = "/api/orchestration/active-jobs"
    name = "api:ottoengine:orchestration:active-jobs"

    async def get(self, request: web.Request) -> web.Response:
        active = self.runtime(request).active_jobs()
        return self.json({"success": True, "data": {"activeJobs": len(active), "jobs": active}})


class OrchestrationHealthView(OttoView):
    url = "/api/orchestration/health"
    name = "api:ottoengine:orchestration:health"

    async def get(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        orchestrator = runtime.orchestrator
        database_ok = not runtime.store.last_save_failed
        issues = orchestrator.health_issues(database_ok=database_ok)
        data: dict[str, Any] = {
            "status": "unhealthy" if issues else "healthy",
            "timestamp": _timestamp(),
            "services": {
                "orchestrator": "operational" if orchestrator.initialized else "failed",
                "job_processing": "active" if orchestrator.job_processing_enabled else "paused",
                "database": "connected" if database_ok else "failed",
            },
            "uptime_seconds": orchestrator.uptime_seconds,
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
        runtime.orchestrator.restart()
        return self.json(
            {
                "success": True,
                "message": "Orchestrator job processing restarted successfully",
                "timestamp": _timestamp(),
            }
        )
