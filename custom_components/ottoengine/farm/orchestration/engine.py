"""The lights-out loop: print -> eject -> store -> grab -> load -> next job, for every printer.

``Orchestrator.reconcile`` looks at every run and at what the devices report now, decides the
next step of each and starts its command; it is called whenever something changed (a printer
or robot report, a shelf edit, a job queued, a command finished) and by a slow tick as a safety
net. Decisions are synchronous; commands run as tasks. Before a physical command the run is
saved with the command marked ``in_flight`` (``FarmHooks.async_persist``); a run found with a
command in flight at start-up (``recover``) is settled from what the devices report, and a
plate-moving macro whose outcome is unknown is never sent again without an operator's answer.

Nothing here knows Home Assistant: the HA layer implements ``FarmHooks`` and the fleets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
from pathlib import Path
import time
from typing import Any, Final, Protocol

from ..device_errors import DeviceError
from ..job_status import JobStatus
from ..jobs import PrintJob
from ..ports import (
    EjectorFleet,
    EjectorState,
    PrinterFleet,
    PrinterPort,
    PrinterSnapshot,
    PrinterState,
    StartOptions,
)
from ..print_items import PrintItem
from ..racks import Rack, ShelfState
from ..state import ID_RUN, FarmState
from . import compatibility, scheduler, shelves
from .runs import Answer, Pause, PauseKind, Phase, Run, RunKind, Step
from .topology import ClearingMethod, PrinterSetup

_LOGGER = logging.getLogger(__name__)

EVENT_JOB_STARTED: Final = "job_started"
EVENT_JOB_FINISHED: Final = "job_finished"
EVENT_JOB_STORED: Final = "job_stored"
EVENT_JOB_FAILED: Final = "job_failed"
EVENT_WORKFLOW_PAUSED: Final = "workflow_paused"
EVENT_QUEUE_EMPTY: Final = "queue_empty"

SAVE_RETRY_S: Final = 10.0
_ENDED_STATES: Final = frozenset({PrinterState.FINISH, PrinterState.FAILED})
_PRINTING_STATES: Final = frozenset({PrinterState.PREPARING, PrinterState.RUNNING})
_STARTABLE_STATES: Final = frozenset({PrinterState.IDLE, PrinterState.FINISH, PrinterState.FAILED})


@dataclass(frozen=True, slots=True)
class OrchestratorSettings:
    """Timings and bounds (the hub's options can change them)."""

    start_timeout_s: float = 300.0  # the printer must report the job within this time
    start_attempts: int = 3  # starts tried before the job fails
    bed_settle_s: float = 25.0  # after the bed move was sent, before the robot ejects (a
    # P1/X1 bed needs 20 s for the full 200 mm at F600: 5 s of margin)
    keep_finished_runs: int = 200


@dataclass(frozen=True, slots=True)
class Topology:
    """The farm as the orchestrator sees it right now."""

    printers: Mapping[int, PrinterSetup]
    ejector_ids: Sequence[int]
    rack_ejectors: Mapping[int, int | None]  # rack id -> the OttoEject serving it

    def ejector_of_printer(self, setup: PrinterSetup) -> int | None:
        return _ejector_of(setup.ottoeject_id, list(self.ejector_ids))

    def racks_of_ejector(self, ejector_id: int | None) -> tuple[int, ...]:
        if ejector_id is None:
            return ()
        return tuple(
            sorted(
                rack_id
                for rack_id, configured in self.rack_ejectors.items()
                if _ejector_of(configured, list(self.ejector_ids)) == ejector_id
            )
        )


def _ejector_of(configured: int | None, ejector_ids: list[int]) -> int | None:
    if configured is not None:
        return configured if configured in ejector_ids else None
    return ejector_ids[0] if len(ejector_ids) == 1 else None


class FarmHooks(Protocol):
    """What the orchestrator needs of its host (Home Assistant)."""

    async def async_persist(self) -> bool:
        """Save the farm's state now; False if it could not be saved (then nothing is sent)."""

    def changed(self) -> None:
        """The state changed (save soon, refresh entities)."""

    def transition_job(self, job: PrintJob, target: JobStatus, reason: str) -> None: ...

    def set_shelf(
        self, rack: Rack, shelf_number: int, state: ShelfState, job_id: int | None
    ) -> None: ...

    def set_build_plate(self, printer_id: int, present: bool) -> None: ...

    def fire(self, event: str, data: dict[str, Any]) -> None: ...

    def run_paused(self, run: Run) -> None:
        """Raise the repair issue of a paused run."""

    def run_resumed(self, run: Run) -> None:
        """Remove the repair issue of a run that is no longer paused."""

    def print_file(self, item: PrintItem) -> Path: ...

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]: ...

    def wake_at(self, when: float) -> None:
        """Call ``reconcile`` again at ``when`` (unix seconds) at the latest."""


@dataclass(slots=True)
class _Wakeups:
    earliest: float | None = None

    def add(self, when: float) -> None:
        if self.earliest is None or when < self.earliest:
            self.earliest = when


@dataclass(slots=True)
class PrinterView:
    """What the printer's entities show of the orchestrator."""

    phase: Phase | None = None
    job_id: int | None = None
    attention: str | None = None  # why a person must act (None: nothing to do)
    note: str | None = None  # what the printer waits for


@dataclass(slots=True)
class _Macro:
    name: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)


