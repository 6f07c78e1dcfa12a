"""OttoRacks: numbered shelves (1 = bottom) that hold build plates, empty or with a print."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import re
from typing import Any, Final

from .validation import InvalidFieldError

MIN_SHELVES: Final = 1
MAX_SHELVES: Final = 50
DEFAULT_SHELVES: Final = 6
DEFAULT_SHELF_SPACING_MM: Final = 80.0
MAX_SHELF_SPACING_MM: Final = 1000.0
DEFAULT_BED_SIZE: Final = "256x256"
MAX_NAME_LENGTH: Final = 64
_BED_SIZE_RE: Final = re.compile(r"^\s*(\d{1,4})\s*[xX]\s*(\d{1,4})\s*$")


class ShelfState(StrEnum):
    """The three states of a shelf (also the shelf sensor's states in Home Assistant)."""

    NO_PLATE = "no_plate"
    EMPTY_PLATE = "empty_plate"
    WITH_PRINT = "with_print"

    @property
    def has_plate(self) -> bool:
        return self is not ShelfState.NO_PLATE

    @property
    def plate_state(self) -> str | None:
        """The REST API's ``plate_state``: ``None``, ``"empty"`` or ``"with_print"``."""
        return {ShelfState.EMPTY_PLATE: "empty", ShelfState.WITH_PRINT: "with_print"}.get(self)


class InvalidShelfStateError(InvalidFieldError):
    """A contradictory or incomplete shelf state; ``field`` names the offending input."""


class InvalidRackError(InvalidFieldError):
    """A rack setting out of range; ``field`` names it."""


def shelf_state_from_api(
    has_plate: object, plate_state: object, print_job_id: object
) -> tuple[ShelfState, int | None]:
    """Check the REST API's three shelf fields against each other.

    ``has_plate`` false needs no ``plate_state`` and no job; ``"empty"`` needs a plate and no
    job; ``"with_print"`` needs a plate and a job id. Whether the job exists is the caller's
    business.
    """
    if not isinstance(has_plate, bool):
        raise InvalidShelfStateError("has_plate", "must be true or false")
    if plate_state not in (None, "empty", "with_print"):
        raise InvalidShelfStateError("plate_state", 'must be null, "empty" or "with_print"')
    if print_job_id is not None and (
        isinstance(print_job_id, bool) or not isinstance(print_job_id, int) or print_job_id < 1
    ):
        raise InvalidShelfStateError("print_job_id", "must be a positive integer or null")
    if not has_plate:
        if plate_state is not None:
            raise InvalidShelfStateError(
                "plate_state", "must be null when has_plate is false (a shelf without a plate)"
            )
        if print_job_id is not None:
            raise InvalidShelfStateError(
                "print_job_id", "must be null when has_plate is false (no plate, no print)"
            )
        return ShelfState.NO_PLATE, None
    if plate_state is None:
        raise InvalidShelfStateError(
            "plate_state", 'is required when has_plate is true ("empty" or "with_print")'
        )
    if plate_state == "empty":
        if print_job_id is not None:
            raise InvalidShelfStateError(
                "print_job_id", 'must be null for an empty plate (use "with_print")'
            )
        return ShelfState.EMPTY_PLATE, None
    if print_job_id is None:
        raise InvalidShelfStateError("print_job_id", 'is required when plate_state is "with_print"')
    assert isinstance(print_job_id, int)
    return ShelfState.WITH_PRINT, print_job_id


def check_shelf_state(state: ShelfState, print_job_id: int | None) -> None:
    """The same rule for callers that name the state directly (HA service, orchestrator)."""
    if state is ShelfState.WITH_PRINT and print_job_id is None:
        raise InvalidShelfStateError("print_job_id", "is required for a shelf with a print")
    if state is not ShelfState.WITH_PRINT and print_job_id is not None:
        raise InvalidShelfStateError("print_job_id", "is only allowed for a shelf with a print")


def parse_bed_size(value: object) -> str:
    """``"256x256"`` (width x depth in mm, both 1..9999) normalised to ``"256x256"``."""
    match = _BED_SIZE_RE.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise InvalidRackError("bed_size", 'must look like "256x256" (width x depth in mm)')
    return f"{int(match.group(1))}x{int(match.group(2))}"


def parse_shelf_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRackError("number_of_shelves", "must be an integer")
    if not MIN_SHELVES <= value <= MAX_SHELVES:
        raise InvalidRackError(
            "number_of_shelves", f"must be between {MIN_SHELVES} and {MAX_SHELVES}"
        )
    return value


def parse_spacing(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRackError("shelf_spacing_mm", "must be a number of millimetres")
    if not 0 < value <= MAX_SHELF_SPACING_MM:
        raise InvalidRackError(
            "shelf_spacing_mm", f"must be more than 0 and at most {MAX_SHELF_SPACING_MM:g} mm"
        )
    return float(value)


def parse_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRackError("name", "must be a non-empty string")
    name = value.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidRackError("name", f"must be at most {MAX_NAME_LENGTH} characters")
    return name


def spacing_for_api(spacing: float) -> int | float:
    """80.0 is answered as 80, like the seed; 72.5 stays 72.5."""
    return int(spacing) if spacing.is_integer() else spacing


@dataclass(slots=True)
class Shelf:
    """A shelf: a farm-wide ``id`` (never reused) and its ``shelf_number`` within the rack."""

    id: int
    shelf_number: int
    state: ShelfState = ShelfState.NO_PLATE
    print_job_id: int | None = None

    def set_state(self, state: ShelfState, print_job_id: int | None) -> bool:
        """Change the shelf; returns whether anything changed."""
        check_shelf_state(state, print_job_id)
        if (self.state, self.print_job_id) == (state, print_job_id):
            return False
        self.state = state
        self.print_job_id = print_job_id
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "shelf_number": self.shelf_number,
            "state": self.state.value,
            "print_job_id": self.print_job_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shelf:
        return cls(
            id=int(data["id"]),
            shelf_number=int(data["shelf_number"]),
            state=ShelfState(data["state"]),
            print_job_id=data.get("print_job_id"),
        )


@dataclass(slots=True)
class Rack:
    """A rack's settings (mirrored from its HA subentry) and its shelves' states."""

    id: int
    name: str
    shelf_spacing_mm: float
    bed_size: str
    shelves: list[Shelf] = field(default_factory=list)

    @property
    def number_of_shelves(self) -> int:
        return len(self.shelves)

    @property
    def occupied_shelves(self) -> int:
        """Shelves holding a print (a stored job)."""
        return sum(1 for shelf in self.shelves if shelf.state is ShelfState.WITH_PRINT)

    @property
    def empty_plate_shelves(self) -> int:
        return sum(1 for shelf in self.shelves if shelf.state is ShelfState.EMPTY_PLATE)

    def shelf_by_id(self, shelf_id: int) -> Shelf | None:
        return next((shelf for shelf in self.shelves if shelf.id == shelf_id), None)

    def shelf_by_number(self, number: int) -> Shelf | None:
        if 1 <= number <= len(self.shelves):
            return self.shelves[number - 1]
        return None

    def resize(self, count: int, allocate_id: Callable[[], int]) -> list[Shelf]:
        """Add shelves on top or remove the top ones; returns the removed shelves.

        Refuses (``InvalidRackError``) to remove a shelf that holds a plate.
        """
        parse_shelf_count(count)
        removed = self.shelves[count:]
        if any(shelf.state is not ShelfState.NO_PLATE for shelf in removed):
            raise InvalidRackError(
                "number_of_shelves", "the shelves that would be removed still hold a plate"
            )
        del self.shelves[count:]
        while len(self.shelves) < count:
            self.shelves.append(Shelf(allocate_id(), len(self.shelves) + 1))
        return removed

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "shelf_spacing_mm": self.shelf_spacing_mm,
            "bed_size": self.bed_size,
            "shelves": [shelf.as_dict() for shelf in self.shelves],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rack:
        return cls(
            id=int(data["id"]),
            name=str(data["name"]),
            shelf_spacing_mm=float(data["shelf_spacing_mm"]),
            bed_size=str(data["bed_size"]),
            shelves=[Shelf.from_dict(shelf) for shelf in data.get("shelves", [])],
        )
