"""`/api/orchestration`: health, status, active jobs and restart, behind HA auth."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.farm.clock import to_iso, utcnow
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.racks import ShelfState

from ..helpers import setup_hub

SEED_JOB_FIELDS = {
    "jobId",
    "printerId",
    "status",
    "progress_percent",
    "orchestration_status",
    "assigned_store_slot",
    "assigned_grab_slot",
    "started_at",
}
ROUTES = [
    ("get", "/api/orchestration/status"),
    ("get", "/api/orchestration/active-jobs"),
    ("get", "/api/orchestration/health"),
    ("post", "/api/orchestration/restart"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_routes_need_authentication(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, method: str, path: str
) -> None:
    await setup_hub(hass)
    client = await hass_client_no_auth()
    response = await getattr(client, method)(path)
    assert response.status == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_routes_answer_503_without_a_loaded_hub(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, method: str, path: str
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client()
    response = await getattr(client, method)(path)
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    body = await response.json()
    assert "OttoEngine is not set up" in body["message"]


async def test_health_reports_healthy(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    response = await client.get("/api/orchestration/health")
    assert response.status == HTTPStatus.OK
    body = await response.json()
    assert body["success"] is True
    assert body["data"]["status"] == "healthy"
    assert body["data"]["services"] == {
        "orchestrator": "operational",
        "job_processing": "active",
        "database": "connected",
    }
    assert body["data"]["timestamp"].endswith("Z")
    assert isinstance(body["data"]["uptime_seconds"], int)


async def test_status_and_active_jobs_of_an_idle_farm(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    status = await (await client.get("/api/orchestration/status")).json()
    orchestrator = status["data"]["phase3"]["orchestrator"]
    assert orchestrator["initialized"] is True
    assert orchestrator["job_processing_enabled"] is True
    assert orchestrator["active_workflows"] == 0
    assert orchestrator["statistics"]["jobs_processed"] == 0
    assert status["data"]["system"]["memory"]["used"] > 0

    active = await (await client.get("/api/orchestration/active-jobs/")).json()
    assert active == {"success": True, "data": {"activeJobs": 0, "jobs": []}}


async def test_paused_processing_is_unhealthy_until_restart(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_hub(hass)
    entry.runtime_data.processing.pause()
    client = await hass_client()
    response = await client.get("/api/orchestration/health")
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    body = await response.json()
    assert body["success"] is False
    assert body["data"]["services"]["job_processing"] == "paused"
    assert body["data"]["issues"]

    response = await client.post("/api/orchestration/restart")
    assert response.status == HTTPStatus.OK
    assert (await response.json())["success"] is True
    assert (await client.get("/api/orchestration/health")).status == HTTPStatus.OK


async def test_restart_needs_an_administrator(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_read_only_access_token: str
) -> None:
    entry = await setup_hub(hass)
    entry.runtime_data.processing.pause()
    client = await hass_client(hass_read_only_access_token)
    response = await client.post("/api/orchestration/restart")
    assert response.status == HTTPStatus.FORBIDDEN
    assert "administrator" in (await response.json())["message"]
    assert entry.runtime_data.processing.enabled is False
    # Reading is allowed to any authenticated user.
    assert (await client.get("/api/orchestration/status")).status == HTTPStatus.OK


async def test_active_jobs_of_a_busy_farm(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_hub(hass)
    runtime = entry.runtime_data
    state = runtime.state
    now = utcnow()
    item = state.add_print_item(PrintItem(1, "cube.gcode", "1_cube.gcode", 10, "ab", now))
    rack = state.create_rack(state.ids.allocate("rack"), "A", 4, 80.0, "256x256")
    rack.shelves[1].set_state(ShelfState.EMPTY_PLATE, None)
    printing = state.create_job(
        item,
        JobSettings(
            printer_id=1, rack_id=1, store_slot=3, grab_slot=2, auto_start=True, priority=2
        ),
        now,
    )
    waiting = state.create_job(item, JobSettings(printer_id=2, auto_start=True), now)
    state.create_job(item, JobSettings(), now)  # NEW: not started, not active
    done = state.create_job(item, JobSettings(auto_start=True), now)
    runtime.async_transition_job(printing, JobStatus.PRINTING, "print started")
    printing.set_progress(75)
    runtime.async_transition_job(done, JobStatus.CANCELLED, "no longer needed")

    client = await hass_client()
    active = await (await client.get("/api/orchestration/active-jobs")).json()
    # The seed's fields exactly; the extensions (workflow phase, rack, message) beside them.
    for job in active["data"]["jobs"]:
        extensions = {key: job.pop(key) for key in list(job) if key not in SEED_JOB_FIELDS}
        assert set(extensions) == {
            "workflow_id",
            "workflow_phase",
            "assigned_rack_id",
            "ottoeject_id",
            "status_message",
        }
    assert active == {
        "success": True,
        "data": {
            "activeJobs": 2,
            "jobs": [
                {
                    "jobId": waiting.id,
                    "printerId": 2,
                    "status": "queued",
                    "progress_percent": 0,
                    "orchestration_status": "waiting",
                    "assigned_store_slot": None,
                    "assigned_grab_slot": None,
                    "started_at": None,
                },
                {
                    "jobId": printing.id,
                    "printerId": 1,
                    "status": "printing",
                    "progress_percent": 75,
                    "orchestration_status": "printing",
                    "assigned_store_slot": 3,
                    "assigned_grab_slot": 2,
                    "started_at": to_iso(printing.started_at),
                },
            ],
        },
    }
    runtime.async_transition_job(printing, JobStatus.PAUSED, "filament runout")
    status = await (await client.get("/api/orchestration/status")).json()
    assert status["data"]["phase3"]["activeJobs"] == 2
    assert status["data"]["phase3"]["monitoring"][1] == {
        "jobId": printing.id,
        "status": "paused",
        "progress_percent": 75,
        "printer_id": 1,
    }
    jobs = (await (await client.get("/api/orchestration/active-jobs")).json())["data"]["jobs"]
    assert jobs[1]["orchestration_status"] == "paused"


@pytest.mark.parametrize("path", ["/api/print-jobs/%C2%B2", "/api/ottoracks/0", "/api/printers/x1"])
async def test_ids_that_are_not_plain_positive_numbers_are_404(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, path: str
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    response = await client.get(path)
    assert response.status == HTTPStatus.NOT_FOUND
    assert "not found" in (await response.json())["message"]
