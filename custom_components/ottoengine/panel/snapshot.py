"""The farm as the panel shows it: the ``FARM`` document of ``docs/panel.md``.

Built from the loaded hub's ``runtime_data`` each time (printers' and OttoEjects' coordinators,
racks, jobs, the orchestrator's runs); what a person must do on a printer is the orchestrator's
own ``printer_view`` (the same as the *needs attention* entity and the repair issue).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from homeassistant.helpers import device_registry as dr

from ..bambu import PrintState
from ..farm.clock import to_iso
from ..farm.figures import FarmFigures, farm_figures
from ..farm.job_status import JobStatus
from ..farm.jobs import PrintJob
from ..farm.orchestration import queue
from ..farm.orchestration.runs import Answer, Run
from ..farm.racks import Rack, ShelfState
from ..moonraker import EjectorStatus
from ..ottoeject.coordinator import OttoEjectCoordinator
from ..printers.coordinator import PrinterCoordinator
from ..printers.klipper_coordinator import KlipperPrinterCoordinator
from ..printers.klipper_rest_json import klipper_panel_live
from ..runtime import OttoRuntime
from ..subentries import DeviceKind, device_identifier
from .const import FINISHED_JOBS_SHOWN

# Sections of FARM that are objects of id -> item; the others are sent whole.
ITEM_SECTIONS: Final = ("printers", "ottoejects", "racks")
VALUE_SECTIONS: Final = ("processing", "figures", "queue")

# The printer's state as the panel names it.
_PRINTER_STATUS: Final = {
    PrintState.IDLE: "IDLE",
    PrintState.INIT: "IDLE",
    PrintState.UNKNOWN: "IDLE",
    PrintState.PREPARE: "PREPARING",
    PrintState.SLICING: "PREPARING",
    PrintState.RUNNING: "RUNNING",
    PrintState.PAUSE: "PAUSED",
    PrintState.FINISH: "FINISH",
    PrintState.FAILED: "FAILED",
    PrintState.OFFLINE: "OFFLINE",
}
NO_FIGURES: Final = FarmFigures(0, 0, 0, None, 0.0, 0.0, 0, 0)
_SHELF_STATE: Final = {
    ShelfState.NO_PLATE: "empty",
    ShelfState.EMPTY_PLATE: "empty_plate",
    ShelfState.WITH_PRINT: "completed_print",
}


def empty_farm(*, is_admin: bool) -> dict[str, Any]:
    """No hub entry is loaded."""
    return {
        "loaded": False,
        "is_admin": is_admin,
        "processing": {"enabled": False, "status": "not_loaded"},
        "figures": NO_FIGURES.as_dict(),
        "printers": {},
        "ottoejects": {},
        "racks": {},
        "queue": [],
    }


def farm_snapshot(runtime: OttoRuntime | None, *, is_admin: bool, now: datetime) -> dict[str, Any]:
    """The whole FARM (``now``: an aware moment in Home Assistant's time zone)."""
    if runtime is None:
        return empty_farm(is_admin=is_admin)
    return {"loaded": True, "is_admin": is_admin, **FarmReader(runtime).sections(now)}


class FarmReader:
    """Reads one loaded hub into the panel's sections."""

    def __init__(self, runtime: OttoRuntime) -> None:
        self.runtime = runtime
        self.state = runtime.state
        self.devices = dr.async_get(runtime.hass)

    def sections(self, now: datetime) -> dict[str, Any]:
        runtime = self.runtime
        return {
            "processing": {
                "enabled": runtime.processing.enabled,
                "status": "running" if runtime.processing.enabled else "paused",
            },
            "figures": farm_figures(self.state, now).as_dict(),
            "printers": {
                str(pid): self.printer(coordinator)
                for pid, coordinator in runtime.printers.farm_coordinators().items()
            },
            "ottoejects": {
                str(coordinator.settings.id): self.ottoeject(coordinator)
                for coordinator in runtime.ottoejects.sorted()
            },
            "racks": {
                str(rack_id): self.rack(rack) for rack_id, rack in sorted(self.state.racks.items())
            },
            "queue": self.queue(),
        }

    # -- helpers -------------------------------------------------------------------------------
    def device_id(self, kind: DeviceKind, device_id: int) -> str | None:
        identifier = device_identifier(self.runtime.entry_id, kind, device_id)
        device = self.devices.async_get_device_by_identifier(identifier, self.runtime.entry_id)
        return device.id if device is not None else None

    def job_ref(self, job_id: int | None) -> dict[str, Any] | None:
        job = self.state.jobs.get(job_id) if job_id is not None else None
        if job is None:
            return None
        return {"id": job.id, "name": job.filename, "print_item_id": job.print_item_id}

    def printer_name(self, printer_id: int | None) -> str | None:
        printers = self.runtime.printers.farm_coordinators()
        coordinator = printers.get(printer_id) if printer_id is not None else None
        return coordinator.settings.name if coordinator is not None else None

    def _printer_run(self, printer_id: int) -> Run | None:
        """The workflow holding the printer (the one ``printer_view`` describes)."""
        return next(
            (
                run
                for run in self.state.active_runs()
                if run.printer_id == printer_id and run.holds_printer
            ),
            None,
        )

    # -- printers ------------------------------------------------------------------------------
    def printer(
        self, coordinator: PrinterCoordinator | KlipperPrinterCoordinator
    ) -> dict[str, Any]:
        settings = coordinator.settings
        printer_id = settings.id
        view = self.runtime.orchestrator.engine.printer_view(printer_id)
        run = self._printer_run(printer_id)
        device_id = self.device_id(DeviceKind.PRINTER, printer_id)
        return {
            "id": printer_id,
            "name": settings.name,
            "model": settings.model,
            "device_id": device_id,
            "online": coordinator.online,
            **(
                klipper_panel_live(coordinator)
                if isinstance(coordinator, KlipperPrinterCoordinator)
                else self._bambu_live(coordinator)
            ),
            "plate_present": self.state.has_build_plate(printer_id),
            "job": self.job_ref(view.job_id),
            "workflow": None
            if run is None or view.phase is None
            else {"id": run.id, "phase": view.phase.value, "note": view.note},
            "attention": None
            if view.attention is None
            else {
                "reason": view.attention,
                "actions": _attention_actions(run, device_id),
            },
        }

    @staticmethod
    def _bambu_live(coordinator: PrinterCoordinator) -> dict[str, Any]:
        live = coordinator.data if coordinator.online else None
        return {
            "status": _PRINTER_STATUS[live.status] if live is not None else "OFFLINE",
            "stage": live.current_stage if live is not None else PrintState.OFFLINE.value,
            "progress": live.progress_percent if live is not None else 0,
            "remaining_minutes": live.remaining_time_minutes if live is not None else 0,
            "end_time": to_iso(coordinator.end_time) if live is not None else None,
            "nozzle_temperature": live.nozzle_temperature if live else None,
            "nozzle_target": live.nozzle_target_temperature if live else None,
            "bed_temperature": live.bed_temperature if live else None,
            "bed_target": live.bed_target_temperature if live else None,
            "chamber_temperature": live.chamber_temperature if live else None,
        }

    # -- OttoEjects ----------------------------------------------------------------------------
    def ottoeject(self, coordinator: OttoEjectCoordinator) -> dict[str, Any]:
        settings = coordinator.settings
        data = coordinator.data
        waiting = self.runtime.orchestrator.engine.waiting_ejections(settings.id)
        return {
            "id": settings.id,
            "name": settings.device_name,
            "device_id": self.device_id(DeviceKind.OTTOEJECT, settings.id),
            "online": data.status is not EjectorStatus.OFFLINE,
            "status": data.status.value,
            "macro": data.current_macro,
            "waiting": [
                {
                    "printer_id": run.printer_id,
                    "printer_name": self.printer_name(run.printer_id),
                    "job_id": run.job_id,
                    "phase": run.phase.value,
                }
                for run in waiting
            ],
        }

    # -- racks ---------------------------------------------------------------------------------
    def rack(self, rack: Rack) -> dict[str, Any]:
        reserved = self._reservations(rack)
        return {
            "id": rack.id,
            "name": rack.name,
            "shelf_spacing_mm": rack.shelf_spacing_mm,
            "bed_size": rack.bed_size,
            "shelves": [
                {
                    "id": shelf.id,
                    "number": shelf.shelf_number,
                    "state": _SHELF_STATE[shelf.state],
                    "job": self.job_ref(shelf.print_job_id),
                    "reserved": reserved.get(shelf.shelf_number),
                }
                for shelf in rack.shelves
            ],
        }

    def _reservations(self, rack: Rack) -> dict[int, dict[str, Any]]:
        """Shelf number -> what claims it: the workflows' store and grab shelves first, then
        the shelves that jobs not started yet chose."""
        found: dict[int, dict[str, Any]] = {}

        def claim(slot: int | None, job_id: int | None, kind: str) -> None:
            if slot is not None and slot not in found:
                found[slot] = {"job_id": job_id, "kind": kind}

        for run in self.state.active_runs():
            if run.rack_id == rack.id:
                claim(run.store_slot, run.job_id, "store")
                claim(run.grab_slot, run.job_id, "grab")
        for job in self.state.sorted_jobs():
            if job.settings.rack_id == rack.id and job.status.is_editable:
                claim(job.settings.store_slot, job.id, "store")
                claim(job.settings.grab_slot, job.id, "grab")
        return found

    # -- the queue -----------------------------------------------------------------------------
    def queue(self) -> list[dict[str, Any]]:
        """Active jobs (oldest first), the waiting ones in the order the orchestrator takes
        them, then the last finished ones (newest first)."""
        waiting = queue.waiting(self.state)
        waiting_ids = {job.id for job in waiting}
        active = sorted(
            (
                job
                for job in self.state.jobs.values()
                if not job.status.is_finished
                and job.id not in waiting_ids
                and job.status is not JobStatus.NEW
            ),
            key=lambda job: (job.started_at or job.created_at, job.id),
        )
        finished = sorted(
            (job for job in self.state.jobs.values() if job.status.is_finished),
            key=lambda job: (_finished_at(job), job.id),
            reverse=True,
        )[:FINISHED_JOBS_SHOWN]
        return [
            self.job(job, movable=job.id in waiting_ids) for job in (*active, *waiting, *finished)
        ]

    def job(self, job: PrintJob, *, movable: bool) -> dict[str, Any]:
        item = self.state.print_items.get(job.print_item_id)
        minutes = item.estimated_print_time_min if item is not None else None
        return {
            "id": job.id,
            "name": job.filename,
            "status": job.status.value,
            "priority": job.settings.priority,
            "printer_id": job.printer_id,
            "printer_name": self.printer_name(job.printer_id),
            "print_item_id": job.print_item_id,
            "file_name": item.filename if item is not None else job.filename,
            "estimated_minutes": minutes,
            "progress": job.progress_percent,
            "status_message": job.status_message,
            "created_at": to_iso(job.created_at),
            "finished_at": to_iso(_finished_at(job)) if job.status.is_finished else None,
            "can_cancel": not job.status.is_finished,
            "can_retry": job.status in (JobStatus.FAILED, JobStatus.CANCELLED),
            "can_move": movable,
        }


def _finished_at(job: PrintJob) -> datetime:
    return job.history[-1].at if job.history else job.created_at


def _attention_actions(run: Run | None, device_id: str | None) -> list[dict[str, Any]]:
    """A paused workflow is answered (the ``resume_workflow`` answers); anything else is the
    operator confirming the printer's plate is cleared (``plate_cleared``)."""
    if device_id is None:
        return []
    if run is not None and run.pause is not None:
        return [
            {"action": "resume_workflow", "data": {"device_id": device_id, "answer": answer.value}}
            for answer in Answer
        ]
    return [{"action": "plate_cleared", "data": {"device_id": device_id}}]
