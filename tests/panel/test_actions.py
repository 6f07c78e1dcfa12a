"""``ottoengine/panel/action``: each action does what it says; admins only; clear errors."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.orchestration import queue
from custom_components.ottoengine.farm.orchestration.runs import (
    Pause,
    PauseKind,
    Phase,
    Run,
    RunKind,
    Step,
)
from custom_components.ottoengine.farm.orchestration.scheduler import job_order

from ..jobs.helpers import upload_item
from .helpers import action, printer_device, setup_panel_farm


def _scheduler_order(state) -> list[int]:  # type: ignore[no-untyped-def]
    """The waiting jobs in the order the scheduler takes them."""
    return [job.id for job in sorted(queue.waiting(state), key=job_order)]


async def test_queue_actions(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    state = entry.runtime_data.state
    item = await upload_item(await hass_client(), "cube.gcode")
    ws = await hass_ws_client()

    queued = await action(ws, "queue_job", {"print_item_id": item, "copies": 3, "priority": 2})
    assert queued["success"], queued
    first, second, third = queued["result"]["job_ids"]
    assert [state.jobs[job].status for job in (first, second, third)] == [JobStatus.QUEUED] * 3

    moved = await action(ws, "move_job", {"job_id": third, "before_job_id": first})
    assert moved["success"], moved
    assert moved["result"] is None
    assert _scheduler_order(state) == [third, first, second]
    top = await action(ws, "move_job", {"job_id": second})
    assert top["success"], top
    assert _scheduler_order(state) == [second, third, first]

    urgent = await action(ws, "set_priority", {"job_id": first, "priority": 1})
    assert urgent["success"], urgent
    assert state.jobs[first].settings.priority == 1
    assert _scheduler_order(state) == [first, second, third]

    cancelled = await action(ws, "cancel_job", {"job_id": third})
    assert cancelled["success"], cancelled
    assert state.jobs[third].status is JobStatus.CANCELLED
    retried = await action(ws, "retry_job", {"job_id": third})
    assert retried["success"], retried
    again = state.jobs[retried["result"]["job_id"]]
    assert again.status is JobStatus.QUEUED
    assert again.print_item_id == item

    # A job that is no longer waiting keeps its priority.
    refused = await action(ws, "set_priority", {"job_id": third, "priority": 5})
    assert not refused["success"]
    assert refused["error"]["code"] == "service_validation_error"
    assert refused["error"]["translation_key"] == "job_not_editable"
    assert f"Print job {third} is CANCELLED" in refused["error"]["message"]
    assert state.jobs[third].settings.priority == 2


async def test_processing_and_printer_actions(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
    ws = await hass_ws_client()
    device_id = printer_device(hass, entry)

    paused = await action(ws, "pause_processing")
    assert paused["success"], paused
    assert runtime.processing.enabled is False
    resumed = await action(ws, "resume_processing", {})
    assert resumed["success"], resumed
    assert runtime.processing.enabled is True

    state.printer_blocks[1] = "Job 4 failed: take the failed print off"
    state.build_plates[1] = False
    cleared = await action(ws, "plate_cleared", {"device_id": device_id})
    assert cleared["success"], cleared
    assert 1 not in state.printer_blocks
    assert state.has_build_plate(1)

    item = await upload_item(await hass_client(), "cube.gcode")
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
    answered = await action(ws, "resume_workflow", {"device_id": device_id, "answer": "abort"})
    assert answered["success"], answered
    assert run.pause is None
    assert job.status is JobStatus.FAILED
    none_paused = await action(ws, "resume_workflow", {"device_id": device_id, "answer": "retry"})
    assert not none_paused["success"]
    assert none_paused["error"]["translation_key"] == "no_paused_workflow"
    assert "My_P1P" in none_paused["error"]["message"]


async def test_bad_actions_and_data_are_clear_errors(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    ws = await hass_ws_client()
    unknown = await action(ws, "launch_rocket", {})
    assert not unknown["success"]
    assert unknown["error"]["code"] == "service_validation_error"
    assert unknown["error"]["translation_key"] == "panel_unknown_action"
    assert "launch_rocket" in unknown["error"]["message"]
    assert "queue_job" in unknown["error"]["message"]

    for name, data, field in (
        ("cancel_job", {"job_id": "x"}, "job_id"),
        ("cancel_job", {}, "job_id"),
        ("set_priority", {"job_id": 1, "priority": 0}, "priority"),
        ("queue_job", {"print_item_id": 1, "copies": 1000}, "copies"),
        ("resume_workflow", {"device_id": "d", "answer": "maybe"}, "answer"),
        ("pause_processing", {"now": True}, "now"),
    ):
        answer = await action(ws, name, data)
        assert not answer["success"], (name, data)
        error = answer["error"]
        assert error["translation_key"] == "panel_invalid_data", (name, data)
        assert name in error["message"]
        assert field in error["message"], (name, error["message"])

    missing = await action(ws, "cancel_job", {"job_id": 99})
    assert missing["error"]["translation_key"] == "job_not_found"
    assert "99" in missing["error"]["message"]
    no_job = await action(ws, "set_priority", {"job_id": 99, "priority": 3})
    assert no_job["error"]["translation_key"] == "job_not_found"
    not_a_printer = await action(ws, "plate_cleared", {"device_id": "nope"})
    assert not_a_printer["error"]["translation_key"] == "not_a_printer"
    # The action's own schema: a string is required.
    await ws.send_json_auto_id({"type": "ottoengine/panel/action", "action": 5})
    assert (await ws.receive_json())["error"]["code"] == "invalid_format"

    # Without a loaded hub.
    assert await hass.config_entries.async_unload(entry.entry_id)
    not_loaded = await action(ws, "set_priority", {"job_id": 1, "priority": 3})
    assert not_loaded["error"]["translation_key"] == "hub_not_loaded"


async def test_a_user_who_is_not_an_admin_may_not_act(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    entry = await setup_panel_farm(hass)
    ws = await hass_ws_client(access_token=hass_read_only_access_token)
    for name, data in (
        ("pause_processing", {}),
        ("plate_cleared", {"device_id": printer_device(hass, entry)}),
        ("launch_rocket", {}),
    ):
        answer = await action(ws, name, data)
        assert not answer["success"]
        assert answer["error"]["code"] == "unauthorized"
    assert entry.runtime_data.processing.enabled is True


async def test_an_unsaved_priority_is_an_error(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = await setup_panel_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
    item = await upload_item(await hass_client(), "cube.gcode")
    job = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    ws = await hass_ws_client()

    async def failed_save(*_args: object, **_kwargs: object) -> bool:
        return False

    monkeypatch.setattr(type(runtime), "async_commit", failed_save)
    answer = await action(ws, "set_priority", {"job_id": job.id, "priority": 3})
    assert answer["error"]["code"] == "home_assistant_error"
    assert answer["error"]["translation_key"] == "state_not_saved"
