"""Fake devices and host for the orchestrator's HA-free unit tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from custom_components.ottoengine.farm.device_errors import DeviceError
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings, PrintJob
from custom_components.ottoengine.farm.orchestration.engine import (
    Orchestrator,
    OrchestratorSettings,
    Topology,
)
from custom_components.ottoengine.farm.orchestration.profiles import (
    default_bed_position,
    default_macros,
)
from custom_components.ottoengine.farm.orchestration.runs import Run
from custom_components.ottoengine.farm.orchestration.topology import ClearingMethod, PrinterSetup
from custom_components.ottoengine.farm.ports import (
    CommandResult,
    EjectorSnapshot,
    EjectorState,
    PrinterSnapshot,
    PrinterState,
    StartOptions,
)
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.racks import Rack, ShelfState
from custom_components.ottoengine.farm.state import FarmState

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakePrinter:
    printer_id: int
    name: str
    state: PrinterState = PrinterState.IDLE
    job_name: str | None = None
    progress: int = 0
    commands: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    fail_start: DeviceError | None = None

    def snapshot(self) -> PrinterSnapshot:
        return PrinterSnapshot(self.state, self.job_name, self.progress)

    async def async_upload(self, path: Path, remote_name: str) -> str:
        self.uploads.append(remote_name)
        return remote_name

    async def async_start_print(self, filename: str, options: StartOptions) -> CommandResult:
        self.commands.append(f"start {filename}")
        if self.fail_start is not None:
            raise self.fail_start
        return CommandResult.CONFIRMED

    async def async_pause(self) -> CommandResult:
        return CommandResult.CONFIRMED

    async def async_resume(self) -> CommandResult:
        return CommandResult.CONFIRMED

    async def async_stop(self) -> CommandResult:
        return CommandResult.CONFIRMED

    async def async_send_gcode(self, gcode: str) -> CommandResult:
        self.commands.append(gcode)
        return CommandResult.CONFIRMED

    # What a real printer then reports.
    def runs(self, name: str) -> None:
        self.state, self.job_name = PrinterState.RUNNING, name


@dataclass
class FakeEjector:
    ejector_id: int
    name: str
    state: EjectorState = EjectorState.ONLINE
    macros: list[str] = field(default_factory=list)
    failures: dict[str, DeviceError] = field(default_factory=dict)
    gate: asyncio.Event | None = None  # set: macros wait for it
    hold: str | None = None  # only this macro waits for the gate (None: every macro)

    def snapshot(self) -> EjectorSnapshot:
        return EjectorSnapshot(self.state)

    async def async_run_macro(
        self, macro: str, params: Mapping[str, str | int | float] | None = None
    ) -> CommandResult:
        self.macros.append(macro)
        if self.gate is not None and self.hold in (None, macro):
            await self.gate.wait()
        failure = self.failures.pop(macro, None)
        if failure is not None:
            raise failure
        return CommandResult.CONFIRMED


class Fleet:
    def __init__(self, devices: dict[int, Any]) -> None:
        self.devices = devices

    def printer(self, printer_id: int) -> Any:
        return self.devices.get(printer_id)

    def ejector(self, ejector_id: int) -> Any:
        return self.devices.get(ejector_id)

    def printer_ids(self) -> list[int]:
        return sorted(self.devices)

    def ejector_ids(self) -> list[int]:
        return sorted(self.devices)


@dataclass
class FakeHooks:
    state: FarmState
    persisted: list[list[tuple[int, str | None]]] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    paused: list[int] = field(default_factory=list)
    save_fails: bool = False
    wakeups: list[float] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def async_persist(self) -> bool:
        self.persisted.append(
            [(r.id, r.in_flight.value if r.in_flight else None) for r in self.state.active_runs()]
        )
        return not self.save_fails

    def changed(self) -> None:
        return None

    def transition_job(self, job: PrintJob, target: JobStatus, reason: str) -> None:
        job.transition(target, reason, NOW)

    def set_shelf(
        self, rack: Rack, shelf_number: int, state: ShelfState, job_id: int | None
    ) -> None:
        shelf = rack.shelf_by_number(shelf_number)
        assert shelf is not None
        shelf.set_state(state, job_id)

    def set_build_plate(self, printer_id: int, present: bool) -> None:
        self.state.set_build_plate(printer_id, present)

    def fire(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, data))

    def run_paused(self, run: Run) -> None:
        self.paused.append(run.id)

    def run_resumed(self, run: Run) -> None:
        self.paused.remove(run.id)

    def print_file(self, item: PrintItem) -> Path:
        return Path("/nonexistent") / item.stored_name

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.tasks.append(task)
        return task

    def wake_at(self, when: float) -> None:
        self.wakeups.append(when)

    def event_names(self) -> list[str]:
        return [name for name, _ in self.events]


def setup_of(printer_id: int, name: str, model: str, **changes: Any) -> PrinterSetup:
    values: dict[str, Any] = {
        "printer_id": printer_id,
        "name": name,
        "brand": "Bambu Lab",
        "model": model,
        "ottoeject_id": None,
        "clearing": ClearingMethod.OTTOEJECT,
        "macros": default_macros("Bambu Lab", model),
        "bed": default_bed_position(model),
    }
    values.update(changes)
    return PrinterSetup(**values)


class Bench:
    """A farm of fake devices around a real ``Orchestrator``, with a fake clock."""

    def __init__(
        self, printers: dict[int, tuple[str, str]], *, shelves: int = 6, **settings: Any
    ) -> None:
        self.state = FarmState()
        rack = self.state.create_rack(1, "rack-1", shelves, 80.0, "256x256")
        for shelf in rack.shelves[shelves // 2 :]:
            shelf.set_state(ShelfState.EMPTY_PLATE, None)
        self.rack = rack
        self.printers = {pid: FakePrinter(pid, name) for pid, (name, _) in printers.items()}
        self.setups = {pid: setup_of(pid, name, model) for pid, (name, model) in printers.items()}
        self.ejector = FakeEjector(1, "ottoeject-1")
        self.hooks = FakeHooks(self.state)
        self.now = NOW.timestamp()
        self.engine = Orchestrator(
            self.state,
            Fleet(dict(self.printers)),
            Fleet({1: self.ejector}),
            self.hooks,
            settings=OrchestratorSettings(
                **{"start_timeout_s": 60, "bed_settle_s": 5, "start_attempts": 2, **settings}
            ),
            clock=lambda: self.now,
        )

    @property
    def topology(self) -> Topology:
        return Topology(self.setups, [1], {1: None})

    def add_job(self, name: str, height: float | None = 30.0, **settings: Any) -> PrintJob:
        item_id = self.state.ids.allocate("print_item")
        item = PrintItem(
            item_id,
            f"{name}.gcode.3mf",
            f"{item_id}.gcode.3mf",
            100,
            f"sha{item_id}",
            NOW,
            metadata={"max_z_height_mm": height},
        )
        self.state.add_print_item(item)
        return self.state.create_job(
            item, JobSettings(auto_start=True, **settings), NOW.replace(minute=item_id)
        )

    async def settle(self) -> None:
        """Decide, let every command run, and decide again until nothing moves."""
        for _ in range(50):
            self.engine.reconcile(self.topology)
            pending = [task for task in self.hooks.tasks if not task.done()]
            if not pending:
                await asyncio.sleep(0)
                if not [task for task in self.hooks.tasks if not task.done()]:
                    return
            await asyncio.sleep(0.01)
        raise AssertionError("the orchestrator did not settle")

    async def settle_some(self) -> None:
        """Decide a few times while commands may stay blocked."""
        for _ in range(5):
            self.engine.reconcile(self.topology)
            await asyncio.sleep(0.01)
