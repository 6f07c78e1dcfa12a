"""The JSON shapes of racks and shelves in the `/api/ottoracks` routes (the seed's, plus a few).

``ottoeject_id`` is the rack's stored setting (its subentry's, not the farm state's), as stored.
"""

from __future__ import annotations

from typing import Any

from ..farm.clock import to_iso
from ..farm.racks import Rack, Shelf, spacing_for_api
from ..farm.state import FarmState


def rack_summary(rack: Rack, ottoeject_id: int | None) -> dict[str, Any]:
    """A rack in the list: settings and occupancy (shelves with a print / the others)."""
    return {
        "id": rack.id,
        "name": rack.name,
        "ottoeject_id": ottoeject_id,
        "number_of_shelves": rack.number_of_shelves,
        "shelf_spacing_mm": spacing_for_api(rack.shelf_spacing_mm),
        "bed_size": rack.bed_size,
        "occupied_shelves": rack.occupied_shelves,
        "available_shelves": rack.number_of_shelves - rack.occupied_shelves,
        "empty_plate_shelves": rack.empty_plate_shelves,
    }


def rack_details(rack: Rack, state: FarmState, ottoeject_id: int | None) -> dict[str, Any]:
    """A rack with every shelf and, for shelves with a print, the job that printed it."""
    return {
        **rack_summary(rack, ottoeject_id),
        "shelves": [shelf_details(shelf, state) for shelf in rack.shelves],
    }


def shelf_state(shelf: Shelf) -> dict[str, Any]:
    return {
        "id": shelf.id,
        "shelf_number": shelf.shelf_number,
        "has_plate": shelf.state.has_plate,
        "plate_state": shelf.state.plate_state,
        "print_job_id": shelf.print_job_id,
        "state": shelf.state.value,
    }


def shelf_details(shelf: Shelf, state: FarmState) -> dict[str, Any]:
    job = state.jobs.get(shelf.print_job_id) if shelf.print_job_id is not None else None
    return {
        **shelf_state(shelf),
        "print_job": None
        if job is None
        else {"id": job.id, "filename": job.filename, "completed_at": to_iso(job.completed_at)},
    }
