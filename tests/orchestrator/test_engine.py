"""The orchestrator's loop on fake devices: decisions, persistence before acting, recovery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from custom_components.ottoengine.farm.device_errors import (
    DeviceRefusedError,
    DeviceUnavailableError,
)
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.orchestration.runs import (
    Answer,
    PauseKind,
    Phase,
    Run,
    RunKind,
    Step,
)
from custom_components.ottoengine.farm.orchestration.topology import LoadedFilament
from custom_components.ottoengine.farm.ports import EjectorState, PrinterState
from custom_components.ottoengine.farm.racks import ShelfState
from custom_components.ottoengine.farm.state import FarmState

from .fakes import Bench, FakeHooks, Fleet, Orchestrator, OrchestratorSettings

P1S = {1: ("p1s-1", "P1S")}


async def _print_to_finish(bench: Bench, printer_id: int = 1) -> Run:
    await bench.settle()
    run = next(r for r in bench.state.active_runs() if r.printer_id == printer_id)
    assert run.phase is Phase.CONFIRMING
    bench.printers[printer_id].runs(run.remote_file or "")
    await bench.settle()
    assert run.phase is Phase.PRINTING
    bench.printers[printer_id].state = PrinterState.FINISH
    bench.printers[printer_id].progress = 100
    return run


async def _past_the_bed_move(bench: Bench) -> None:
    await bench.settle()  # the bed is sent to its eject position, the robot homes
    bench.now += 6  # the bed had time to get there
    await bench.settle()


async def test_ejection_waits_for_the_bed_then_runs_the_whole_sequence() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube", 30.0)
    bench.add_job("second", 30.0)  # a further job: the printer gets a fresh plate
    run = await _print_to_finish(bench)
    assert bench.printers[1].uploads == ["cube.gcode.3mf"]
    store, grab = run.store_slot, run.grab_slot
    assert store is not None
    assert grab is not None
    await bench.settle()
    # The robot homes at once; the eject waits until the bed had time to reach Z 200.
    assert bench.ejector.macros == ["OTTOEJECT_HOME"]
    assert "G90\nG1 Z200 F600" in bench.printers[1].commands
    assert job.status is JobStatus.EJECTING
    bench.now += 6
    await bench.settle()
    assert bench.ejector.macros == [
        "OTTOEJECT_HOME",
        "EJECT_FROM_BAMBULAB_P_ONE_S",
        f"STORE_TO_SLOT_{store}",
        f"GRAB_FROM_SLOT_{grab}",
        "LOAD_ONTO_BAMBULAB_P_ONE_S",
        "PARK_OTTOEJECT",
    ]
    assert job.status is JobStatus.COMPLETED
    assert bench.rack.shelf_by_number(store).state is ShelfState.WITH_PRINT  # type: ignore[union-attr]
    assert bench.rack.shelf_by_number(store).print_job_id == job.id  # type: ignore[union-attr]
    assert bench.rack.shelf_by_number(grab).state is ShelfState.NO_PLATE  # type: ignore[union-attr]
    assert bench.state.has_build_plate(1)
    assert [s.value for s in (JobStatus.PRINTING, JobStatus.EJECTING, JobStatus.STORING)] == [
        change.new_status.value for change in job.history[1:4]
    ]
    assert bench.hooks.event_names()[:3] == ["job_started", "job_finished", "job_stored"]


async def test_every_physical_command_is_saved_before_it_is_sent() -> None:
    bench = Bench(P1S)
    bench.add_job("cube")
    run = await _print_to_finish(bench)
    await _past_the_bed_move(bench)
    flights = [flight for snapshot in bench.hooks.persisted for _, flight in snapshot if flight]
    assert flights == ["start", "home", "eject", "store", "close_door", "park"]
    assert not run.active


async def test_nothing_is_sent_when_the_state_cannot_be_saved() -> None:
    bench = Bench(P1S)
    bench.add_job("cube")
    bench.hooks.save_fails = True
    await bench.settle()
    assert [c for c in bench.printers[1].commands if c.startswith("start")] == []
    run = bench.state.active_runs()[0]
    assert run.note is not None
    assert "could not be saved" in run.note


async def test_the_last_job_closes_the_door_and_takes_no_plate() -> None:
    bench = Bench(P1S)
    job = bench.add_job("only")
    await _print_to_finish(bench)
    await _past_the_bed_move(bench)
    assert "CLOSE_DOOR_BAMBULAB_P_ONE_S" in bench.ejector.macros
    assert not any(m.startswith("GRAB_FROM") for m in bench.ejector.macros)
    assert job.status is JobStatus.COMPLETED
    assert not bench.state.has_build_plate(1)


async def test_a_printer_without_a_plate_is_reloaded_when_a_job_comes() -> None:
    bench = Bench(P1S)
    bench.state.set_build_plate(1, False)
    await bench.settle()
    assert bench.ejector.macros == []  # nothing to print: no plate is fetched
    job = bench.add_job("cube")
    await bench.settle()
    assert bench.ejector.macros[1].startswith("GRAB_FROM_SLOT_")
    assert bench.ejector.macros[2] == "LOAD_ONTO_BAMBULAB_P_ONE_S"
    assert bench.state.has_build_plate(1)
    assert bench.state.run_of_job(job.id) is not None  # and then the job starts


async def test_a_pause_on_the_printer_pauses_the_job_and_resumes_it() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    await bench.settle()
    run = bench.state.active_runs()[0]
    bench.printers[1].runs(run.remote_file or "")
    await bench.settle()
    bench.printers[1].state = PrinterState.PAUSED
    await bench.settle()
    assert job.status is JobStatus.PAUSED
    bench.now += 7 * 24 * 3600  # no cap on how long a print takes or stays paused
    await bench.settle()
    assert job.status is JobStatus.PAUSED
    bench.printers[1].state = PrinterState.RUNNING
    await bench.settle()
    assert job.status is JobStatus.PRINTING


async def test_a_failed_print_blocks_the_printer_until_the_plate_is_cleared() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    second = bench.add_job("next")
    await bench.settle()
    run = bench.state.active_runs()[0]
    bench.printers[1].runs(run.remote_file or "")
    await bench.settle()
    bench.printers[1].state = PrinterState.FAILED
    await bench.settle()
    assert job.status is JobStatus.FAILED
    assert "job_failed" in bench.hooks.event_names()
    assert bench.engine.printer_view(1).attention is not None
    assert bench.state.run_of_job(second.id) is None  # the printer is blocked
    assert bench.ejector.macros == []  # a failed print stays on the printer
    bench.engine.plate_cleared(1)
    bench.printers[1].state = PrinterState.IDLE
    await bench.settle()
    assert bench.state.run_of_job(second.id) is not None


async def test_a_start_the_printer_never_reports_is_retried_then_fails() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    await bench.settle()
    bench.now += 61
    await bench.settle()
    assert [c for c in bench.printers[1].commands if c.startswith("start")] == [
        "start cube.gcode.3mf",
        "start cube.gcode.3mf",
    ]
    bench.now += 61
    await bench.settle()
    assert job.status is JobStatus.FAILED
    assert "did not start after 2 attempts" in job.status_message


async def test_a_refused_start_fails_after_the_attempts() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    bench.printers[1].fail_start = DeviceRefusedError("p1s-1", "the printer refused")
    await bench.settle()
    assert job.status is JobStatus.FAILED
    assert "the printer refused" in job.status_message


async def test_a_failed_macro_pauses_and_the_operator_retries_it_once() -> None:
    bench = Bench(P1S)
    bench.add_job("cube")
    run = await _print_to_finish(bench)
    store = run.store_slot
    bench.ejector.failures[f"STORE_TO_SLOT_{store}"] = DeviceRefusedError("ottoeject-1", "jammed")
    await _past_the_bed_move(bench)
    assert run.phase is Phase.PAUSED
    assert run.pause is not None
    assert run.pause.kind is PauseKind.COMMAND_FAILED
    assert "jammed" in run.pause.reason
    assert bench.hooks.paused == [run.id]
    assert "workflow_paused" in bench.hooks.event_names()
    sent = list(bench.ejector.macros)
    await bench.settle()
    assert bench.ejector.macros == sent  # never re-sent by itself
    bench.engine.answer(run.id, Answer.RETRY)
    await bench.settle()
    assert bench.ejector.macros.count(f"STORE_TO_SLOT_{store}") == 2
    assert not run.active
    assert bench.hooks.paused == []


async def test_done_by_hand_goes_on_as_if_the_step_succeeded() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    run = await _print_to_finish(bench)
    store = run.store_slot
    bench.ejector.failures[f"STORE_TO_SLOT_{store}"] = DeviceUnavailableError("ottoeject-1", "gone")
    await _past_the_bed_move(bench)
    bench.engine.answer(run.id, Answer.DONE)
    await bench.settle()
    assert job.status is JobStatus.COMPLETED
    assert bench.ejector.macros.count(f"STORE_TO_SLOT_{store}") == 1
    assert bench.rack.shelf_by_number(store).print_job_id == job.id  # type: ignore[arg-type, union-attr]


async def test_abort_fails_the_job_and_asks_for_the_plate() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    run = await _print_to_finish(bench)
    bench.ejector.failures["EJECT_FROM_BAMBULAB_P_ONE_S"] = DeviceRefusedError("ottoeject-1", "no")
    await _past_the_bed_move(bench)
    bench.engine.answer(run.id, Answer.ABORT)
    await bench.settle()
    assert job.status is JobStatus.FAILED
    assert 1 in bench.state.printer_blocks


async def _restart(bench: Bench, edit: Callable[[FarmState], None] | None = None) -> FarmState:
    """Home Assistant stops: a new engine on what was stored (``edit``: as it was stored)."""
    stored = bench.state.as_dict()
    await bench.engine.async_stop()
    restarted = FarmState.from_dict(stored)
    if edit is not None:
        edit(restarted)
    bench.state = restarted
    bench.hooks = FakeHooks(restarted)
    bench.ejector.gate = None
    bench.engine = Orchestrator(
        restarted,
        Fleet(dict(bench.printers)),
        Fleet({1: bench.ejector}),
        bench.hooks,
        settings=OrchestratorSettings(bed_settle_s=5),
        clock=lambda: bench.now,
    )
    return restarted


async def test_after_a_restart_a_bed_move_cut_off_is_sent_again() -> None:
    """Stopped while the robot homed and the bed was on its way: the bed's move was never
    confirmed, so the eject must not wait for it forever: the bed is sent again."""
    bench = Bench(P1S)
    job = bench.add_job("cube")
    run = await _print_to_finish(bench)
    bench.ejector.gate, bench.ejector.hold = asyncio.Event(), "OTTOEJECT_HOME"
    await bench.settle_some()  # the robot homes (held), the bed is sent

    def bed_not_confirmed(state: FarmState) -> None:
        state.runs[run.id].bed_moved_at = None

    restarted = await _restart(bench, bed_not_confirmed)
    assert restarted.runs[run.id].phase is Phase.EJECTING
    moves = bench.printers[1].commands.count("G90\nG1 Z200 F600")
    bench.engine.recover()
    await bench.settle()
    assert bench.printers[1].commands.count("G90\nG1 Z200 F600") == moves + 1
    bench.now += 6
    await bench.settle()
    assert restarted.jobs[job.id].status is JobStatus.COMPLETED
    assert bench.ejector.macros.count("EJECT_FROM_BAMBULAB_P_ONE_S") == 1


async def test_after_a_restart_a_plate_move_in_flight_is_not_guessed() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    run = await _print_to_finish(bench)
    bench.ejector.gate, bench.ejector.hold = asyncio.Event(), "EJECT_FROM_BAMBULAB_P_ONE_S"
    await bench.settle_some()  # the bed moves, the robot homes
    bench.now += 6
    await bench.settle_some()  # the eject is sent and runs
    assert run.in_flight is Step.EJECT
    # Home Assistant stops: the stored state is all that survives.
    restarted = await _restart(bench)
    sent = len(bench.ejector.macros)
    assert bench.engine.recover()
    again = restarted.runs[run.id]
    assert again.phase is Phase.PAUSED
    assert again.pause is not None
    assert again.pause.kind is PauseKind.UNKNOWN_OUTCOME
    await bench.settle()
    assert len(bench.ejector.macros) == sent  # the eject is not sent again
    bench.engine.answer(run.id, Answer.DONE)
    await bench.settle()
    assert restarted.jobs[job.id].status is JobStatus.COMPLETED
    assert bench.ejector.macros.count("EJECT_FROM_BAMBULAB_P_ONE_S") == 1


async def test_after_a_restart_an_unconfirmed_start_is_watched_not_resent() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    await bench.settle()
    run = bench.state.active_runs()[0]
    run.phase, run.in_flight = Phase.STARTING, Step.START  # as stored right before the send
    stored = FarmState.from_dict(bench.state.as_dict())
    bench.printers[1].runs("cube")
    hooks = FakeHooks(stored)
    engine = Orchestrator(
        stored,
        Fleet(dict(bench.printers)),
        Fleet({1: bench.ejector}),
        hooks,
        settings=OrchestratorSettings(),
        clock=lambda: bench.now,
    )
    engine.recover()
    starts = [c for c in bench.printers[1].commands if c.startswith("start")]
    engine.reconcile(bench.topology)
    await asyncio.sleep(0.01)
    assert [c for c in bench.printers[1].commands if c.startswith("start")] == starts
    assert stored.jobs[job.id].status is JobStatus.PRINTING


async def test_two_printers_finishing_share_the_robot_first_come_first_served() -> None:
    bench = Bench({1: ("p1s-1", "P1S"), 2: ("p1p-1", "P1P")}, shelves=8)
    bench.add_job("a")
    bench.add_job("b")
    await bench.settle()
    runs = {run.printer_id: run for run in bench.state.active_runs()}
    for printer_id, run in runs.items():
        bench.printers[printer_id].runs(run.remote_file or "")
    await bench.settle()
    gate = asyncio.Event()
    bench.ejector.gate = gate
    bench.printers[2].state = PrinterState.FINISH  # the P1P finishes first
    await bench.settle_some()
    bench.now += 1
    bench.printers[1].state = PrinterState.FINISH
    await bench.settle_some()
    assert bench.engine.waiting_ejections(1) == [runs[1]]
    gate.set()
    bench.ejector.gate = None
    await _past_the_bed_move(bench)
    ejects = [m for m in bench.ejector.macros if m.startswith("EJECT_FROM")]
    assert ejects == ["EJECT_FROM_BAMBULAB_P_ONE_P", "EJECT_FROM_BAMBULAB_P_ONE_S"]
    assert all(not run.active for run in runs.values())


async def test_no_free_shelf_keeps_the_print_on_the_printer_until_one_is_freed() -> None:
    bench = Bench(P1S, shelves=2)
    for shelf in bench.rack.shelves:
        shelf.set_state(ShelfState.WITH_PRINT, 99)
    job = bench.add_job("cube", 30.0)
    run = await _print_to_finish(bench)
    await _past_the_bed_move(bench)
    assert run.phase is Phase.WAITING_FOR_EJECTOR
    assert run.note is not None
    assert "free shelf" in run.note
    assert bench.ejector.macros == []
    bench.rack.shelves[0].set_state(ShelfState.NO_PLATE, None)  # the operator takes a print off
    await bench.settle()
    assert job.status is JobStatus.COMPLETED
    assert bench.ejector.macros[2] == "STORE_TO_SLOT_1"


async def test_an_ejector_offline_before_a_step_waits_without_sending() -> None:
    bench = Bench(P1S)
    bench.add_job("cube")
    run = await _print_to_finish(bench)
    bench.ejector.state = EjectorState.OFFLINE
    await _past_the_bed_move(bench)
    assert bench.ejector.macros == []
    assert run.note is not None
    assert "OttoEject" in run.note
    assert bench.engine.health_issues() == ["OttoEject ottoeject-1 is offline"]
    bench.ejector.state = EjectorState.ONLINE
    await bench.settle()
    assert not run.active


async def test_runs_survive_a_round_trip_through_the_store() -> None:
    run = Run(7, RunKind.RELOAD, 2, ejector_id=1, rack_id=1, grab_slot=4, steps=[Step.HOME])
    state = FarmState()
    state.runs[7] = run
    assert FarmState.from_dict(state.as_dict()).runs[7] == run


async def test_a_scheduled_job_waits_for_its_start_time() -> None:
    bench = Bench(P1S)
    later = datetime.fromtimestamp(bench.now + 3600, UTC)
    job = bench.add_job("night", start_after=later)
    await bench.settle()
    assert bench.state.run_of_job(job.id) is None
    assert job.status_message.startswith("scheduled for")
    bench.now += 3601
    await bench.settle()
    assert bench.state.run_of_job(job.id) is not None


async def test_a_job_asking_for_its_colour_waits_for_a_printer_with_it_loaded() -> None:
    bench = Bench({1: ("p1s-1", "P1S"), 2: ("p1p-1", "P1P")})
    bench.setups[1] = replace(bench.setups[1], filaments=(LoadedFilament("PLA", "#000000"),))
    bench.setups[2] = replace(bench.setups[2], filaments=(LoadedFilament("PLA", "#FF0000"),))
    red = bench.add_job("red", match_color=True)
    bench.state.print_items[red.print_item_id].metadata["filaments"] = [
        {"index": 1, "type": "PLA", "color": "#FF0000", "used_g": 5.0}
    ]
    await bench.settle()
    run = bench.state.run_of_job(red.id)
    assert run is not None
    assert run.printer_id == 2  # the printer with red PLA


async def test_a_print_that_ended_while_unobserved_is_followed_not_printed_again() -> None:
    bench = Bench(P1S)
    job = bench.add_job("cube")
    bench.add_job("second")
    await bench.settle()
    run = bench.state.run_of_job(job.id)
    assert run is not None
    # The printer printed it while no report came through: it now shows it finished.
    bench.printers[1].state, bench.printers[1].job_name = PrinterState.FINISH, "cube"
    bench.now += 61  # even after the confirmation deadline
    await _past_the_bed_move(bench)
    assert [c for c in bench.printers[1].commands if c.startswith("start")][:1] == [
        "start cube.gcode.3mf"
    ]
    assert job.status is JobStatus.COMPLETED
    assert bench.ejector.macros[1] == "EJECT_FROM_BAMBULAB_P_ONE_S"


async def test_a_copy_is_not_taken_for_done_by_the_previous_finished_print() -> None:
    bench = Bench(P1S)
    first = bench.add_job("cube")
    await _print_to_finish(bench)
    await _past_the_bed_move(bench)
    assert first.status is JobStatus.COMPLETED
    bench.state.set_build_plate(1, True)  # a fresh plate (the last job took none)
    copy = bench.add_job("cube")  # the same file again; the printer still shows it FINISHed
    await bench.settle()
    run = bench.state.run_of_job(copy.id)
    assert run is not None
    assert run.phase is Phase.CONFIRMING  # waits for the printer to really start it
    assert copy.status is JobStatus.QUEUED


async def test_a_run_waiting_for_the_rack_does_not_hold_up_the_robots_queue() -> None:
    bench = Bench({1: ("p1s-1", "P1S"), 2: ("p1p-1", "P1P")}, shelves=4)
    job = bench.add_job("b", printer_id=2)
    await bench.settle()
    run = bench.state.run_of_job(job.id)
    assert run is not None
    bench.printers[2].runs(run.remote_file or "")
    await bench.settle()
    # The P1S has no plate and a job waits for it; every empty plate is taken off the rack.
    bench.state.set_build_plate(1, False)
    bench.add_job("a", printer_id=1)
    bench.ejector.state = EjectorState.OFFLINE  # the reload cannot start at once
    await bench.settle()
    for shelf in bench.rack.shelves:
        if shelf.state is ShelfState.EMPTY_PLATE:
            shelf.set_state(ShelfState.NO_PLATE, None)
    reload = next(r for r in bench.state.active_runs() if r.kind is RunKind.RELOAD)
    bench.ejector.state = EjectorState.ONLINE
    bench.printers[2].state = PrinterState.FINISH  # the P1P finished after the reload queued
    await _past_the_bed_move(bench)
    assert "empty plate" in (reload.note or "")
    assert job.status is JobStatus.COMPLETED  # stored although the reload came first
    assert "EJECT_FROM_BAMBULAB_P_ONE_P" in bench.ejector.macros


async def test_a_bed_raised_by_the_print_itself_gets_no_move() -> None:
    """A K1C's END_PRINT leaves the bed at the eject position: nothing is sent, the robot goes."""
    bench = Bench(P1S)
    bench.setups[1] = replace(
        bench.setups[1], bed=replace(bench.setups[1].bed, moved_by_print=True)
    )
    bench.add_job("cube", 30.0)
    await _print_to_finish(bench)
    await _past_the_bed_move(bench)
    assert not [c for c in bench.printers[1].commands if c.startswith("G90")]
    assert "EJECT_FROM_BAMBULAB_P_ONE_S" in bench.ejector.macros
