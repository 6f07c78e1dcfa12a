"""The orchestrator's actions, entities and REST extensions, on a hub whose devices are away.

Nothing starts by itself here (the printer is unreachable), so the queue stays as the actions
leave it; the loop itself is proven on the simulated farm (test_lights_out, test_variants).
"""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.orchestration.runs import (
    Pause,
    PauseKind,
    Phase,
    Run,
    RunKind,
    Step,
)

from ..jobs.helpers import setup_farm, upload_item

QUEUE = "sensor.ottoengine_farm_queue_length"
PROCESSING = "switch.ottoengine_farm_job_processing"
ATTENTION = "binary_sensor.my_p1p_needs_attention"
PHASE = "sensor.my_p1p_workflow_phase"


def _printer_device(hass: HomeAssistant, entry_id: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry_id}_printer_1"), entry_id
    )
    assert device is not None
    return device.id


async def test_queue_reorder_retry_and_cancel_with_actions(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    item = await upload_item(client, "cube.gcode")
    state = entry.runtime_data.state
    queued = await hass.services.async_call(
        DOMAIN,
        "queue_job",
        {"print_item_id": item, "copies": 3, "priority": 2},
        blocking=True,
        return_response=True,
    )
    assert queued is not None
    first, second, third = queued["job_ids"]  # type: ignore[misc]
    await hass.async_block_till_done()
    assert hass.states.get(QUEUE).state == "3"  # type: ignore[union-attr]
    # Move the third to the top, then the first before the third.
    await hass.services.async_call(DOMAIN, "move_job", {"job_id": third}, blocking=True)
    response = await client.post(f"/api/print-jobs/{first}/move", json={"before_job_id": third})
    assert response.status == HTTPStatus.OK
    assert (await response.json())["queue"] == [first, third, second]
    # Cancel one and queue it again.
    await hass.services.async_call(DOMAIN, "cancel_job", {"job_id": second}, blocking=True)
    assert state.jobs[second].status is JobStatus.CANCELLED
    retried = await hass.services.async_call(
        DOMAIN, "retry_job", {"job_id": second}, blocking=True, return_response=True
    )
    assert retried is not None
    new = state.jobs[int(retried["job_id"])]  # type: ignore[call-overload]
    assert new.status is JobStatus.QUEUED
    assert new.status_message == f"Retry of print job {second}"
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(DOMAIN, "retry_job", {"job_id": first}, blocking=True)
    assert refused.value.translation_key == "queue_change_refused"
    with pytest.raises(ServiceValidationError) as missing:
        await hass.services.async_call(DOMAIN, "cancel_job", {"job_id": 999}, blocking=True)
    assert missing.value.translation_key == "job_not_found"
    with pytest.raises(ServiceValidationError) as no_item:
        await hass.services.async_call(DOMAIN, "queue_job", {"print_item_id": 999}, blocking=True)
    assert no_item.value.translation_key == "print_item_not_found"
    # A job for one printer only, chosen by its device.
    fixed = await hass.services.async_call(
        DOMAIN,
        "queue_job",
        {"print_item_id": item, "device_id": _printer_device(hass, entry.entry_id)},
        blocking=True,
        return_response=True,
    )
    assert fixed is not None
    assert state.jobs[fixed["job_ids"][0]].settings.printer_id == 1  # type: ignore[index]


async def test_processing_switch_and_actions_pause_and_resume(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    runtime = entry.runtime_data
    assert hass.states.get(PROCESSING).state == STATE_ON  # type: ignore[union-attr]
    await hass.services.async_call("switch", "turn_off", {"entity_id": PROCESSING}, blocking=True)
    await hass.async_block_till_done()
    assert runtime.processing.enabled is False
    assert hass.states.get(PROCESSING).state == STATE_OFF  # type: ignore[union-attr]
    client = await hass_client()
    health = await client.get("/api/orchestration/health")
    assert health.status == HTTPStatus.SERVICE_UNAVAILABLE
    await hass.services.async_call(DOMAIN, "resume_processing", {}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(PROCESSING).state == STATE_ON  # type: ignore[union-attr]
    await hass.services.async_call(DOMAIN, "pause_processing", {}, blocking=True)
    assert runtime.processing.enabled is False
    await hass.services.async_call("switch", "turn_on", {"entity_id": PROCESSING}, blocking=True)
    assert runtime.processing.enabled is True


async def test_a_blocked_printer_needs_attention_until_its_plate_is_cleared(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    runtime = entry.runtime_data
    runtime.state.printer_blocks[1] = "Job 4 failed: take the failed print off"
    runtime.orchestrator.async_changed()
    await hass.async_block_till_done()
    attention = hass.states.get(ATTENTION)
    assert attention is not None
    assert attention.state == STATE_ON
    assert attention.attributes["reason"] == "Job 4 failed: take the failed print off"
    assert hass.states.get(PHASE).state == "idle"  # type: ignore[union-attr]
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.my_p1p_plate_cleared"}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(ATTENTION).state == STATE_OFF  # type: ignore[union-attr]
    assert runtime.state.has_build_plate(1)
    # The same by action and over REST.
    runtime.state.printer_blocks[1] = "again"
    await hass.services.async_call(
        DOMAIN,
        "plate_cleared",
        {"device_id": _printer_device(hass, entry.entry_id)},
        blocking=True,
    )
    assert 1 not in runtime.state.printer_blocks
    client = await hass_client()
    response = await client.post("/api/printers/1/plate-cleared")
    assert response.status == HTTPStatus.OK
    assert (await response.json())["data"] == {
        "printer_id": 1,
        "was_blocked": False,
        "has_build_plate": True,
    }
    assert (await client.post("/api/printers/9/plate-cleared")).status == HTTPStatus.NOT_FOUND


async def test_a_paused_workflow_is_listed_and_answered_over_rest(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
    client = await hass_client()
    item = await upload_item(client, "cube.gcode")
    job = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    runtime.async_transition_job(job, JobStatus.PRINTING, "printing")
    runtime.async_transition_job(job, JobStatus.EJECTING, "ejecting")
    run = Run(
        id=state.ids.allocate("run"),
        kind=RunKind.JOB,
        printer_id=1,
        job_id=job.id,
        ejector_id=1,
        phase=Phase.PAUSED,
        steps=[Step.HOME, Step.EJECT, Step.STORE, Step.PARK],
        step_index=1,
        pause=Pause(PauseKind.COMMAND_FAILED, Step.EJECT, "EJECT failed: jammed", Phase.EJECTING),
    )
    state.runs[run.id] = run
    listed = await (await client.get("/api/orchestration/workflows")).json()
    assert listed["data"][0]["paused"]["reason"] == "EJECT failed: jammed"
    assert listed["data"][0]["phase"] == "paused"
    health = await (await client.get("/api/orchestration/health")).json()
    assert any("jammed" in issue for issue in health["data"]["issues"])
    bad = await client.post(f"/api/orchestration/workflows/{run.id}/resume", json={"answer": "x"})
    assert bad.status == HTTPStatus.BAD_REQUEST
    assert (await bad.json())["field"] == "answer"
    missing = await client.post("/api/orchestration/workflows/99/resume", json={"answer": "retry"})
    assert missing.status == HTTPStatus.NOT_FOUND
    aborted = await client.post(
        f"/api/orchestration/workflows/{run.id}/resume", json={"answer": "abort"}
    )
    assert aborted.status == HTTPStatus.OK
    assert job.status is JobStatus.FAILED
    assert 1 in state.printer_blocks  # the printer must be checked and cleared
    again = await client.post(
        f"/api/orchestration/workflows/{run.id}/resume", json={"answer": "retry"}
    )
    assert again.status == HTTPStatus.CONFLICT
    with pytest.raises(ServiceValidationError) as none_paused:
        await hass.services.async_call(
            DOMAIN,
            "resume_workflow",
            {"device_id": _printer_device(hass, entry.entry_id), "answer": "retry"},
            blocking=True,
        )
    assert none_paused.value.translation_key == "no_paused_workflow"


async def test_queue_changes_over_rest_name_the_field(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_read_only_access_token: str
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    item = await upload_item(client, "cube.gcode")
    created = await client.post("/api/print-jobs/", json={"print_item_id": item})
    job_id = (await created.json())["id"]
    for body, field in (
        ({}, "position"),
        ({"position": "bottom"}, "position"),
        ({"position": "top", "before_job_id": 1}, "position"),
        ({"before_job_id": "x"}, "before_job_id"),
        ({"before_job_id": 77}, "before_job_id"),
    ):
        response = await client.post(f"/api/print-jobs/{job_id}/move", json=body)
        assert response.status == HTTPStatus.BAD_REQUEST, body
        assert (await response.json())["field"] == field
    assert (await client.post("/api/print-jobs/55/move", json={"position": "top"})).status == (
        HTTPStatus.NOT_FOUND
    )
    retry = await client.post(f"/api/print-jobs/{job_id}/retry")
    assert retry.status == HTTPStatus.CONFLICT
    assert (await client.post("/api/print-jobs/55/retry")).status == HTTPStatus.NOT_FOUND
    entry.runtime_data.async_transition_job(
        entry.runtime_data.state.jobs[job_id], JobStatus.CANCELLED, "no"
    )
    moved = await client.post(f"/api/print-jobs/{job_id}/move", json={"position": "top"})
    assert moved.status == HTTPStatus.CONFLICT
    retried = await client.post(f"/api/print-jobs/{job_id}/retry")
    assert retried.status == HTTPStatus.CREATED
    assert (await retried.json())["retry_of"] == job_id
    viewer = await hass_client(hass_read_only_access_token)
    assert (await viewer.post("/api/printers/1/plate-cleared")).status == HTTPStatus.FORBIDDEN
    assert (await viewer.get("/api/orchestration/workflows")).status == HTTPStatus.OK


async def test_a_job_can_be_scheduled_and_ask_for_its_colour(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    item = await upload_item(client, "cube.gcode")
    for value in ("tomorrow", "2026-12-24T08:00:00", 5):
        response = await client.post(
            "/api/print-jobs/", json={"print_item_id": item, "start_after": value}
        )
        assert response.status == HTTPStatus.BAD_REQUEST, value
        assert (await response.json())["field"] == "start_after"
    created = await client.post(
        "/api/print-jobs/",
        json={
            "print_item_id": item,
            "auto_start": True,
            "start_after": "2026-12-24T09:00:00+01:00",
            "match_color": True,
        },
    )
    assert created.status == HTTPStatus.CREATED
    body = await created.json()
    assert body["start_after"] == "2026-12-24T08:00:00.000Z"
    assert body["match_color"] is True
