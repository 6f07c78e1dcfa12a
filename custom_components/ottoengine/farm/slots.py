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
    if settings.store_slot is not None:
        shelf = rack.shelf_by_number(settings.store_slot)
        assert shelf is not None
        if shelf.state is not ShelfState.NO_PLATE:
            raise SlotError(
                "store_slot",
                f"shelf {shelf.shelf_number} of rack {rack.id} is not free ({shelf.state})",
                conflict=True,
            )
        if any(other.store_slot == settings.store_slot for other in busy):
            raise SlotError(
                "store_slot",
                f"shelf {shelf.shelf_number} of rack {rack.id} is another job's store slot",
                conflict=True,
            )
    if settings.grab_slot is not None:
        shelf = rack.shelf_by_number(settings.grab_slot)
        assert shelf is not None
        if shelf.state is not ShelfState.EMPTY_PLATE:
            raise SlotError(
                "grab_slot",
                f"shelf {shelf.shelf_number} of rack {rack.id} holds no empty plate ({shelf.state})",
                conflict=True,
            )
        if any(other.grab_slot == settings.grab_slot for other in busy):
            raise SlotError(
                "grab_slot",
                f"shelf {shelf.shelf_number} of rack {rack.id} is another job's grab slot",
                conflict=True,
            )
