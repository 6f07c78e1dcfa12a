"""The farm's persistent state: everything OttoEngine must remember across restarts.

The Home Assistant layer stores ``FarmState.as_dict()`` in HA's ``Store`` and rebuilds the
state with ``FarmState.from_dict`` at start-up; nothing here knows how it is stored. Racks'
settings are mirrored from their HA subentries; their shelves' states live only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .ids import IdAllocator
from .job_processing import JobProcessing
from .jobs import JobSettings, PrintJob
from .orchestration.counters import PrinterCounters
from .orchestration.runs import Run
from .print_items import PrintItem
from .racks import Rack, Shelf, parse_shelf_count

ID_PRINT_ITEM = "print_item"
ID_JOB = "job"
ID_RACK = "rack"
ID_SHELF = "shelf"
ID_RUN = "run"


class FarmState:
    """Ids and records of the farm (devices themselves live in HA config subentries)."""

    def __init__(
        self,
        ids: IdAllocator | None = None,
        print_items: Mapping[int, PrintItem] | None = None,
        jobs: Mapping[int, PrintJob] | None = None,
        racks: Mapping[int, Rack] | None = None,
        build_plates: Mapping[int, bool] | None = None,
        *,
        processing: JobProcessing | None = None,
        runs: Mapping[int, Run] | None = None,
        printer_blocks: Mapping[int, str] | None = None,
        printer_files: Mapping[int, Mapping[str, str]] | None = None,
        counters: Mapping[int, PrinterCounters] | None = None,
    ) -> None:
        self.ids = ids or IdAllocator()
        self.print_items: dict[int, PrintItem] = dict(print_items or {})
        self.jobs: dict[int, PrintJob] = dict(jobs or {})
        self.racks: dict[int, Rack] = dict(racks or {})
        # Printer id -> whether a build plate is on its bed (tracked by the orchestrator).
        self.build_plates: dict[int, bool] = dict(build_plates or {})
        # Whether the queue is processed, and the statistics of the jobs that ended.
        self.processing = processing or JobProcessing()
        # The orchestrator's workflows (active and the recently finished ones), by run id.
        self.runs: dict[int, Run] = dict(runs or {})
        # Printer id -> why it must not start a job until an operator confirms its plate is
        # clear (a failed or aborted print, a manually cleared printer's finished print).
        self.printer_blocks: dict[int, str] = dict(printer_blocks or {})
        # Printer id -> {file name on the printer: sha256 of what was uploaded there}.
        self.printer_files: dict[int, dict[str, str]] = {
            key: dict(value) for key, value in (printer_files or {}).items()
        }
        # Printer id -> its maintenance figures (jobs, print hours, filament).
        self.counters: dict[int, PrinterCounters] = dict(counters or {})

    # Print items.
    def add_print_item(self, item: PrintItem) -> PrintItem:
        self.print_items[item.id] = item
        return item

    def print_item_by_sha256(self, sha256: str) -> PrintItem | None:
        return next((item for item in self.print_items.values() if item.sha256 == sha256), None)

    def unfinished_jobs_of_item(self, item_id: int) -> list[PrintJob]:
        return [
            job
            for job in self.jobs.values()
            if job.print_item_id == item_id and not job.status.is_finished
        ]

    def stored_name_in_use(self, stored_name: str) -> bool:
        return any(item.stored_name == stored_name for item in self.print_items.values())

    # Jobs.
    def create_job(self, item: PrintItem, settings: JobSettings, at: datetime) -> PrintJob:
        job = PrintJob.create(self.ids.allocate(ID_JOB), item.id, item.filename, settings, at)
        self.jobs[job.id] = job
        return job

    def sorted_jobs(self) -> list[PrintJob]:
        return sorted(self.jobs.values(), key=lambda job: job.id)

    def unfinished_jobs_of_rack(self, rack_id: int) -> list[PrintJob]:
        return [
            job
            for job in self.jobs.values()
            if job.settings.rack_id == rack_id and not job.status.is_finished
        ]

    # Racks.
    def create_rack(
        self, rack_id: int, name: str, number_of_shelves: int, spacing_mm: float, bed_size: str
    ) -> Rack:
        """A rack whose shelves all start without a plate (``rack_id`` comes from ``ids``)."""
        self.ids.reserve(ID_RACK, rack_id)
        rack = Rack(rack_id, name, spacing_mm, bed_size)
        rack.resize(parse_shelf_count(number_of_shelves), lambda: self.ids.allocate(ID_SHELF))
        self.racks[rack_id] = rack
        return rack

    def update_rack(
        self, rack: Rack, name: str, number_of_shelves: int, spacing_mm: float, bed_size: str
    ) -> list[Shelf]:
        """Apply new settings; returns the shelves removed from the top."""
        removed = rack.resize(number_of_shelves, lambda: self.ids.allocate(ID_SHELF))
        rack.name = name
        rack.shelf_spacing_mm = spacing_mm
        rack.bed_size = bed_size
        return removed

    def find_shelf(self, shelf_id: int) -> tuple[Rack, Shelf] | None:
        for rack in self.racks.values():
            shelf = rack.shelf_by_id(shelf_id)
            if shelf is not None:
                return rack, shelf
        return None

    # Printers' build plates (a printer starts with one on its bed).
    def has_build_plate(self, printer_id: int) -> bool:
        return self.build_plates.get(printer_id, True)

    def set_build_plate(self, printer_id: int, present: bool) -> bool:
        """Record whether the printer's bed holds a plate; returns whether it changed."""
        if self.has_build_plate(printer_id) is present:
            return False
        self.build_plates[printer_id] = present
        return True

    def forget_printer(self, printer_id: int) -> bool:
        forgotten = self.build_plates.pop(printer_id, None) is not None
        forgotten |= self.printer_blocks.pop(printer_id, None) is not None
        forgotten |= self.printer_files.pop(printer_id, None) is not None
        forgotten |= self.counters.pop(printer_id, None) is not None
        return forgotten

    # The orchestrator's runs.
    def active_runs(self) -> list[Run]:
        return [run for run in sorted(self.runs.values(), key=lambda r: r.id) if run.active]

    def run_of_job(self, job_id: int) -> Run | None:
        return next((run for run in self.active_runs() if run.job_id == job_id), None)

    def counters_of(self, printer_id: int) -> PrinterCounters:
        return self.counters.setdefault(printer_id, PrinterCounters())

    def prune_runs(self, keep: int = 200) -> None:
        """Forget the oldest finished runs beyond ``keep`` (their jobs keep their history)."""
        done = sorted(run.id for run in self.runs.values() if not run.active)
        for run_id in done[: max(0, len(done) - keep)]:
            del self.runs[run_id]

    # Persistence.
    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FarmState:
        data = data or {}
        jobs = {job.id: job for job in (PrintJob.from_dict(raw) for raw in data.get("jobs", []))}
        processing = data.get("processing")
        return cls(
            IdAllocator(data.get("next_ids")),
            print_items={
                item.id: item
                for item in (PrintItem.from_dict(raw) for raw in data.get("print_items", []))
            },
            jobs=jobs,
            racks={
                rack.id: rack for rack in (Rack.from_dict(raw) for raw in data.get("racks", []))
            },
            build_plates={
                int(key): bool(value) for key, value in data.get("build_plates", {}).items()
            },
            processing=(
                JobProcessing.from_dict(processing)
                if processing is not None
                else JobProcessing.from_job_history(jobs.values())
            ),
            runs={run.id: run for run in (Run.from_dict(raw) for raw in data.get("runs", []))},
            printer_blocks={
                int(key): str(value) for key, value in data.get("printer_blocks", {}).items()
            },
            printer_files={
                int(key): {str(name): str(sha) for name, sha in value.items()}
                for key, value in data.get("printer_files", {}).items()
            },
            counters={
                int(key): PrinterCounters.from_dict(value)
                for key, value in data.get("counters", {}).items()
            },
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "next_ids": self.ids.as_dict(),
            "print_items": [self.print_items[key].as_dict() for key in sorted(self.print_items)],
            "jobs": [self.jobs[key].as_dict() for key in sorted(self.jobs)],
            "racks": [self.racks[key].as_dict() for key in sorted(self.racks)],
            "build_plates": {str(key): self.build_plates[key] for key in sorted(self.build_plates)},
            "processing": self.processing.as_dict(),
            "runs": [self.runs[key].as_dict() for key in sorted(self.runs)],
            "printer_blocks": {str(k): self.printer_blocks[k] for k in sorted(self.printer_blocks)},
            "printer_files": {str(k): self.printer_files[k] for k in sorted(self.printer_files)},
            "counters": {str(k): self.counters[k].as_dict() for k in sorted(self.counters)},
        }
