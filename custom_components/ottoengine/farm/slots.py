"""Rules for the rack shelves a job stores its print on and grabs its next plate from.

Manual slot choices are checked against the rack as it is now (the original accepted an
empty-plate shelf as store slot and never checked other jobs' choices):

- ``store_slot`` and ``grab_slot`` are shelf numbers of ``rack_id``, which they require;
- the store shelf must have no plate and not be another unfinished job's store shelf;
- the grab shelf must hold an empty plate and not be another unfinished job's grab shelf;
- a job never stores and grabs on the same shelf.

Slots left ``None`` are the orchestrator's to choose when the job starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from .jobs import JobSettings, PrintJob
from .racks import Rack, ShelfState


class SlotError(ValueError):
    """A slot choice that is invalid (``conflict`` False) or clashes with the farm (True)."""

    def __init__(self, field_name: str, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field_name
        self.conflict = conflict


def check_slots(settings: JobSettings, rack: Rack | None, others: Iterable[PrintJob]) -> None:
    """Raise ``SlotError`` unless the settings' slots may be used; ``others`` = other jobs."""
    if settings.store_slot is None and settings.grab_slot is None:
        return
    if rack is None:
        raise SlotError("rack_id", "is required when store_slot or grab_slot is given")
    for field_name, number in (
        ("store_slot", settings.store_slot),
        ("grab_slot", settings.grab_slot),
    ):
        if number is not None and rack.shelf_by_number(number) is None:
            raise SlotError(
                field_name,
                f"must be a shelf number of rack {rack.id} (1..{rack.number_of_shelves})",
            )
    if settings.store_slot is not None and settings.store_slot == settings.grab_slot:
        raise SlotError("grab_slot", "must differ from store_slot (a job stores, then grabs)")
    busy = [
        job.settings
        for job in others
        if not job.status.is_finished and job.settings.rack_id == rack.id
    ]
    _check_shelf(
        rack,
        "store_slot",
        settings.store_slot,
        wanted=ShelfState.NO_PLATE,
        refusal="is not free",
        taken=[other.store_slot for other in busy],
    )
    _check_shelf(
        rack,
        "grab_slot",
        settings.grab_slot,
        wanted=ShelfState.EMPTY_PLATE,
        refusal="holds no empty plate",
        taken=[other.grab_slot for other in busy],
    )


def _check_shelf(
    rack: Rack,
    field_name: str,
    number: int | None,
    *,
    wanted: ShelfState,
    refusal: str,
    taken: list[int | None],
) -> None:
    """Shelf ``number`` (if chosen) must be in state ``wanted`` and not in another job's ``taken``."""
    if number is None:
        return
    shelf = rack.shelf_by_number(number)
    assert shelf is not None
    where = f"shelf {shelf.shelf_number} of rack {rack.id}"
    if shelf.state is not wanted:
        raise SlotError(field_name, f"{where} {refusal} ({shelf.state})", conflict=True)
    if number in taken:
        slot = field_name.replace("_", " ")
        raise SlotError(field_name, f"{where} is another job's {slot}", conflict=True)
