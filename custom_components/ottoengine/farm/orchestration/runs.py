"""The persisted record of each workflow: what it is doing, and which command is in flight.

A *run* drives one job on one printer (``RunKind.JOB``) from start to the print on its shelf,
or puts a fresh plate on a printer that was left without one (``RunKind.RELOAD``). Runs are
saved with the farm before every physical command (``in_flight`` names the command whose
outcome is not yet recorded), so after a restart or a crash each run resumes from its step and
a command whose outcome cannot be known is never guessed or blindly sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final


class RunKind(StrEnum):
    JOB = "job"  # print a job, eject, store, grab, load
    RELOAD = "reload"  # grab an empty plate and load it onto a printer without one


class Phase(StrEnum):
    """Where a run is (also the *workflow phase* sensor's states)."""

    STARTING = "starting"  # upload (if needed) and start the print
    CONFIRMING = "confirming"  # start sent: waiting for the printer to report this job
    PRINTING = "printing"  # following the print
    WAITING_FOR_EJECTOR = "waiting_for_ejector"  # print done; queued for the robot (or a shelf)
    EJECTING = "ejecting"  # the robot's macro sequence
    PAUSED = "paused"  # waiting for an operator's answer (a repair issue says why)
    DONE = "done"


ACTIVE_PHASES: Final = frozenset(set(Phase) - {Phase.DONE})


class Step(StrEnum):
    """A physical command of a run; macros are named by the topology."""

    START = "start"
    BED = "bed"
    HOME = "home"
    EJECT = "eject"
    STORE = "store"
    GRAB = "grab"
    LOAD = "load"
    CLOSE_DOOR = "close_door"
    PARK = "park"

    @property
    def moves_a_plate(self) -> bool:
        """Whether sending it twice could hurt (never re-sent without an operator's word)."""
        return self in (Step.EJECT, Step.STORE, Step.GRAB, Step.LOAD)


# Steps after which the printer is free for its next job while the robot parks.
PRINTER_RELEASING_STEPS: Final = frozenset({Step.LOAD})


class PauseKind(StrEnum):
    COMMAND_FAILED = "command_failed"  # the device refused or failed the step
    UNKNOWN_OUTCOME = "unknown_outcome"  # sent, outcome not recorded (restart, lost robot)


class Answer(StrEnum):
    """An operator's answer to a paused run."""

    RETRY = "retry"  # send the step again
    DONE = "done"  # it was done by hand: go on as if the step succeeded
    ABORT = "abort"  # give up the job (the printer then needs clearing)


@dataclass(slots=True)
class Pause:
    kind: PauseKind
    step: Step
    reason: str
    resume_phase: Phase

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "step": self.step.value,
            "reason": self.reason,
            "resume_phase": self.resume_phase.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pause:
        return cls(
            PauseKind(data["kind"]),
            Step(data["step"]),
            str(data["reason"]),
            Phase(data["resume_phase"]),
        )


@dataclass(slots=True)
class Run:
    id: int
    kind: RunKind
    printer_id: int
    job_id: int | None = None
    ejector_id: int | None = None
    rack_id: int | None = None
    store_slot: int | None = None
    grab_slot: int | None = None
    phase: Phase = Phase.STARTING
    steps: list[Step] = field(default_factory=list)  # the robot's sequence, once planned
    step_index: int = 0
    in_flight: Step | None = None
    attempts: int = 0  # start attempts so far
    deadline: float | None = None  # unix seconds: start confirmation
    seen_running: bool = False
    # What the printer showed when the start was sent ("FINISH:cube"): a finished print of
    # the same file seen afterwards is this job's only if it was not already there.
    start_baseline: str | None = None
    remote_file: str | None = None
    created_at: float = 0.0
    finished_at: float | None = None  # print finished (the robot's queue is in this order)
    bed_moved_at: float | None = None
    pause: Pause | None = None
    note: str | None = None  # what the run waits for, in words

    @property
    def active(self) -> bool:
        return self.phase is not Phase.DONE

    @property
    def current_step(self) -> Step | None:
        if self.phase is Phase.EJECTING and self.step_index < len(self.steps):
            return self.steps[self.step_index]
        return None

    @property
    def holds_printer(self) -> bool:
        """The printer is busy with this run (not once its new plate is loaded)."""
        if not self.active:
            return False
        done = set(self.steps[: self.step_index])
        return not (done & PRINTER_RELEASING_STEPS)

    @property
    def holds_ejector(self) -> bool:
        """The robot is in this run's sequence (from the first macro to the park)."""
        if self.phase is Phase.EJECTING:
            return True
        return (
            self.phase is Phase.PAUSED
            and self.steps != []
            and self.pause is not None
            and (self.pause.resume_phase is Phase.EJECTING)
        )

    def reserved_shelves(self) -> set[int]:
        return {slot for slot in (self.store_slot, self.grab_slot) if slot is not None}

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "printer_id": self.printer_id,
            "job_id": self.job_id,
            "ejector_id": self.ejector_id,
            "rack_id": self.rack_id,
            "store_slot": self.store_slot,
            "grab_slot": self.grab_slot,
            "phase": self.phase.value,
            "steps": [step.value for step in self.steps],
            "step_index": self.step_index,
            "in_flight": self.in_flight.value if self.in_flight else None,
            "attempts": self.attempts,
            "deadline": self.deadline,
            "seen_running": self.seen_running,
            "start_baseline": self.start_baseline,
            "remote_file": self.remote_file,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "bed_moved_at": self.bed_moved_at,
            "pause": self.pause.as_dict() if self.pause else None,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Run:
        pause = data.get("pause")
        in_flight = data.get("in_flight")
        return cls(
            id=int(data["id"]),
            kind=RunKind(data["kind"]),
            printer_id=int(data["printer_id"]),
            job_id=data.get("job_id"),
            ejector_id=data.get("ejector_id"),
            rack_id=data.get("rack_id"),
            store_slot=data.get("store_slot"),
            grab_slot=data.get("grab_slot"),
            phase=Phase(data["phase"]),
            steps=[Step(step) for step in data.get("steps", [])],
            step_index=int(data.get("step_index", 0)),
            in_flight=Step(in_flight) if in_flight else None,
            attempts=int(data.get("attempts", 0)),
            deadline=data.get("deadline"),
            seen_running=bool(data.get("seen_running", False)),
            start_baseline=data.get("start_baseline"),
            remote_file=data.get("remote_file"),
            created_at=float(data.get("created_at", 0.0)),
            finished_at=data.get("finished_at"),
            bed_moved_at=data.get("bed_moved_at"),
            pause=Pause.from_dict(pause) if pause else None,
            note=data.get("note"),
        )
