"""The height-aware shelf planner: where a finished print is stored and which plate is grabbed.

Geometry (ottomat3d-workflow.md, section 4b; the simulated farm enforces exactly this):

- shelves are numbered 1 (bottom) .. n, ``shelf_spacing_mm`` apart;
- a print of height h needs ``h + HEIGHT_MARGIN_MM`` of clearance;
- a print of height h stored on shelf s reaches into shelves s .. s + ceil((h + 10) / spacing) - 1
  (unknown height: only its own shelf), so nothing can be stored on those shelves;
- a shelf's clearance is 0 unless it is free (no plate, not reserved, not reached into); a free
  shelf offers spacing x (1 + the number of consecutive free shelves directly above it).

"Reserved" shelves are those other workflows have claimed (to store on or to grab from); they
count as taken. A reserved *store* shelf (``reserved_heights``: shelf number -> height of the
print that will go there) also blocks the shelves that print will reach into.

Scoring is a simplified version of section 4b: only shelves usable now are considered. The best
fit comes first (height efficiency and wasted clearance, then the least clearance), then the
position table (small prints low, tall prints higher), then the lower shelf. A print of unknown
height is planned as if it just fitted one shelf spacing (the geometry assumes it reaches no
further).
"""

from __future__ import annotations

from collections.abc import Mapping, Set as AbstractSet
from dataclasses import dataclass
import math
from typing import Final

from ..racks import Rack, ShelfState

HEIGHT_MARGIN_MM: Final = 10.0

_NO_SHELVES: Final[frozenset[int]] = frozenset()
_NO_HEIGHTS: Final[Mapping[int, float | None]] = {}

# Height categories (upper bound in mm) and the shelf range each prefers (section 4b).
_POSITIONS: Final[tuple[tuple[float, int, int, float], ...]] = (
    (30.0, 1, 1, 1.0),  # TINY
    (60.0, 1, 2, 1.0),  # SMALL
    (100.0, 1, 3, 0.9),  # MEDIUM
    (160.0, 2, 4, 1.0),  # LARGE
    (240.0, 3, 5, 1.0),  # TALL
    (320.0, 4, 6, 1.0),  # VERY_TALL
)
_POSITION_STEP: Final = 0.2  # the position score lost per shelf away from the preferred range
_EXTREME_POSITION: Final = 0.5  # taller prints have no preferred shelves


@dataclass(frozen=True, slots=True)
class ShelfChoice:
    """A shelf to store on: ``score`` compares choices (higher is better, as a tuple)."""

    rack_id: int
    shelf_number: int
    clearance_mm: float
    score: tuple[float, float, float]


def needed_clearance_mm(rack: Rack, height_mm: float | None) -> float:
    """Clearance a print needs: its height plus the margin; unknown height: one spacing."""
    if height_mm is None:
        return rack.shelf_spacing_mm
    return height_mm + HEIGHT_MARGIN_MM


def shelves_reached(rack: Rack, height_mm: float | None) -> int:
    """How many shelves (its own and those above) a print stored on ``rack`` takes up."""
    if height_mm is None:
        return 1
    return max(1, math.ceil((height_mm + HEIGHT_MARGIN_MM) / rack.shelf_spacing_mm))


def rack_height_mm(rack: Rack) -> float:
    """The most clearance the rack can ever offer (shelf 1 with every shelf above free)."""
    return rack.shelf_spacing_mm * rack.number_of_shelves


def could_ever_fit(rack: Rack, height_mm: float | None) -> bool:
    """Whether a print of ``height_mm`` fits on the rack once enough shelves are free."""
    return rack.number_of_shelves > 0 and needed_clearance_mm(rack, height_mm) <= rack_height_mm(
        rack
    )


def clearances(
    rack: Rack,
    *,
    heights: Mapping[int, float | None],
    reserved: AbstractSet[int] = _NO_SHELVES,
    reserved_heights: Mapping[int, float | None] = _NO_HEIGHTS,
) -> dict[int, float]:
    """Every shelf's effective clearance (shelf number -> mm), in one pass over the rack.

    ``heights`` maps print job id -> max Z (or ``None``) for the prints stored on the shelves;
    ``reserved`` and the keys of ``reserved_heights`` are shelves other workflows have claimed.
    """
    count = rack.number_of_shelves
    reached = [False] * (count + 2)
    for shelf in rack.shelves:
        number = shelf.shelf_number
        if number in reserved_heights:
            height = reserved_heights[number]
        elif shelf.state is ShelfState.WITH_PRINT and shelf.print_job_id is not None:
            height = heights.get(shelf.print_job_id)
        else:
            continue
        top = min(count, number + shelves_reached(rack, height) - 1)
        for above in range(number + 1, top + 1):
            reached[above] = True
    result: dict[int, float] = {}
    run = 0
    for shelf in reversed(rack.shelves):
        number = shelf.shelf_number
        free = (
            shelf.state is ShelfState.NO_PLATE
            and number not in reserved
            and number not in reserved_heights
            and not reached[number]
        )
        run = run + 1 if free else 0
        result[number] = rack.shelf_spacing_mm * run
    return result


