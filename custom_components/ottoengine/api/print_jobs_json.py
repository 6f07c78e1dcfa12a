"""The JSON shapes of print items and jobs in the `/api/print-jobs` routes.

The seed's fields come first and keep their names; extensions are documented in
``docs/api-print-jobs-racks.md``.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry

from ..farm.clock import to_iso
from ..farm.job_status import JobStatus
from ..farm.jobs import PrintJob
from ..farm.print_items import PrintItem
from ..farm.state import FarmState
from ..printfile import format_filament_grams, format_file_size
from ..subentries import SUBENTRY_OTTOEJECT, SUBENTRY_PRINTER, find_subentry


def print_item_brief(item: PrintItem) -> dict[str, Any]:
    """The seed's print item (upload answer, nested in a job)."""
    return {
        "id": item.id,
        "filename": item.filename,
        "file_size": format_file_size(item.size_bytes),
        "estimated_print_time": item.estimated_print_time_min,
        "layer_count": item.layer_count,
        "filament_used": format_filament_grams(item.filament_used_g),
    }


def print_item_details(item: PrintItem) -> dict[str, Any]:
    """A print item in `GET /api/print-jobs/items` (an extension)."""
    return {
        **print_item_brief(item),
        "size_bytes": item.size_bytes,
        "sha256": item.sha256,
        "max_z_height_mm": item.max_z_height_mm,
        "plate_count": item.metadata.get("plate_count"),
        "has_thumbnail": item.thumbnail_name is not None,
        "created_at": to_iso(item.created_at),
        "metadata": item.metadata,
    }


def estimated_remaining_minutes(job: PrintJob, state: FarmState) -> int | None:
    """While printing (or paused): the item's estimate scaled by the progress left."""
    item = state.print_items.get(job.print_item_id)
    if job.status not in (JobStatus.PRINTING, JobStatus.PAUSED) or item is None:
        return None
    total = item.estimated_print_time_min
    if total is None:
        return None
    return round(total * (100 - job.progress_percent) / 100)


def _settings(job: PrintJob) -> dict[str, Any]:
    return {
        "rack_id": job.settings.rack_id,
        "store_slot": job.settings.store_slot,
        "grab_slot": job.settings.grab_slot,
        "use_ams": job.settings.use_ams,
        "start_after": to_iso(job.settings.start_after),
        "match_color": job.settings.match_color,
        "status_message": job.status_message,
    }


def job_summary(job: PrintJob, state: FarmState) -> dict[str, Any]:
    """A job in the list."""
    return {
        "id": job.id,
        "print_item_id": job.print_item_id,
        "printer_id": job.printer_id,
        "ottoeject_id": job.settings.ottoeject_id,
        "status": job.status.value,
        "priority": job.settings.priority,
        "progress_percent": job.progress_percent,
        "estimated_remaining_time": estimated_remaining_minutes(job, state),
        "created_at": to_iso(job.created_at),
        "started_at": to_iso(job.started_at),
        "completed_at": to_iso(job.completed_at),
        "filename": job.filename,
        "auto_start": job.settings.auto_start,
        **_settings(job),
    }


def job_details(job: PrintJob, state: FarmState, entry: ConfigEntry) -> dict[str, Any]:
    """A job with its print item, printer and OttoEject, and its status history."""
    item = state.print_items.get(job.print_item_id)
    return {
        "id": job.id,
        "print_item": print_item_brief(item) if item is not None else None,
        "printer": _printer(entry, job.printer_id),
        "ottoeject": _ottoeject(entry, job.settings.ottoeject_id),
        "status": job.status.value,
        "priority": job.settings.priority,
        "auto_start": job.settings.auto_start,
        "progress_percent": job.progress_percent,
        "estimated_remaining_time": estimated_remaining_minutes(job, state),
        "created_at": to_iso(job.created_at),
        "started_at": to_iso(job.started_at),
        "completed_at": to_iso(job.completed_at),
        "print_item_id": job.print_item_id,
        "printer_id": job.printer_id,
        "ottoeject_id": job.settings.ottoeject_id,
        "filename": job.filename,
        **_settings(job),
        "history": [change.as_dict() for change in job.history],
    }


def job_created(job: PrintJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "print_item_id": job.print_item_id,
        "printer_id": job.printer_id,
        "ottoeject_id": job.settings.ottoeject_id,
        "status": job.status.value,
        "priority": job.settings.priority,
        "auto_start": job.settings.auto_start,
        "created_at": to_iso(job.created_at),
        **_settings(job),
    }


def _printer(entry: ConfigEntry, printer_id: int | None) -> dict[str, Any] | None:
    subentry = find_subentry(entry, SUBENTRY_PRINTER, printer_id) if printer_id else None
    if subentry is None:
        return None
    data = subentry.data
    return {
        "id": printer_id,
        "name": data.get("name", subentry.title),
        "brand": data.get("brand"),
        "model": data.get("model"),
    }


def _ottoeject(entry: ConfigEntry, ottoeject_id: int | None) -> dict[str, Any] | None:
    subentry = find_subentry(entry, SUBENTRY_OTTOEJECT, ottoeject_id) if ottoeject_id else None
    if subentry is None:
        return None
    return {"id": ottoeject_id, "device_name": subentry.data.get("device_name", subentry.title)}
