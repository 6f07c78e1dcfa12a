"""The loop when things go wrong or the farm is not the simple case, on the simulated farm.

Every variant ends with the farm's ground truth: no violations, no print twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from http import HTTPStatus
import time
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.orchestration.runs import PauseKind, Phase, Run
from custom_components.ottoengine.orchestrator.runner import workflow_issue_id
from custom_components.ottoengine.ottoeject.settings import CONF_MACRO_ACK_TIMEOUT

from ..farm_fixtures import FarmHandle, run_farm
from .farm_setup import P1_FAMILY, PRINT_START_S, Farm, events, macros, set_up_farm, wait_until

pytestmark = pytest.mark.usefixtures("loopback_enabled")


@pytest.fixture
def one_printer() -> Iterator[FarmHandle]:
    """A P1S, an OttoEject and a rack of 4 shelves (1-2 free, 3-4 empty plates)."""
    with run_farm(printers=1, models="P1S", ejectors=1, shelves=4, time_scale=60) as sim:
        yield sim


async def wait_truth(
    farm: Farm, condition: Callable[[dict[str, Any]], bool], timeout: float, what: str
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        truth = await farm.truth()
        if condition(truth):
            return truth
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def _completed(farm: Farm, *job_ids: int) -> bool:
    return all(farm.job_status(job_id) is JobStatus.COMPLETED for job_id in job_ids)


def _run_of(farm: Farm, job_id: int) -> Run | None:
    return farm.entry.runtime_data.state.run_of_job(job_id)


async def _queue(
    farm: Farm, name: str, *, height: float = 30.0, seconds: int = 300, **job: Any
) -> int:
    item = await farm.upload(
        f"{name}.gcode.3mf", height_mm=height, model=P1_FAMILY, seconds=seconds
    )
    return await farm.queue(item, **job)


async def test_macros_slower_than_their_acknowledgement_are_followed_not_resent(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    # Time scale 10: an eject takes 2 s, the acknowledgement timeout is 0.5 s.
    with run_farm(printers=1, models="P1S", ejectors=1, shelves=4, time_scale=10) as sim:
        farm = await set_up_farm(hass, hass_client, sim, options={CONF_MACRO_ACK_TIMEOUT: 0.5})
        first = await _queue(farm, "first", seconds=60)
        second = await _queue(farm, "second", seconds=60)
        await wait_until(
            lambda: _completed(farm, first, second), 110, "both jobs stored", interval=0.3
        )
        truth = await farm.truth()
    assert truth["violations"] == []
    started = macros(truth)
    assert started.count("OTTOEJECT_HOME") == 2
    assert len([m for m in started if m.startswith("EJECT_FROM")]) == 2  # none sent twice
    assert all(event["ok"] for event in events(truth, "macro_finished"))


async def test_a_failed_print_stays_on_the_printer_until_the_operator_clears_it(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, one_printer: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, one_printer)
    printer = one_printer.printers[0]["name"]
    failing = await _queue(farm, "failing", seconds=1200)
    after = await _queue(farm, "after", seconds=120)
    await wait_until(
        lambda: farm.job_status(failing) is JobStatus.PRINTING,
        PRINT_START_S,
        "the first print running",
    )
    await farm.fault(printer, "print_error", print_error=50348044)
    await wait_until(lambda: farm.job_status(failing) is JobStatus.FAILED, 30, "the job FAILED")
    printer_id = farm.printer_ids[printer]
    view = farm.entry.runtime_data.orchestrator.engine.printer_view(printer_id)
    assert view.attention is not None
    assert "clear" in view.attention
    await hass.async_block_till_done()
    assert farm.job_status(after) is JobStatus.QUEUED  # blocked: the failed print is on the bed
    assert macros(await farm.truth()) == []
    # The operator takes the failed print off and says so.
    await farm.operator("clear_printer_plate", printer=printer)
    response = await farm.client.post(f"/api/printers/{printer_id}/plate-cleared")
    assert response.status == HTTPStatus.OK
    await wait_until(lambda: _completed(farm, after), 60, "the next job stored", interval=0.3)
    truth = await farm.truth()
    assert truth["violations"] == []
    assert [event["file"] for event in events(truth, "print_failed")] == ["failing.gcode.3mf"]
    # The failing print may have got past its preparation before the error (on a slow machine
    # it does): it started at most once, and the next job's print exactly once, after it.
    started = [event["file"] for event in events(truth, "print_started")]
    assert started in (["after.gcode.3mf"], ["failing.gcode.3mf", "after.gcode.3mf"])


async def test_no_free_shelf_keeps_the_print_on_the_printer_until_one_is_freed(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, one_printer: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, one_printer)
    # The operator fills the free shelves with empty plates: nowhere to store a print.
    for shelf in (1, 2):
        await farm.operator("put_empty_plate_on_shelf", rack="rack-1", shelf=shelf)
        await farm.mark_shelf(shelf, "empty")
    job = await _queue(farm, "waits", seconds=120)
    await wait_until(
        lambda: (run := _run_of(farm, job)) is not None and run.phase is Phase.WAITING_FOR_EJECTOR,
        60,
        "the print done and waiting",
    )
    await hass.async_block_till_done()
    run = _run_of(farm, job)
    assert run is not None
    assert "free shelf" in (run.note or "")
    truth = await farm.truth()
    printer = one_printer.printers[0]["name"]
    assert truth["printers"][printer]["plate"]["print"] is not None  # still on the printer
    assert macros(truth, "EJECT_FROM") == []
    # The operator takes a plate away and marks the shelf free: the workflow goes on at once.
    await farm.operator("take_plate_off_shelf", rack="rack-1", shelf=1)
    await farm.mark_shelf(1, "none")
    await wait_until(lambda: _completed(farm, job), 60, "the job stored", interval=0.3)
    truth = await farm.truth()
    assert truth["violations"] == []
    assert truth["racks"]["rack-1"]["1"]["print"].startswith("waits@")


async def test_without_empty_plates_the_printer_waits_then_is_reloaded(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, one_printer: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, one_printer)
    printer = one_printer.printers[0]["name"]
    printer_id = farm.printer_ids[printer]
    jobs = [await _queue(farm, f"part{n}", seconds=120) for n in range(1, 5)]
    # Two empty plates on the rack: jobs 1-3 print (the third on the second fetched plate).
    await wait_until(lambda: _completed(farm, *jobs[:3]), 100, "three jobs stored", interval=0.3)
    engine = farm.entry.runtime_data.orchestrator.engine
    await wait_until(
        lambda: (engine.printer_view(printer_id).attention or "").startswith("No plate"),
        20,
        "the printer asking for plates",
    )
    assert farm.job_status(jobs[3]) is JobStatus.QUEUED
    # The operator takes a print off a shelf but leaves its plate, and says so.
    truth = await farm.truth()
    shelf = next(s for s, plate in truth["racks"]["rack-1"].items() if plate and plate["print"])
    await farm.operator("take_print_off_shelf", rack="rack-1", shelf=int(shelf), leave_plate=True)
    await farm.mark_shelf(int(shelf), "empty")
    await wait_until(lambda: _completed(farm, jobs[3]), 60, "the fourth job stored", interval=0.3)
    truth = await farm.truth()
    assert truth["violations"] == []
    assert len(events(truth, "print_started")) == 4
    assert macros(truth, "GRAB_FROM") == [m for m in macros(truth) if m.startswith("GRAB_FROM")]
    assert len(macros(truth, "LOAD_ONTO")) == 3


async def test_an_ejector_lost_mid_sequence_pauses_with_a_repair_and_resumes(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    with run_farm(printers=1, models="P1S", ejectors=1, shelves=4, time_scale=5) as sim:
        farm = await set_up_farm(hass, hass_client, sim)
        job = await _queue(farm, "lost", seconds=30)
        await wait_truth(farm, lambda t: bool(macros(t, "EJECT_FROM")), 90, "the eject started")
        await farm.fault("ottoeject-1", "moonraker_down")
        run = await wait_until(
            lambda: (r := _run_of(farm, job)) is not None and r.phase is Phase.PAUSED and r,
            60,
            "the workflow paused",
        )
        issue = ir.async_get(hass).async_get_issue(DOMAIN, workflow_issue_id(run.id))
        assert issue is not None
        assert issue.is_fixable
        health = await farm.client.get("/api/orchestration/health")
        assert health.status == HTTPStatus.SERVICE_UNAVAILABLE
        await farm.fault("ottoeject-1", "moonraker_up")
        # The operator looks: the plate went where the eject takes it, so it was done.
        # The operator looks: the eject was interrupted, the print is still on the printer.
        truth = await farm.truth()
        assert truth["ejectors"]["ottoeject-1"]["gripper"] is None
        assert truth["printers"][sim.printers[0]["name"]]["plate"]["print"] is not None
        flow = await farm.client.post(
            "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue.issue_id}
        )
        assert flow.status == HTTPStatus.OK, await flow.text()
        menu = await flow.json()
        assert menu["type"] == "menu"
        assert set(menu["menu_options"]) == {"retry", "done", "abort"}
        answer = await farm.client.post(
            f"/api/repairs/issues/fix/{menu['flow_id']}", json={"next_step_id": "retry"}
        )
        assert answer.status == HTTPStatus.OK, await answer.text()
        await wait_until(lambda: _completed(farm, job), 90, "the job stored", interval=0.3)
        truth = await farm.truth()
    assert ir.async_get(hass).async_get_issue(DOMAIN, workflow_issue_id(run.id)) is None
    assert truth["violations"] == []
    # Sent again only on the operator's word, and it happened once.
    assert len(macros(truth, "EJECT_FROM")) == 2
    ejected = [e for e in events(truth, "macro_finished") if e["macro"].startswith("EJECT_FROM")]
    assert [e["ok"] for e in ejected] == [False, True]


async def test_a_shelf_edit_that_breaks_a_reservation_is_replanned(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, one_printer: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, one_printer)
    job = await _queue(farm, "moved", seconds=600)
    run = await wait_until(lambda: _run_of(farm, job), 30, "the job assigned")
    reserved = run.store_slot
    assert reserved is not None
    # While it prints, the operator puts an empty plate on its reserved shelf.
    await farm.operator("put_empty_plate_on_shelf", rack="rack-1", shelf=reserved)
    await farm.mark_shelf(reserved, "empty")
    await wait_until(lambda: _completed(farm, job), 60, "the job stored", interval=0.3)
    truth = await farm.truth()
    assert truth["violations"] == []
    stored_on = next(
        int(s) for s, plate in truth["racks"]["rack-1"].items() if plate and plate["print"]
    )
    assert stored_on != reserved
    assert truth["racks"]["rack-1"][str(reserved)]["print"] is None  # the operator's plate


async def test_two_ottoejects_each_serve_their_own_printers_and_rack(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    with run_farm(printers=2, models="P1S,P1P", ejectors=2, shelves=4, time_scale=60) as sim:
        names = [printer["name"] for printer in sim.printers]
        farm = await set_up_farm(
            hass,
            hass_client,
            sim,
            printer_settings={names[0]: {"ottoeject_id": 1}, names[1]: {"ottoeject_id": 2}},
            rack_ejectors=True,
        )
        jobs = [await _queue(farm, f"twin{n}", seconds=120) for n in range(4)]
        await wait_until(lambda: _completed(farm, *jobs), 110, "every job stored", interval=0.3)
        truth = await farm.truth()
    assert truth["violations"] == []
    for ejector, printer_macro, rack in (
        ("ottoeject-1", "EJECT_FROM_BAMBULAB_P_ONE_S", "rack-1"),
        ("ottoeject-2", "EJECT_FROM_BAMBULAB_P_ONE_P", "rack-2"),
    ):
        ejects = macros(truth, "EJECT_FROM", device=ejector)
        assert ejects
        assert set(ejects) == {printer_macro}
        stored = [p for p in truth["racks"][rack].values() if p and p["print"]]
        assert len(stored) == len(ejects)


async def test_a_manually_cleared_printer_runs_in_the_same_queue(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    with run_farm(printers=2, models="P1S,P1P", ejectors=1, shelves=6, time_scale=60) as sim:
        manual = next(p["name"] for p in sim.printers if p["model"] == "P1P")
        farm = await set_up_farm(
            hass, hass_client, sim, printer_settings={manual: {"clearing_method": "manual"}}
        )
        manual_id = farm.printer_ids[manual]
        jobs = [await _queue(farm, f"mix{n}", seconds=120) for n in range(4)]
        engine = farm.entry.runtime_data.orchestrator.engine
        cleared = 0
        for _ in range(40):
            if _completed(farm, *jobs):
                break
            if (engine.printer_view(manual_id).attention or "").endswith("cleared"):
                # A person takes the print off the P1P and confirms.
                await farm.operator("clear_printer_plate", printer=manual)
                response = await farm.client.post(f"/api/printers/{manual_id}/plate-cleared")
                assert response.status == HTTPStatus.OK
                cleared += 1
            await asyncio.sleep(2)
        assert _completed(farm, *jobs)
        truth = await farm.truth()
    assert truth["violations"] == []
    assert cleared >= 1
    assert set(macros(truth, "EJECT_FROM")) == {"EJECT_FROM_BAMBULAB_P_ONE_S"}  # never the P1P
    assert len(events(truth, "print_started")) == 4


async def test_a_hub_restarted_mid_print_and_mid_ejection_finishes_each_job_once(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, one_printer: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, one_printer)
    first = await _queue(farm, "survivor", seconds=900)
    second = await _queue(farm, "second", seconds=300)
    await wait_until(
        lambda: farm.job_status(first) is JobStatus.PRINTING,
        PRINT_START_S,
        "the first print running",
    )
    # Restart while it prints: the workflow resumes from what is stored and reported.
    assert await hass.config_entries.async_reload(farm.entry.entry_id)
    await hass.async_block_till_done()
    await wait_truth(farm, lambda t: bool(macros(t, "EJECT_FROM")), 60, "the first eject")
    # Restart while the robot works on it.
    assert await hass.config_entries.async_reload(farm.entry.entry_id)
    await hass.async_block_till_done()
    runtime = farm.entry.runtime_data
    paused = [run for run in runtime.state.active_runs() if run.phase is Phase.PAUSED]
    for run in paused:  # a plate move cut off by the restart: the operator looks and answers
        assert run.pause is not None
        assert run.pause.kind is PauseKind.UNKNOWN_OUTCOME
        macro = run.pause.reason.split(" ", 1)[0]
        # Only once the robot stopped moving does the farm show what happened.
        truth = await wait_truth(
            farm,
            lambda t: t["devices"]["ejectors"]["ottoeject-1"]["idle_timeout"] != "Printing",
            30,
            "the robot idle",
        )
        done = any(e["ok"] for e in events(truth, "macro_finished") if e["macro"] == macro)
        response = await farm.client.post(
            f"/api/orchestration/workflows/{run.id}/resume",
            json={"answer": "done" if done else "retry"},
        )
        assert response.status == HTTPStatus.OK
    await wait_until(lambda: _completed(farm, first, second), 100, "both jobs stored", interval=0.3)
    truth = await farm.truth()
    assert truth["violations"] == []
    assert [e["file"] for e in events(truth, "print_started")] == [
        "survivor.gcode.3mf",
        "second.gcode.3mf",
    ]
    ejects = [e for e in events(truth, "macro_finished") if e["macro"].startswith("EJECT_FROM")]
    assert [e["ok"] for e in ejects].count(True) == 2  # each print ejected once


async def test_home_assistant_stopping_mid_ejection_fails_nothing_and_guesses_nothing(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, one_printer: FarmHandle
) -> None:
    """A clean stop closes every device connection: that is not the farm failing. The workflow
    keeps its step in flight (the next start settles it from the devices), its job goes on."""
    farm = await set_up_farm(hass, hass_client, one_printer)
    job_id = await _queue(farm, "stopped", seconds=120)
    await wait_truth(farm, lambda t: bool(macros(t, "EJECT_FROM")), 60, "the eject running")
    run = _run_of(farm, job_id)
    assert run is not None
    await wait_until(lambda: run.in_flight is not None, 10, "a macro in flight", interval=0.01)
    in_flight = run.in_flight
    status = farm.job_status(job_id)

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await asyncio.sleep(1)  # the robot's and printer's connections are closed by now
    await hass.async_block_till_done()

    assert run.phase is Phase.EJECTING
    assert run.pause is None
    assert run.in_flight is in_flight  # settled at the next start, never guessed
    assert farm.job_status(job_id) is status
    assert status in (JobStatus.EJECTING, JobStatus.STORING)
    issues = ir.async_get(hass).issues
    assert (DOMAIN, workflow_issue_id(run.id)) not in issues