def clearance_mm(
    rack: Rack,
    shelf_number: int,
    *,
    heights: Mapping[int, float | None],
    reserved: AbstractSet[int] = _NO_SHELVES,
    reserved_heights: Mapping[int, float | None] = _NO_HEIGHTS,
) -> float:
    """One shelf's effective clearance for storing (0 when it is not free or does not exist)."""
    return clearances(
        rack, heights=heights, reserved=reserved, reserved_heights=reserved_heights
    ).get(shelf_number, 0.0)


def fits(rack: Rack, height_mm: float | None, clearance: float) -> bool:
    """Whether a print of ``height_mm`` may be stored on a shelf offering ``clearance``."""
    return clearance > 0 and needed_clearance_mm(rack, height_mm) <= clearance


def _efficiency(ratio: float) -> float:
    if 0.80 <= ratio <= 0.95:
        return 1.0
    if ratio >= 0.6:
        return 0.8
    if ratio >= 0.4:
        return 0.5
    return 0.2


def _waste(waste_mm: float) -> float:
    for limit, score in ((40.0, 1.0), (80.0, 0.7), (160.0, 0.4), (240.0, 0.2)):
        if waste_mm <= limit:
            return score
    return 0.1


def _position(height_mm: float, shelf_number: int) -> float:
    for limit, low, high, best in _POSITIONS:
        if height_mm <= limit:
            distance = low - shelf_number if shelf_number < low else max(0, shelf_number - high)
            return max(0.0, best - _POSITION_STEP * distance)
    return _EXTREME_POSITION


def shelf_score(
    rack: Rack, height_mm: float | None, shelf_number: int, clearance: float
) -> tuple[float, float, float]:
    """How good storing a print on a shelf with ``clearance`` is (higher is better).

    (fit: 0.30 height efficiency + 0.15 clearance waste, normalised to 0..1; the negated
    clearance, so the tightest of equally good fits wins; the position score).
    """
    height = rack.shelf_spacing_mm - HEIGHT_MARGIN_MM if height_mm is None else height_mm
    height = max(height, 0.0)
    fit = (0.30 * _efficiency(height / clearance) + 0.15 * _waste(clearance - height)) / 0.45
    return (round(fit, 9), -clearance, _position(height, shelf_number))


def choose_store_shelf(
    rack: Rack,
    height_mm: float | None,
    *,
    heights: Mapping[int, float | None],
    reserved: AbstractSet[int] = _NO_SHELVES,
    reserved_heights: Mapping[int, float | None] = _NO_HEIGHTS,
) -> ShelfChoice | None:
    """The best free shelf of ``rack`` for a print of ``height_mm``; ``None`` if none fits."""
    room = clearances(rack, heights=heights, reserved=reserved, reserved_heights=reserved_heights)
    return best_store_shelf(rack, height_mm, room)


def best_store_shelf(
    rack: Rack, height_mm: float | None, room: Mapping[int, float]
) -> ShelfChoice | None:
    """``choose_store_shelf`` given the rack's clearances (from ``clearances``)."""
    best: ShelfChoice | None = None
    for number in sorted(room):
        clearance = room[number]
        if not fits(rack, height_mm, clearance):
            continue
        choice = ShelfChoice(
            rack.id, number, clearance, shelf_score(rack, height_mm, number, clearance)
        )
        if best is None or choice.score > best.score:
            best = choice
    return best


def choose_grab_shelf(
    rack: Rack, store_shelf: int | None, *, reserved: AbstractSet[int] = _NO_SHELVES
) -> int | None:
    """The empty-plate, unreserved shelf nearest ``store_shelf`` (ties: the lower one).

    Without a store shelf the highest such shelf (low shelves are kept free for storing).
    """
    candidates = [
        shelf.shelf_number
        for shelf in rack.shelves
        if shelf.state is ShelfState.EMPTY_PLATE
        and shelf.shelf_number not in reserved
        and shelf.shelf_number != store_shelf
    ]
    if not candidates:
        return None
    if store_shelf is None:
        return max(candidates)
    return min(candidates, key=lambda number: (abs(number - store_shelf), number))


def no_shelf_reason(
    rack: Rack,
    height_mm: float | None,
    *,
    heights: Mapping[int, float | None],
    reserved: AbstractSet[int] = _NO_SHELVES,
    reserved_heights: Mapping[int, float | None] = _NO_HEIGHTS,
) -> str:
    """Why no shelf of ``rack`` takes the print now, for status messages."""
    needed = needed_clearance_mm(rack, height_mm)
    where = f"rack '{rack.name}'"
    if not could_ever_fit(rack, height_mm):
        return f"{where} is only {rack_height_mm(rack):g} mm tall (the print needs {needed:g} mm)"
    room = clearances(rack, heights=heights, reserved=reserved, reserved_heights=reserved_heights)
    largest = max(room.values(), default=0.0)
    if largest <= 0:
        return f"no free shelf on {where}"
    return f"no free shelf with {needed:g} mm clearance on {where} (largest free: {largest:g} mm)"


rack_is_full_reason = no_shelf_reason
