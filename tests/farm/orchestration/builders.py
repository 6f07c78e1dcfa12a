"""Small builders for the orchestration tests: racks from a picture, printers, items, jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from custom_components.ottoengine.farm.jobs import JobSettings, PrintJob
from custom_components.ottoengine.farm.orchestration.profiles import (
    default_bed_position,
    default_macros,
)
from custom_components.ottoengine.farm.orchestration.topology import (
    ClearingMethod,
    LoadedFilament,
    PrinterSetup,
)
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.racks import Rack, Shelf, ShelfState

T0 = datetime(2025, 5, 21, 10, 0, tzinfo=UTC)


def rack(picture: str, *, rack_id: int = 1, spacing: float = 80.0, name: str = "rack-1") -> Rack:
    """A rack from a picture, shelf 1 first: ``.`` no plate, ``E`` empty plate, ``P<job>`` print.

    ``rack(". E P7 .")`` has 4 shelves: 1 free, 2 an empty plate, 3 the print of job 7, 4 free.
    """
    shelves: list[Shelf] = []
    for number, cell in enumerate(picture.split(), start=1):
        shelf = Shelf(rack_id * 100 + number, number)
        if cell == "E":
            shelf.state = ShelfState.EMPTY_PLATE
        elif cell.startswith("P"):
            shelf.state, shelf.print_job_id = ShelfState.WITH_PRINT, int(cell[1:])
        else:
            assert cell == ".", cell
        shelves.append(shelf)
    return Rack(rack_id, name, spacing, "256x256", shelves)


def printer(
    printer_id: int,
    model: str = "P1S",
    *,
    name: str | None = None,
    clearing: ClearingMethod = ClearingMethod.OTTOEJECT,
    volume: tuple[float, float, float] | None = None,
    nozzle: float | None = None,
    filaments: tuple[LoadedFilament, ...] = (),
) -> PrinterSetup:
    return PrinterSetup(
        printer_id=printer_id,
        name=name or f"{model}-{printer_id}",
        brand="Bambu Lab",
        model=model,
        ottoeject_id=None,
        clearing=clearing,
        macros=default_macros("Bambu Lab", model),
        bed=default_bed_position(model),
        build_volume_mm=volume,
        nozzle_diameter_mm=nozzle,
        filaments=filaments,
    )


def item(
    item_id: int = 1,
    *,
    height: float | None = 50.0,
    model: str | None = None,
    nozzle: float | None = None,
    filaments: list[tuple[str | None, str | None]] | None = None,
) -> PrintItem:
    metadata: dict[str, Any] = {"max_z_height_mm": height}
    if model is not None:
        metadata["printer_model"] = model
    if nozzle is not None:
        metadata["nozzle_diameter_mm"] = nozzle
    if filaments is not None:
        metadata["filaments"] = [
            {"index": i, "type": kind, "color": color, "used_g": 10.0, "used_m": 3.0}
            for i, (kind, color) in enumerate(filaments, start=1)
        ]
    return PrintItem(
        item_id, f"item{item_id}.gcode.3mf", f"{item_id}.3mf", 1, "0" * 64, T0, metadata
    )


def job(
    job_id: int,
    item_id: int = 1,
    *,
    priority: int = 1,
    age_min: float = 0.0,
    printer_id: int | None = None,
    rack_id: int | None = None,
    store_slot: int | None = None,
    grab_slot: int | None = None,
) -> PrintJob:
    """A queued job created ``age_min`` minutes before ``T0``."""
    settings = JobSettings(
        printer_id=printer_id,
        rack_id=rack_id,
        store_slot=store_slot,
        grab_slot=grab_slot,
        auto_start=True,
        priority=priority,
    )
    return PrintJob.create(
        job_id, item_id, f"item{item_id}.gcode.3mf", settings, T0 - timedelta(minutes=age_min)
    )