class Orchestrator:
    """Drives every run of one farm."""

    def __init__(
        self,
        state: FarmState,
        printers: PrinterFleet,
        ejectors: EjectorFleet,
        hooks: FarmHooks,
        *,
        settings: OrchestratorSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._state = state
        self._printers = printers
        self._ejectors = ejectors
        self._hooks = hooks
        self.settings = settings or OrchestratorSettings()
        self._clock = clock
        self._tasks: dict[tuple[int, str], asyncio.Task[None]] = {}
        # Run id -> unix time before which it is not advanced (after a failed save).
        self._hold: dict[int, float] = {}
        # Runs whose turn came but which wait for the rack (a free shelf, an empty plate).
        self._rack_waits: set[int] = set()
        self._topology = Topology({}, (), {})
        self._queue_had_jobs = False
        self._request_reconcile: Callable[[], None] = lambda: None

    # -- host API -----------------------------------------------------------------------------
    def set_reconcile_callback(self, request: Callable[[], None]) -> None:
        """How a finished command asks for the next decision (the host coalesces calls)."""
        self._request_reconcile = request

    @property
    def busy(self) -> bool:
        """Whether a command is running."""
        return any(not task.done() for task in self._tasks.values())

    def cancel_tasks(self) -> list[asyncio.Task[None]]:
        """Cancel every running command task at once, leaving its step in flight (a restart
        settles it from the devices); returns the tasks still winding down."""
        tasks = [task for task in self._tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        self._tasks.clear()
        return tasks

    async def async_stop(self) -> None:
        """Cancel every running command task (a restart settles them from the devices)."""
        await asyncio.gather(*self.cancel_tasks(), return_exceptions=True)

    def recover(self, topology: Topology | None = None) -> bool:
        """Settle the runs that had a command in flight when the host stopped; True if any."""
        if topology is not None:
            self._topology = topology  # the macros' names in the pause reasons
        changed = False
        now = self._clock()
        for run in self._state.active_runs():
            step = run.in_flight
            if step is None:
                continue
            changed = True
            run.in_flight = None
            if step is Step.START:
                # Whether the start reached the printer shows in its reports: watch for it.
                run.phase = Phase.CONFIRMING
                run.deadline = now + self.settings.start_timeout_s
            elif step is Step.BED:
                run.bed_moved_at = None  # a bed move is safe to send again
            elif step.moves_a_plate:
                macro = self._macro_name(run, step)
                self._pause(
                    run,
                    PauseKind.UNKNOWN_OUTCOME,
                    step,
                    f"{macro} was running when Home Assistant stopped; its outcome is not "
                    "known. Check the robot, the printer and the rack, then answer",
                )
            # HOME, PARK and CLOSE_DOOR move no plate: they are simply sent again.
        if changed:
            self._hooks.changed()
        return changed

    def reconcile(self, topology: Topology) -> None:
        """Decide and start the next step of every run; schedule queued jobs."""
        self._topology = topology
        now = self._clock()
        wakeups = _Wakeups()
        for run in self._state.active_runs():
            self._advance(run, now, wakeups)
        if self._state.processing.enabled:
            self._schedule(now)
        self._plan_reloads(now)
        self._report_queue()
        if wakeups.earliest is not None:
            self._hooks.wake_at(wakeups.earliest)

    def answer(self, run_id: int, answer: Answer) -> Run:
        """An operator's answer to a paused run (``KeyError``/``ValueError`` when not paused)."""
        run = self._state.runs[run_id]
        pause = run.pause
        if run.phase is not Phase.PAUSED or pause is None:
            raise ValueError(f"workflow {run_id} is not paused")
        run.pause = None
        run.note = None
        if answer is Answer.RETRY:
            run.phase = pause.resume_phase
        elif answer is Answer.DONE:
            run.phase = pause.resume_phase
            self._step_succeeded(run, pause.step)
        else:
            self._abort(run, f"aborted by the operator at {self._macro_name(run, pause.step)}")
        self._hooks.run_resumed(run)
        self._hooks.changed()
        self._request_reconcile()
        return run

    def plate_cleared(self, printer_id: int) -> bool:
        """An operator confirms the printer's bed is clear with a fresh plate on it."""
        blocked = self._state.printer_blocks.pop(printer_id, None) is not None
        self._hooks.set_build_plate(printer_id, True)
        self._hooks.changed()
        self._request_reconcile()
        return blocked

    def printer_view(self, printer_id: int) -> PrinterView:
        run = next(
            (
                r
                for r in self._state.active_runs()
                if r.printer_id == printer_id and r.holds_printer
            ),
            None,
        )
        view = PrinterView()
        if run is not None:
            view.phase = run.phase
            view.job_id = run.job_id
            view.note = run.note
            if run.pause is not None:
                view.attention = run.pause.reason
        block = self._state.printer_blocks.get(printer_id)
        if block is not None and view.attention is None:
            view.attention = block
        setup = self._topology.printers.get(printer_id)
        if (
            view.attention is None
            and run is None
            and setup is not None
            and setup.clearing is ClearingMethod.OTTOEJECT
            and not self._state.has_build_plate(printer_id)
        ):
            view.attention = (
                "No plate on the printer: load empty plates onto the rack and mark the shelves"
            )
        return view

    def waiting_ejections(self, ejector_id: int) -> list[Run]:
        """The runs queued for this robot, first come first served."""
        waiting = [
            run
            for run in self._state.active_runs()
            if run.ejector_id == ejector_id and run.phase is Phase.WAITING_FOR_EJECTOR
        ]
        return sorted(waiting, key=_queue_key)

    def health_issues(self) -> list[str]:
        issues = [
            f"Workflow {run.id} (printer {run.printer_id}) is paused: {run.pause.reason}"
            for run in self._state.active_runs()
            if run.pause is not None
        ]
        for ejector_id in self._topology.ejector_ids:
            port = self._ejectors.ejector(ejector_id)
            if port is None:
                continue
            snapshot = port.snapshot()
            if snapshot.state in (EjectorState.OFFLINE, EjectorState.ISSUE):
                issues.append(f"OttoEject {port.name} is {snapshot.state.value.lower()}")
        return issues

    # -- one run ------------------------------------------------------------------------------
    def _advance(self, run: Run, now: float, wakeups: _Wakeups) -> None:
        job = self._state.jobs.get(run.job_id) if run.job_id is not None else None
        if run.kind is RunKind.JOB and (job is None or self._job_ended_elsewhere(run, job)):
            self._job_gone(run, job)
            return
        hold = self._hold.get(run.id)
        if hold is not None and now < hold:
            wakeups.add(hold)
            return
        self._hold.pop(run.id, None)
        # One decision may lead to the next at once (a confirmed start that already
        # finished, a print done and the robot free): follow the phases until one waits.
        for _ in range(len(Phase)):
            phase = run.phase
            if phase is Phase.STARTING:
                self._advance_starting(run, job, now)
            elif phase is Phase.CONFIRMING:
                self._advance_confirming(run, job, now, wakeups)
            elif phase is Phase.PRINTING:
                self._advance_printing(run, job, now)
            elif phase is Phase.WAITING_FOR_EJECTOR:
                self._advance_waiting(run, job, now)
            elif phase is Phase.EJECTING:
                self._advance_ejecting(run, now, wakeups)
            if run.phase is phase:
                return

    def _job_ended_elsewhere(self, run: Run, job: PrintJob) -> bool:
        """Cancelled (or failed) through the API or an action while its run was active."""
        if job.status is JobStatus.COMPLETED:
            return run.phase in (Phase.STARTING, Phase.CONFIRMING, Phase.PRINTING)
        return job.status in (JobStatus.CANCELLED, JobStatus.FAILED, JobStatus.NEW)

    def _job_gone(self, run: Run, job: PrintJob | None) -> None:
        if self._running(run, "printer") or self._running(run, "robot"):
            return  # let the command end first
        printed = run.phase in (Phase.PRINTING, Phase.WAITING_FOR_EJECTOR) or run.seen_running
        if run.holds_ejector:
            # Mid-sequence: the robot's part stays the operator's (the plate may be anywhere).
            self._state.printer_blocks[run.printer_id] = (
                f"Job {run.job_id} was cancelled during ejection: check the robot and the "
                "printer, then confirm the plate is cleared"
            )
        elif printed and not self._plate_ejected(run):
            self._state.printer_blocks[run.printer_id] = (
                f"Job {run.job_id} was cancelled: take its print off and confirm the plate "
                "is cleared"
            )
        status = job.status.value if job is not None else "deleted"
        self._finish_run(run, f"job {status}")

    def _plate_ejected(self, run: Run) -> bool:
        return Step.EJECT in run.steps[: run.step_index]

    # STARTING: upload if needed, then start.
    def _advance_starting(self, run: Run, job: PrintJob | None, now: float) -> None:
        assert job is not None
        if self._running(run, "printer"):
            return
        port = self._printers.printer(run.printer_id)
        item = self._state.print_items.get(job.print_item_id)
        if port is None or item is None:
            self._fail_job(run, job, "its printer or its print file is no longer in the farm")
            return
        snapshot = port.snapshot()
        if not snapshot.online:
            run.note = f"waiting for printer {port.name} to come online"
            return
        if snapshot.state not in _STARTABLE_STATES:
            run.note = f"waiting for printer {port.name} to be idle ({snapshot.state.value})"
            return
        run.note = None
        self._spawn(run, "printer", self._async_start(run, job, item, port), f"start {job.id}")

    async def _async_start(
        self, run: Run, job: PrintJob, item: PrintItem, port: PrinterPort
    ) -> None:
        remote = run.remote_file or item.filename
        run.remote_file = remote
        try:
            uploaded = self._state.printer_files.setdefault(run.printer_id, {})
            if uploaded.get(remote) != item.sha256:
                run.note = f"uploading {remote} to {port.name}"
                self._hooks.changed()
                remote = await port.async_upload(self._hooks.print_file(item), remote)
                run.remote_file = remote
                uploaded[remote] = item.sha256
            run.in_flight = Step.START
            run.attempts += 1
            run.start_baseline = _baseline(port.snapshot())
            if not await self._hooks.async_persist():
                run.in_flight = None
                run.attempts -= 1
                run.note = "the farm's state could not be saved: nothing was sent"
                self._hold_run(run)
                return
            plate = item.metadata.get("plate_index") or 1
            await port.async_start_print(
                remote, StartOptions(plate=int(plate), use_ams=job.settings.use_ams)
            )
        except DeviceError as err:
            run.in_flight = None
            self._start_failed(run, job, str(err))
            return
        finally:
            self._hooks.changed()
        run.in_flight = None
        run.phase = Phase.CONFIRMING
        run.deadline = self._clock() + self.settings.start_timeout_s
        run.note = f"start sent to {port.name}; waiting for it to report the job"
        self._hooks.changed()

    def _start_failed(self, run: Run, job: PrintJob, reason: str) -> None:
        attempts = run.attempts
        if attempts >= self.settings.start_attempts:
            self._fail_job(run, job, f"the print did not start after {attempts} attempts: {reason}")
            return
        run.phase = Phase.STARTING
        run.note = f"start attempt {attempts} failed ({reason}); trying again"

    # CONFIRMING: the printer must report this job and leave IDLE.
    def _advance_confirming(
        self, run: Run, job: PrintJob | None, now: float, wakeups: _Wakeups
    ) -> None:
        assert job is not None
        port = self._printers.printer(run.printer_id)
        snapshot = port.snapshot() if port is not None else PrinterSnapshot(PrinterState.OFFLINE)
        ours = _reports_job(snapshot, run.remote_file)
        if ours and snapshot.state in _ENDED_STATES and run.start_baseline != _baseline(snapshot):
            # It started and ended between two reports (or while Home Assistant was down):
            # follow it as printed, never start it again.
            ours_running = True
        else:
            ours_running = ours and snapshot.state in (_PRINTING_STATES | {PrinterState.PAUSED})
        if ours_running:
            run.phase = Phase.PRINTING
            run.seen_running = True
            run.deadline = None
            run.note = None
            if job.status is JobStatus.QUEUED:
                where = self._where(run)
                self._hooks.transition_job(
                    job, JobStatus.PRINTING, f"Printing on {_name(port, run)}{where}"
                )
            self._hooks.fire(EVENT_JOB_STARTED, self._job_event(run, job))
            return
        if run.deadline is not None and now < run.deadline:
            wakeups.add(run.deadline)
            return
        if not snapshot.online:
            run.note = f"waiting for printer {_name(port, run)} to come online to confirm the start"
            return
        self._start_failed(
            run,
            job,
            f"printer {_name(port, run)} did not report the job within "
            f"{self.settings.start_timeout_s:g} s (it is {snapshot.state.value})",
        )

    # PRINTING: follow the printer's reports.
    def _advance_printing(self, run: Run, job: PrintJob | None, now: float) -> None:
        assert job is not None
        port = self._printers.printer(run.printer_id)
        snapshot = port.snapshot() if port is not None else PrinterSnapshot(PrinterState.OFFLINE)
        state = snapshot.state
        if state in _PRINTING_STATES:
            run.note = None
            if job.status is JobStatus.PAUSED:
                self._hooks.transition_job(job, JobStatus.PRINTING, "Print resumed")
            if snapshot.progress_percent != job.progress_percent:
                job.set_progress(snapshot.progress_percent)
                self._hooks.changed()
        elif state is PrinterState.PAUSED:
            if job.status is JobStatus.PRINTING:
                self._hooks.transition_job(
                    job, JobStatus.PAUSED, f"Paused on printer {_name(port, run)}"
                )
        elif state is PrinterState.FINISH or (
            state is PrinterState.IDLE and snapshot.progress_percent >= 99
        ):
            self._print_finished(run, job, now)
        elif state is PrinterState.FAILED or state is PrinterState.IDLE:
            reason = (
                f"the print failed on printer {_name(port, run)} (error {snapshot.error_code})"
                if state is PrinterState.FAILED
                else f"printer {_name(port, run)} stopped the print"
            )
            self._state.printer_blocks[run.printer_id] = (
                f"Job {job.id} failed: take the failed print off and confirm the plate is cleared"
            )
            self._fail_job(run, job, reason)
        else:
            run.note = f"printer {_name(port, run)} is {state.value.lower()}; waiting for it"

    def _print_finished(self, run: Run, job: PrintJob, now: float) -> None:
        run.finished_at = now
        run.note = None
        if job.status is JobStatus.PAUSED:
            self._hooks.transition_job(job, JobStatus.PRINTING, "Print resumed")
        job.set_progress(100)
        item = self._state.print_items.get(job.print_item_id)
        seconds = (now - job.started_at.timestamp()) if job.started_at else None
        self._state.counters_of(run.printer_id).record(
            succeeded=True, seconds=seconds, filament_g=item.filament_used_g if item else None
        )
        self._hooks.fire(EVENT_JOB_FINISHED, self._job_event(run, job))
        setup = self._topology.printers.get(run.printer_id)
        if setup is None or setup.clearing is ClearingMethod.MANUAL:
            self._state.printer_blocks[run.printer_id] = (
                f"Job {job.id} finished: take the print off and confirm the plate is cleared"
            )
            self._hooks.transition_job(
                job, JobStatus.COMPLETED, "Print finished; an operator clears the plate"
            )
            self._finish_run(run, "finished (manual clearing)")
            return
        run.phase = Phase.WAITING_FOR_EJECTOR
        self._hooks.changed()

    # WAITING_FOR_EJECTOR: the bed moves, the run waits for its turn and for a shelf.
    def _advance_waiting(self, run: Run, job: PrintJob | None, now: float) -> None:
        setup = self._topology.printers.get(run.printer_id)
        if setup is None:
            run.note = "its printer is no longer in the farm"
            return
        if run.kind is RunKind.JOB:
            self._ensure_bed_move(run, setup)
        ejector_id = run.ejector_id
        port = self._ejectors.ejector(ejector_id) if ejector_id is not None else None
        if port is None or ejector_id is None:
            run.note = "no OttoEject serves this printer (set one in the printer's settings)"
            return
        if self._ejector_taken(ejector_id, run):
            position = [r.id for r in self.waiting_ejections(ejector_id)].index(run.id) + 1
            run.note = f"waiting for OttoEject {port.name} (number {position} in its queue)"
            return
        if port.snapshot().state is not EjectorState.ONLINE:
            run.note = (
                f"waiting for OttoEject {port.name} to be ready ({port.snapshot().state.value})"
            )
            return
        steps = self._plan_sequence(run, job, setup)
        if steps is None:
            self._rack_waits.add(run.id)
            return  # the note says what it waits for
        self._rack_waits.discard(run.id)
        run.steps = steps
        run.step_index = 0
        run.phase = Phase.EJECTING
        run.note = None
        self._hooks.changed()

    def _ejector_taken(self, ejector_id: int, run: Run) -> bool:
        """Another run holds the robot, or comes first in its queue and can go."""
        for other in self._state.active_runs():
            if other.id != run.id and other.ejector_id == ejector_id and other.holds_ejector:
                return True
        for other in self.waiting_ejections(ejector_id):
            if other.id == run.id:
                return False
            if other.id not in self._rack_waits:  # one that waits for the rack lets others go
                return True
        return False

    def _ensure_bed_move(self, run: Run, setup: PrinterSetup) -> None:
        """Send the bed to its eject position unless it got there or is on its way."""
        if run.bed_moved_at is None and not self._running(run, "printer"):
            self._spawn(run, "printer", self._async_move_bed(run, setup), f"bed {run.id}")

    async def _async_move_bed(self, run: Run, setup: PrinterSetup) -> None:
        # Not marked in flight: the robot's own step may be (it homes meanwhile), and a bed move
        # is safe to repeat; ``bed_moved_at`` is only set once the printer took it, so a restart
        # in between sends it again.
        port = self._printers.printer(run.printer_id)
        if port is None:
            return
        if setup.bed.moved_by_print:  # the print's end G-code took the bed there
            run.bed_moved_at = self._clock()
            self._hooks.changed()
            return
        try:
            await port.async_send_gcode(setup.bed.gcode)
        except DeviceError as err:
            run.note = f"could not move the bed of {port.name} ({err}); trying again"
            self._hooks.wake_at(self._clock() + 5)
            return
        run.bed_moved_at = self._clock()
        self._hooks.changed()

    def _plan_sequence(
        self, run: Run, job: PrintJob | None, setup: PrinterSetup
    ) -> list[Step] | None:
        """The robot's steps; re-plans shelves a change made unusable. None: wait."""
        if run.kind is RunKind.RELOAD:
            if not self._grab_still_valid(run):
                run.grab_slot = self._choose_grab(run, None)
            if run.grab_slot is None:
                run.note = "waiting for an empty plate on the rack"
                return None
            return [Step.HOME, Step.GRAB, Step.LOAD, Step.PARK]
        assert job is not None
        if not self._store_still_valid(run, job):
            self._choose_store(run, job)
        if run.store_slot is None:
            return None
        more = self._has_further_job(run.printer_id)
        if more:
            if not self._grab_still_valid(run):
                run.grab_slot = self._choose_grab(run, run.store_slot)
        else:
            run.grab_slot = None
        steps = [Step.HOME, Step.EJECT, Step.STORE]
        if run.grab_slot is not None:
            steps += [Step.GRAB, Step.LOAD]
        elif not more and setup.macros.close_door:
            steps.append(Step.CLOSE_DOOR)
        steps.append(Step.PARK)
        return steps

    def _rack(self, run: Run) -> Rack | None:
        return self._state.racks.get(run.rack_id) if run.rack_id is not None else None

    def _reserved(self, rack_id: int, *, except_run: int) -> set[int]:
        taken: set[int] = set()
        for other in self._state.active_runs():
            if other.id != except_run and other.rack_id == rack_id:
                taken |= other.reserved_shelves()
        return taken

    def _heights(self) -> dict[int, float | None]:
        heights: dict[int, float | None] = {}
        for job in self._state.jobs.values():
            item = self._state.print_items.get(job.print_item_id)
            heights[job.id] = item.max_z_height_mm if item else None
        return heights

    def _reserved_heights(self, rack_id: int, except_run: int) -> dict[int, float | None]:
        """Shelf number -> height of the print another run will store there."""
        heights = self._heights()
        return {
            other.store_slot: heights.get(other.job_id) if other.job_id is not None else None
            for other in self._state.active_runs()
            if other.id != except_run and other.rack_id == rack_id and other.store_slot is not None
        }

    def _height_of(self, job: PrintJob) -> float | None:
        item = self._state.print_items.get(job.print_item_id)
        return item.max_z_height_mm if item else None

    def _store_still_valid(self, run: Run, job: PrintJob) -> bool:
        rack = self._rack(run)
        if rack is None or run.store_slot is None:
            return False
        shelf = rack.shelf_by_number(run.store_slot)
        if shelf is None or shelf.state is not ShelfState.NO_PLATE:
            return False
        height = self._height_of(job)
        clearance = shelves.clearance_mm(
            rack,
            run.store_slot,
            heights=self._heights(),
            reserved=self._reserved(rack.id, except_run=run.id),
            reserved_heights=self._reserved_heights(rack.id, run.id),
        )
        needed = (
            (height + shelves.HEIGHT_MARGIN_MM) if height is not None else rack.shelf_spacing_mm
        )
        return clearance >= needed

    def _choose_store(self, run: Run, job: PrintJob) -> None:
        setup = self._topology.printers.get(run.printer_id)
        racks = self._topology.racks_of_ejector(run.ejector_id)
        height = self._height_of(job)
        best: tuple[int, shelves.ShelfChoice] | None = None
        reasons: list[str] = []
        for rack_id in racks:
            rack = self._state.racks.get(rack_id)
            if rack is None:
                continue
            reserved = self._reserved(rack_id, except_run=run.id)
            choice = shelves.choose_store_shelf(
                rack,
                height,
                heights=self._heights(),
                reserved=reserved,
                reserved_heights=self._reserved_heights(rack_id, run.id),
            )
            if choice is None:
                reasons.append(
                    shelves.rack_is_full_reason(
                        rack,
                        height,
                        heights=self._heights(),
                        reserved=reserved,
                        reserved_heights=self._reserved_heights(rack_id, run.id),
                    )
                )
                continue
            if best is None:
                best = (rack_id, choice)
        old = (run.rack_id, run.store_slot)
        if best is None:
            run.store_slot = None
            reason = "; ".join(reasons) or "its OttoEject serves no rack"
            run.note = f"waiting for a free shelf: {reason}"
            if setup is not None and old[1] is not None:
                _LOGGER.info("Job %s: shelf %s is no longer usable; waiting", job.id, old[1])
            return
        run.rack_id, run.store_slot = best[0], best[1].shelf_number
        if old[1] is not None and old != (run.rack_id, run.store_slot):
            job.note = None
            _LOGGER.info(
                "Job %s: store shelf re-planned from %s to %s", job.id, old[1], run.store_slot
            )
        run.note = None

    def _grab_still_valid(self, run: Run) -> bool:
        rack = self._rack(run)
        if rack is None or run.grab_slot is None:
            return False
        shelf = rack.shelf_by_number(run.grab_slot)
        return (
            shelf is not None
            and shelf.state is ShelfState.EMPTY_PLATE
            and run.grab_slot not in self._reserved(rack.id, except_run=run.id)
        )

    def _choose_grab(self, run: Run, store_slot: int | None) -> int | None:
        if run.rack_id is None:
            racks = self._topology.racks_of_ejector(run.ejector_id)
            for rack_id in racks:
                rack = self._state.racks.get(rack_id)
                if rack is None:
                    continue
                slot = shelves.choose_grab_shelf(
                    rack, None, reserved=self._reserved(rack_id, except_run=run.id)
                )
                if slot is not None:
                    run.rack_id = rack_id
                    return slot
            return None
        rack = self._rack(run)
        if rack is None:
            return None
        return shelves.choose_grab_shelf(
            rack, store_slot, reserved=self._reserved(rack.id, except_run=run.id)
        )

    def _has_further_job(self, printer_id: int) -> bool:
        """Whether a queued job waits that this printer could print."""
        setup = self._topology.printers.get(printer_id)
        for job in self._state.jobs.values():
            if job.status is not JobStatus.QUEUED or self._state.run_of_job(job.id) is not None:
                continue
            if job.settings.printer_id not in (None, printer_id):
                continue
            item = self._state.print_items.get(job.print_item_id)
            if setup is None or item is None or compatibility.can_print(setup, item) is None:
                return True
        return False

    # EJECTING: one macro at a time.
    def _advance_ejecting(self, run: Run, now: float, wakeups: _Wakeups) -> None:
        if self._running(run, "robot"):
            return
        step = run.current_step
        if step is None:
            self._finish_run(run, "sequence done")
            return
        if step is Step.EJECT:
            setup = self._topology.printers.get(run.printer_id)
            if setup is not None:  # a bed move cut off by a restart is sent again
                self._ensure_bed_move(run, setup)
            if self._running(run, "printer") or run.bed_moved_at is None:
                run.note = "waiting for the bed to reach its eject position"
                return
            ready = run.bed_moved_at + self.settings.bed_settle_s
            if now < ready:
                run.note = "waiting for the bed to reach its eject position"
                wakeups.add(ready)
                return
        port = self._ejectors.ejector(run.ejector_id) if run.ejector_id is not None else None
        if port is None:
            self._pause(
                run, PauseKind.COMMAND_FAILED, step, "its OttoEject is no longer in the farm"
            )
            return
        if port.snapshot().state is EjectorState.OFFLINE:
            run.note = f"waiting for OttoEject {port.name} to come back online"
            return
        macro = self._macro(run, step)
        run.note = f"running {macro.name}"
        self._spawn(run, "robot", self._async_macro(run, step, macro), f"{macro.name} {run.id}")

    async def _async_macro(self, run: Run, step: Step, macro: _Macro) -> None:
        port = self._ejectors.ejector(run.ejector_id) if run.ejector_id is not None else None
        assert port is not None
        run.in_flight = step
        if not await self._hooks.async_persist():
            run.in_flight = None
            run.note = "the farm's state could not be saved: nothing was sent"
            self._hold_run(run)
            return
        if step is Step.HOME and run.job_id is not None:
            job = self._state.jobs.get(run.job_id)
            if job is not None and job.status is JobStatus.PRINTING:
                port_name = _name(self._printers.printer(run.printer_id), run)
                self._hooks.transition_job(
                    job, JobStatus.EJECTING, f"Print finished; ejecting from {port_name}"
                )
        try:
            await port.async_run_macro(macro.name, macro.params or None)
        except DeviceError as err:
            run.in_flight = None
            self._pause(run, PauseKind.COMMAND_FAILED, step, f"{macro.name} failed: {err}")
            self._hooks.changed()
            return
        run.in_flight = None
        self._step_succeeded(run, step)
        self._hooks.changed()

    def _macro_name(self, run: Run, step: Step) -> str:
        return self._macro(run, step).name

    def _macro(self, run: Run, step: Step) -> _Macro:
        setup = self._topology.printers.get(run.printer_id)
        params = setup.macros.params if setup is not None else {}
        if step is Step.HOME:
            return _Macro("OTTOEJECT_HOME")
        if step is Step.PARK:
            return _Macro("PARK_OTTOEJECT")
        if step is Step.STORE:
            return _Macro(f"STORE_TO_SLOT_{run.store_slot}")
        if step is Step.GRAB:
            return _Macro(f"GRAB_FROM_SLOT_{run.grab_slot}")
        if setup is None:
            return _Macro(step.value.upper())
        if step is Step.EJECT:
            return _Macro(setup.macros.eject, params)
        if step is Step.LOAD:
            return _Macro(setup.macros.load, params)
        if step is Step.CLOSE_DOOR:
            return _Macro(setup.macros.close_door or "", params)
        return _Macro(step.value.upper())

    def _step_succeeded(self, run: Run, step: Step) -> None:
        """Record what a step changed in the farm, and go on to the next."""
        job = self._state.jobs.get(run.job_id) if run.job_id is not None else None
        rack = self._rack(run)
        if step is Step.START:
            run.phase = Phase.CONFIRMING
            run.deadline = self._clock() + self.settings.start_timeout_s
            return
        if step is Step.BED:
            run.bed_moved_at = self._clock()
            return
        if step is Step.EJECT:
            self._hooks.set_build_plate(run.printer_id, False)
            if job is not None and job.status is JobStatus.EJECTING:
                self._hooks.transition_job(job, JobStatus.STORING, self._storing_message(run))
        elif step is Step.STORE and rack is not None and run.store_slot is not None:
            self._hooks.set_shelf(rack, run.store_slot, ShelfState.WITH_PRINT, run.job_id)
            if job is not None and not job.status.is_finished:
                if job.status is JobStatus.EJECTING:
                    self._hooks.transition_job(job, JobStatus.STORING, self._storing_message(run))
                self._hooks.transition_job(
                    job,
                    JobStatus.COMPLETED,
                    f"Stored on shelf {run.store_slot} of rack {rack.name}",
                )
                self._hooks.fire(EVENT_JOB_STORED, self._job_event(run, job))
            run.store_slot = None  # the shelf holds the print now: no longer a reservation
        elif step is Step.GRAB and rack is not None and run.grab_slot is not None:
            self._hooks.set_shelf(rack, run.grab_slot, ShelfState.NO_PLATE, None)
            run.grab_slot = None
        elif step is Step.LOAD:
            self._hooks.set_build_plate(run.printer_id, True)
        if run.phase is Phase.EJECTING and run.current_step is step:
            run.step_index += 1
            if run.step_index >= len(run.steps):
                self._finish_run(run, "sequence done")
        self._request_reconcile()

    def _storing_message(self, run: Run) -> str:
        rack = self._rack(run)
        where = f" of rack {rack.name}" if rack is not None else ""
        return f"Ejected; storing on shelf {run.store_slot}{where}"

    # -- ends ---------------------------------------------------------------------------------
    def _pause(self, run: Run, kind: PauseKind, step: Step, reason: str) -> None:
        resume = run.phase if run.phase is not Phase.PAUSED else Phase.EJECTING
        run.pause = Pause(kind, step, reason, resume)
        run.phase = Phase.PAUSED
        run.note = reason
        _LOGGER.warning("Workflow %s (printer %s) paused: %s", run.id, run.printer_id, reason)
        self._hooks.run_paused(run)
        data = {"workflow_id": run.id, "printer_id": run.printer_id, "job_id": run.job_id}
        self._hooks.fire(EVENT_WORKFLOW_PAUSED, {**data, "reason": reason, "step": step.value})

    def _abort(self, run: Run, reason: str) -> None:
        job = self._state.jobs.get(run.job_id) if run.job_id is not None else None
        if job is not None and not job.status.is_finished:
            self._fail_job(run, job, reason)
        else:
            self._finish_run(run, reason)
        if not self._plate_ejected(run) or Step.LOAD not in run.steps[: run.step_index]:
            self._state.printer_blocks[run.printer_id] = (
                f"Workflow {run.id} was aborted: check the printer and confirm its plate is "
                "cleared with a fresh plate on it"
            )

    def _fail_job(self, run: Run, job: PrintJob, reason: str) -> None:
        if not job.status.is_finished:
            if run.seen_running:
                self._state.counters_of(run.printer_id).record(
                    succeeded=False, seconds=None, filament_g=None
                )
            self._hooks.transition_job(job, JobStatus.FAILED, reason[0].upper() + reason[1:])
            self._hooks.fire(EVENT_JOB_FAILED, {**self._job_event(run, job), "reason": reason})
        self._finish_run(run, reason)

    def _finish_run(self, run: Run, why: str) -> None:
        run.phase = Phase.DONE
        run.note = why
        run.store_slot = None  # reservations end with the run
        run.grab_slot = None
        run.pause = None
        self._state.prune_runs(self.settings.keep_finished_runs)
        self._hooks.changed()
        self._request_reconcile()

    # -- new runs -----------------------------------------------------------------------------
    def _schedule(self, now: float) -> None:
        queued = [job for job in self._state.jobs.values() if job.status is JobStatus.QUEUED]
        if not queued:
            return
        active_jobs = {run.job_id for run in self._state.active_runs()}
        queued = [job for job in queued if job.id not in active_jobs]
        free: list[scheduler.FreePrinter] = []
        busy: list[scheduler.FreePrinter] = []  # for the reasons only: who could print a job
        for printer_id, setup in sorted(self._topology.printers.items()):
            ejector_id = self._topology.ejector_of_printer(setup)
            candidate = scheduler.FreePrinter(
                setup, ejector_id, self._topology.racks_of_ejector(ejector_id)
            )
            usable = setup.clearing is ClearingMethod.MANUAL or ejector_id is not None
            if usable and self._printer_free(printer_id):
                free.append(candidate)
            else:
                busy.append(candidate)
        reserved: dict[int, set[int]] = {}
        reserved_heights: dict[int, dict[int, float | None]] = {}
        heights = self._heights()
        for run in self._state.active_runs():
            if run.rack_id is None:
                continue
            reserved.setdefault(run.rack_id, set()).update(run.reserved_shelves())
            if run.store_slot is not None:
                reserved_heights.setdefault(run.rack_id, {})[run.store_slot] = (
                    heights.get(run.job_id) if run.job_id is not None else None
                )
        plan = scheduler.plan(
            queued,
            self._state.print_items,
            free,
            self._state.racks,
            heights=heights,
            reserved=reserved,
            reserved_heights=reserved_heights,
            now=_as_datetime(now),
            busy=busy,
            start_after={
                job.id: job.settings.start_after
                for job in queued
                if job.settings.start_after is not None
            },
        )
        for job in queued:
            note = plan.waiting.get(job.id)
            if note != job.note:
                job.note = note
                self._hooks.changed()
        for assignment in plan.assignments:
            job = self._state.jobs[assignment.job_id]
            setup = self._topology.printers[assignment.printer_id]
            run = Run(
                id=self._state.ids.allocate(ID_RUN),
                kind=RunKind.JOB,
                printer_id=assignment.printer_id,
                job_id=job.id,
                ejector_id=(
                    self._topology.ejector_of_printer(setup)
                    if setup.clearing is ClearingMethod.OTTOEJECT
                    else None
                ),
                rack_id=assignment.rack_id,
                store_slot=assignment.store_slot,
                grab_slot=assignment.grab_slot,
                created_at=now,
            )
            self._state.runs[run.id] = run
            job.note = None
            job.assigned_printer_id = assignment.printer_id
            _LOGGER.info(
                "Job %s goes to printer %s (store shelf %s, grab shelf %s)",
                job.id,
                setup.name,
                run.store_slot,
                run.grab_slot,
            )
            self._hooks.changed()
            self._advance(run, now, _Wakeups())

    def _printer_free(self, printer_id: int) -> bool:
        if printer_id in self._state.printer_blocks:
            return False
        if not self._state.has_build_plate(printer_id):
            return False
        if any(
            run.printer_id == printer_id and run.holds_printer for run in self._state.active_runs()
        ):
            return False
        port = self._printers.printer(printer_id)
        if port is None:
            return False
        snapshot = port.snapshot()
        return snapshot.online and snapshot.state in _STARTABLE_STATES

    def _plan_reloads(self, now: float) -> None:
        """A robot-served printer without a plate gets one when a job could go to it."""
        for printer_id, setup in sorted(self._topology.printers.items()):
            if setup.clearing is not ClearingMethod.OTTOEJECT:
                continue
            if self._state.has_build_plate(printer_id) or printer_id in self._state.printer_blocks:
                continue
            if any(run.printer_id == printer_id for run in self._state.active_runs()):
                continue
            if not self._has_further_job(printer_id):
                continue
            ejector_id = self._topology.ejector_of_printer(setup)
            if ejector_id is None:
                continue
            run = Run(
                id=self._state.ids.allocate(ID_RUN),
                kind=RunKind.RELOAD,
                printer_id=printer_id,
                ejector_id=ejector_id,
                phase=Phase.WAITING_FOR_EJECTOR,
                created_at=now,
                finished_at=now,
            )
            run.grab_slot = self._choose_grab(run, None)
            if run.grab_slot is None:
                continue  # no empty plate anywhere: the printer's attention says so
            self._state.runs[run.id] = run
            self._hooks.changed()
            self._advance(run, now, _Wakeups())

    def _report_queue(self) -> None:
        has_jobs = any(
            job.status is JobStatus.QUEUED or self._state.run_of_job(job.id) is not None
            for job in self._state.jobs.values()
            if not job.status.is_finished
        )
        if self._queue_had_jobs and not has_jobs:
            self._hooks.fire(EVENT_QUEUE_EMPTY, {})
        self._queue_had_jobs = has_jobs

    # -- helpers ------------------------------------------------------------------------------
    def _hold_run(self, run: Run) -> None:
        """Try this run again only after a while (the disk may be full: no busy loop)."""
        when = self._clock() + SAVE_RETRY_S
        self._hold[run.id] = when
        self._hooks.wake_at(when)

    def _running(self, run: Run, lane: str) -> bool:
        task = self._tasks.get((run.id, lane))
        return task is not None and not task.done()

    def _spawn(self, run: Run, lane: str, coro: Coroutine[Any, Any, None], name: str) -> None:
        key = (run.id, lane)

        async def _wrapped() -> None:
            try:
                await coro
            except Exception:
                _LOGGER.exception("OttoEngine workflow %s: %s failed unexpectedly", run.id, name)
                run.in_flight = None
                run.note = f"{name} failed unexpectedly; see the log"
            finally:
                self._request_reconcile()

        self._tasks[key] = self._hooks.spawn(_wrapped(), f"ottoengine {name}")

    def _where(self, run: Run) -> str:
        rack = self._rack(run)
        if rack is None or run.store_slot is None:
            return ""
        return f"; its print goes to shelf {run.store_slot} of rack {rack.name}"

    def _job_event(self, run: Run, job: PrintJob) -> dict[str, Any]:
        port = self._printers.printer(run.printer_id)
        return {
            "job_id": job.id,
            "job_name": job.filename,
            "printer_id": run.printer_id,
            "printer_name": port.name if port is not None else None,
            "workflow_id": run.id,
        }


def _queue_key(run: Run) -> tuple[float, int]:
    return (run.finished_at if run.finished_at is not None else run.created_at, run.id)


def _name(port: PrinterPort | None, run: Run) -> str:
    return port.name if port is not None else str(run.printer_id)


def _stem(name: str) -> str:
    lowered = name.strip().casefold().rsplit("/", 1)[-1]
    for suffix in (".gcode.3mf", ".3mf", ".gcode"):
        if lowered.endswith(suffix):
            return lowered[: -len(suffix)]
    return lowered


def _baseline(snapshot: PrinterSnapshot) -> str:
    return f"{snapshot.state.value}:{_stem(snapshot.job_name or '')}"


def _reports_job(snapshot: PrinterSnapshot, remote_file: str | None) -> bool:
    """Whether the printer reports the file this run started (its name or task name)."""
    if remote_file is None or not snapshot.job_name:
        return False
    reported, ours = _stem(snapshot.job_name), _stem(remote_file)
    return bool(reported) and (reported == ours or ours in reported or reported in ours)


def _as_datetime(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)
