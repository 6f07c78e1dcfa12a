"""``ottoengine/panel/subscribe``: the farm at once, then only what changed, pushed."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockUser, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.ottoengine.const import EVENT_JOB_STATUS_CHANGED
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.orchestration import queue
from custom_components.ottoengine.farm.orchestration.runs import (
    Answer,
    Pause,
    PauseKind,
    Phase,
    Run,
    RunKind,
    Step,
)
from custom_components.ottoengine.farm.racks import ShelfState
from custom_components.ottoengine.panel.const import COALESCE_S

from ..jobs.helpers import upload_item
from .helpers import (
    PRINTER_AT_WORK,
    next_event,
    printer_device,
    report,
    robot_ready,
    setup_panel_farm,
    subscribe,
)


async def test_the_snapshot_shows_the_whole_farm(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
    client = await hass_client()
    item = await upload_item(client, "cube.gcode")
    first = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    second = state.create_job(
        state.print_items[item], JobSettings(auto_start=True, priority=2), utcnow()
    )
    urgent = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    queue.move_to_top(state, urgent)
    # Job 1 was stored on shelf 2; a workflow will store the next print on shelf 1.
    rack = state.racks[1]
    shelf = rack.shelf_by_number(2)
    assert shelf is not None
    done = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    for status in (JobStatus.PRINTING, JobStatus.COMPLETED):
        runtime.async_transition_job(done, status, "test")
    runtime.async_set_shelf(rack, shelf, ShelfState.WITH_PRINT, done.id, "api")
    report(entry, 1, PRINTER_AT_WORK)
    robot_ready(entry)
    await hass.async_block_till_done()

    ws = await hass_ws_client()
    _, farm = await subscribe(ws)

    assert farm["loaded"] is True
    assert farm["is_admin"] is True
    assert farm["processing"] == {"enabled": True, "status": "running"}
    printer = farm["printers"]["1"]
    assert printer == {
        "id": 1,
        "name": "My_P1P",
        "model": "P1P",
        "device_id": printer_device(hass, entry),
        "online": True,
        "status": "RUNNING",
        "stage": printer["stage"],
        "progress": 42,
        "remaining_minutes": 30,
        "end_time": printer["end_time"],
        "nozzle_temperature": 220.0,
        "nozzle_target": 220.0,
        "bed_temperature": 60.0,
        "bed_target": 60.0,
        "chamber_temperature": 31.0,
        "plate_present": True,
        "job": None,
        "workflow": None,
        "attention": None,
    }
    robot = farm["ottoejects"]["1"]
    assert robot["name"] == "OttoEject-Mk2"
    assert robot["online"] is True
    assert robot["status"] == "ONLINE"
    assert robot["macro"] is None
    assert robot["waiting"] == []
    assert robot["device_id"] is not None
    shelves = farm["racks"]["1"]["shelves"]
    assert farm["racks"]["1"]["name"] == "Rack A"
    assert [shelf["number"] for shelf in shelves] == [1, 2, 3]
    assert [shelf["state"] for shelf in shelves] == ["empty", "completed_print", "empty"]
    assert shelves[1]["job"] == {"id": done.id, "name": "cube.gcode", "print_item_id": item}
    # The queue: the waiting jobs in the orchestrator's order, then the finished one.
    ids = [job["id"] for job in farm["queue"]]
    assert ids == [urgent.id, first.id, second.id, done.id]
    assert ids[:3] == [job.id for job in sorted(queue.waiting(state), key=lambda j: j.queue_key)]
    waiting = farm["queue"][0]
    assert waiting["status"] == "QUEUED"
    assert waiting["can_move"]
    assert waiting["can_cancel"]
    assert not waiting["can_retry"]
    assert waiting["estimated_minutes"] == 62
    assert waiting["file_name"] == "cube.gcode"
    finished = farm["queue"][3]
    assert finished["status"] == "COMPLETED"
    assert finished["finished_at"] is not None
    assert not finished["can_move"]
    assert not finished["can_cancel"]
    assert farm["figures"]["queued"] == 3
    assert farm["figures"]["completed_today"] == 1
    assert farm["figures"]["success_rate"] == 100.0


async def test_a_paused_workflow_and_a_blocked_printer_need_attention(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
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
        rack_id=1,
        store_slot=1,
        grab_slot=3,
        phase=Phase.PAUSED,
        steps=[Step.HOME, Step.EJECT, Step.STORE, Step.PARK],
        step_index=1,
        pause=Pause(PauseKind.COMMAND_FAILED, Step.EJECT, "EJECT failed: jammed", Phase.EJECTING),
    )
    state.runs[run.id] = run
    ws = await hass_ws_client()
    subscription, farm = await subscribe(ws)
    printer = farm["printers"]["1"]
    device_id = printer_device(hass, entry)
    assert printer["workflow"] == {"id": run.id, "phase": "paused", "note": None}
    assert printer["job"] == {"id": job.id, "name": "cube.gcode", "print_item_id": item}
    assert printer["attention"] == {
        "reason": "EJECT failed: jammed",
        "actions": [
            {"action": "resume_workflow", "data": {"device_id": device_id, "answer": answer}}
            for answer in ("retry", "done", "abort")
        ],
    }
    shelves = farm["racks"]["1"]["shelves"]
    assert shelves[0]["reserved"] == {"job_id": job.id, "kind": "store"}
    assert shelves[2]["reserved"] == {"job_id": job.id, "kind": "grab"}
    assert shelves[1]["reserved"] is None
    assert farm["figures"]["active"] == 1
    assert farm["queue"][0]["id"] == job.id
    assert farm["queue"][0]["can_cancel"]
    assert not farm["queue"][0]["can_move"]

    # Aborted: the printer must be cleared, which the panel offers.
    runtime.orchestrator.async_answer(run.id, Answer.ABORT)
    changes = await next_event(ws, subscription)
    printer = changes["printers"]["1"]
    assert printer["workflow"] is None
    assert printer["attention"]["actions"] == [
        {"action": "plate_cleared", "data": {"device_id": device_id}}
    ]
    assert printer["attention"]["reason"] == state.printer_blocks[1]


async def test_a_change_sends_only_the_item_that_changed(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
    item = await upload_item(await hass_client(), "cube.gcode")
    first = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    second = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    ws = await hass_ws_client()
    subscription, farm = await subscribe(ws)
    assert farm["printers"]["1"]["online"] is False

    # A printer report: that printer only.
    report(entry, 1, PRINTER_AT_WORK)
    changes = await next_event(ws, subscription)
    assert set(changes) == {"kind", "printers"}
    assert changes["kind"] == "changes"
    assert list(changes["printers"]) == ["1"]
    assert changes["printers"]["1"]["progress"] == 42

    # Several reports in a burst: one event with the last one.
    for percent in (43, 44, 45):
        report(entry, 1, {"print": {**PRINTER_AT_WORK["print"], "mc_percent": percent}})
    changes = await next_event(ws, subscription)
    assert changes["printers"]["1"]["progress"] == 45

    # A job moved: the queue only.
    queue.move_to_top(state, second)
    runtime.async_state_changed()
    changes = await next_event(ws, subscription)
    assert set(changes) == {"kind", "queue"}
    assert [job["id"] for job in changes["queue"]] == [second.id, first.id]

    # A shelf changed: that rack only.
    rack = state.racks[1]
    shelf = rack.shelf_by_number(1)
    assert shelf is not None
    runtime.async_set_shelf(rack, shelf, ShelfState.EMPTY_PLATE, None, "api")
    changes = await next_event(ws, subscription)
    assert set(changes) == {"kind", "racks"}
    assert changes["racks"]["1"]["shelves"][0]["state"] == "empty_plate"

    # The robot's status stream.
    robot_ready(entry)
    changes = await next_event(ws, subscription)
    assert set(changes) == {"kind", "ottoejects"}
    assert changes["ottoejects"]["1"]["status"] == "ONLINE"

    # A job's status changes: queue and figures.
    runtime.async_transition_job(first, JobStatus.CANCELLED, "no")
    changes = await next_event(ws, subscription)
    assert set(changes) == {"kind", "queue", "figures"}
    assert changes["figures"]["queued"] == 1

    # Job processing paused.
    runtime.orchestrator.async_set_processing(False)
    changes = await next_event(ws, subscription)
    assert changes["processing"] == {"enabled": False, "status": "paused"}

    # A printer removed from the farm: it is gone (null).
    subentry_id = runtime.printers.coordinators[1].subentry_id
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    changes = await next_event(ws, subscription)
    assert changes["printers"] == {"1": None}


async def test_unsubscribing_stops_the_events(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    bus_listeners = hass.bus.async_listeners().get(EVENT_JOB_STATUS_CHANGED, 0)
    coordinator = entry.runtime_data.printers.coordinators[1]
    device_listeners = len(coordinator._listeners)
    ws = await hass_ws_client()
    subscription, _ = await subscribe(ws)
    assert len(coordinator._listeners) == device_listeners + 1
    await ws.send_json_auto_id({"type": "unsubscribe_events", "subscription": subscription})
    assert (await ws.receive_json())["success"]
    assert hass.bus.async_listeners().get(EVENT_JOB_STATUS_CHANGED, 0) == bus_listeners
    assert len(coordinator._listeners) == device_listeners
    # A change now sends nothing: the next message is the answer to a ping.
    report(entry, 1, PRINTER_AT_WORK)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10 * COALESCE_S))
    await hass.async_block_till_done()
    await ws.send_json_auto_id({"type": "ping"})
    assert (await ws.receive_json())["type"] == "pong"


async def test_the_hub_unloaded_and_loaded_again_sends_snapshots(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    ws = await hass_ws_client()
    subscription, _ = await subscribe(ws)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    event = await next_event(ws, subscription)
    assert event["kind"] == "snapshot"
    farm = event["farm"]
    assert farm["loaded"] is False
    assert farm["printers"] == farm["ottoejects"] == farm["racks"] == {}
    assert farm["queue"] == []
    assert farm["figures"]["queued"] == 0
    assert farm["figures"]["success_rate"] is None
    # Nothing loaded: a second panel gets the empty farm at once.
    other = await hass_ws_client()
    _, empty = await subscribe(other)
    assert empty == farm
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    event = await next_event(ws, subscription)
    assert event["kind"] == "snapshot"
    assert event["farm"]["loaded"] is True
    assert list(event["farm"]["printers"]) == ["1"]
    # The reloaded hub's pushes reach the panel.
    report(entry, 1, PRINTER_AT_WORK)
    changes = await next_event(ws, subscription)
    assert changes["printers"]["1"]["progress"] == 42


async def test_a_user_who_is_not_an_admin_sees_the_farm(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    hass_read_only_user: MockUser,
) -> None:
    await setup_panel_farm(hass)
    ws = await hass_ws_client(access_token=hass_read_only_access_token)
    _, farm = await subscribe(ws)
    assert not hass_read_only_user.is_admin
    assert farm["is_admin"] is False
    assert list(farm["printers"]) == ["1"]


async def test_the_figures_start_again_at_midnight(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    runtime = entry.runtime_data
    state = runtime.state
    item = await upload_item(await hass_client(), "cube.gcode")
    job = state.create_job(state.print_items[item], JobSettings(auto_start=True), utcnow())
    runtime.async_transition_job(job, JobStatus.PRINTING, "printing")
    runtime.async_transition_job(job, JobStatus.FAILED, "failed")
    ws = await hass_ws_client()
    subscription, farm = await subscribe(ws)
    assert farm["figures"]["failed_today"] == 1
    tomorrow = dt_util.start_of_local_day() + timedelta(days=1, minutes=1)
    with patch.object(dt_util, "now", return_value=tomorrow):
        async_fire_time_changed(hass, tomorrow)
        changes = await next_event(ws, subscription)
    assert set(changes) == {"kind", "figures"}
    assert changes["figures"]["failed_today"] == 0
    assert changes["figures"]["success_rate"] is None
