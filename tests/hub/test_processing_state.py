"""Job processing (paused or not, and its statistics) survives a restart; the farm state
stored before it was kept (Store 1.1) is migrated to 1.2 with the statistics its jobs imply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import STORAGE_KEY
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings, PrintJob
from custom_components.ottoengine.farm.state import FarmState

from ..helpers import setup_hub

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _finished_job(job_id: int, status: JobStatus, minutes: int) -> PrintJob:
    job = PrintJob.create(job_id, 1, "part.gcode.3mf", JobSettings(auto_start=True), START)
    job.transition(JobStatus.PRINTING, "print started", START)
    end = START + timedelta(minutes=minutes)
    if status is JobStatus.COMPLETED:
        job.transition(JobStatus.EJECTING, "print finished", end)
        job.transition(JobStatus.STORING, "ejected", end)
    job.transition(status, "done", end)
    return job


async def _statistics(client: Any) -> dict[str, Any]:
    body = await (await client.get("/api/orchestration/status")).json()
    return body["data"]["phase3"]["orchestrator"]


async def test_version_1_1_state_is_migrated(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_storage: dict[str, Any]
) -> None:
    jobs = [
        _finished_job(1, JobStatus.COMPLETED, 30),
        _finished_job(2, JobStatus.COMPLETED, 90),
        _finished_job(3, JobStatus.FAILED, 10),
    ]
    data = FarmState(jobs={job.id: job for job in jobs}).as_dict()
    del data["processing"]  # the 1.1 layout
    hass_storage[STORAGE_KEY] = {"version": 1, "minor_version": 1, "key": STORAGE_KEY, "data": data}

    await setup_hub(hass)
    client = await hass_client()
    orchestrator = await _statistics(client)
    assert orchestrator["job_processing_enabled"] is True
    assert orchestrator["statistics"] == {
        "jobs_processed": 3,
        "jobs_completed": 2,
        "jobs_failed": 1,
        "average_completion_time_minutes": 60.0,
    }
    # Nothing of the old state is lost.
    assert [job["id"] for job in await (await client.get("/api/print-jobs")).json()] == [1, 2, 3]


async def test_paused_processing_and_statistics_survive_a_restart(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    runtime = entry.runtime_data
    runtime.state.jobs[1] = job = PrintJob.create(
        1, 1, "part.gcode", JobSettings(auto_start=True), START
    )
    runtime.async_transition_job(job, JobStatus.PRINTING, "print started")
    runtime.async_transition_job(job, JobStatus.FAILED, "nozzle clog")
    runtime.processing.pause()
    runtime.async_state_changed()
    assert (await client.get("/api/orchestration/health")).status == HTTPStatus.SERVICE_UNAVAILABLE

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[STORAGE_KEY]["minor_version"] == 2
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    orchestrator = await _statistics(client)
    assert orchestrator["job_processing_enabled"] is False
    assert orchestrator["statistics"]["jobs_failed"] == 1
    assert (await client.get("/api/orchestration/health")).status == HTTPStatus.SERVICE_UNAVAILABLE
    # Restarting job processing is kept too.
    assert (await client.post("/api/orchestration/restart")).status == HTTPStatus.OK
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (await client.get("/api/orchestration/health")).status == HTTPStatus.OK
