"""Physical ground truth shared by the simulated printers, OttoEjects and racks.

The world knows where every build plate is (on a printer bed, in a gripper, on a shelf) and
whether a finished print sits on it. Simulated devices ask it before they move plates; a move
that would be physically impossible (a collision, two plates in one place, a plate dropped on
nothing) raises ``PhysicalError`` and is recorded in ``violations`` so tests can assert that the
orchestrator never did anything a real farm would not survive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Beds must be here before an OttoEject may reach in (see ottomat3d-workflow.md, section 3).
Z_EJECT_HEIGHT_MM = 200.0  # P1P, P1S, X1C: the bed moves down to Z 200
Y_EJECT_POSITION_MM = 170.0  # A1: a bed slinger presents the plate at Y 170
BED_SLINGER_MODELS = frozenset({"A1", "A1 MINI", "A1MINI"})


class PhysicalError(Exception):
    """A move that cannot happen in the real world (the move is not carried out)."""


@dataclass
class Plate:
    """A build plate; ``print_label`` names the finished print on it (``None``: empty plate)."""

    plate_id: int
    print_label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"plate_id": self.plate_id, "print": self.print_label}


@dataclass
class PrinterBody:
    name: str
    model: str
    plate: Plate | None = None
    bed_z_mm: float = 10.0
    bed_y_mm: float = 0.0
    printing: bool = False

    @property
    def is_bed_slinger(self) -> bool:
        return self.model.upper() in BED_SLINGER_MODELS

    @property
    def at_eject_position(self) -> bool:
        if self.is_bed_slinger:
            return self.bed_y_mm >= Y_EJECT_POSITION_MM
        return self.bed_z_mm >= Z_EJECT_HEIGHT_MM


@dataclass
class World:
    printers: dict[str, PrinterBody] = field(default_factory=dict)
    grippers: dict[str, Plate | None] = field(default_factory=dict)
    # ejector name -> rack name (the rack its STORE_TO_SLOT_n / GRAB_FROM_SLOT_n macros reach)
    ejector_racks: dict[str, str] = field(default_factory=dict)
    racks: dict[str, list[Plate | None]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    stored_prints: dict[str, int] = field(default_factory=dict)
    _next_plate: int = 1

    # -- building the farm -------------------------------------------------------------------
    def new_plate(self) -> Plate:
        plate = Plate(self._next_plate)
        self._next_plate += 1
        return plate

    def add_printer(self, name: str, model: str, *, with_plate: bool = True) -> PrinterBody:
        body = PrinterBody(name, model, self.new_plate() if with_plate else None)
        self.printers[name] = body
        return body

    def add_rack(self, name: str, shelves: int, *, empty_plates: tuple[int, ...] = ()) -> None:
        """A rack of ``shelves`` shelves; the shelf numbers in ``empty_plates`` hold an empty plate."""
        self.racks[name] = [
            self.new_plate() if number in empty_plates else None for number in range(1, shelves + 1)
        ]

    def add_ejector(self, name: str, rack: str) -> None:
        self.grippers[name] = None
        self.ejector_racks[name] = rack

    # -- failures ------------------------------------------------------------------------------
    def _fail(self, message: str) -> PhysicalError:
        self.violations.append(message)
        return PhysicalError(message)

    def _printer(self, name: str) -> PrinterBody:
        if name not in self.printers:
            raise self._fail(f"no printer named {name!r} in the farm")
        return self.printers[name]

    def _shelf(self, ejector: str, shelf: int) -> tuple[list[Plate | None], int]:
        rack = self.racks[self.ejector_racks[ejector]]
        if not 1 <= shelf <= len(rack):
            raise self._fail(f"{ejector}: shelf {shelf} does not exist (rack has {len(rack)})")
        return rack, shelf - 1

    # -- what printers do ----------------------------------------------------------------------
    def move_bed(
        self, printer: str, *, z_mm: float | None = None, y_mm: float | None = None
    ) -> None:
        body = self._printer(printer)
        if z_mm is not None:
            body.bed_z_mm = max(0.0, min(z_mm, 256.0))
        if y_mm is not None:
            body.bed_y_mm = max(0.0, min(y_mm, 256.0))

    def start_print(self, printer: str) -> None:
        """A print begins: it needs an empty plate on the bed."""
        body = self._printer(printer)
        if body.plate is None:
            raise self._fail(f"{printer}: print started with no build plate on the bed")
        if body.plate.print_label is not None:
            raise self._fail(
                f"{printer}: print started on top of the finished print {body.plate.print_label!r}"
            )
        body.printing = True
        body.bed_z_mm = 0.2

    def finish_print(self, printer: str, label: str) -> None:
        body = self._printer(printer)
        body.printing = False
        if body.plate is not None:
            body.plate.print_label = label

    def abort_print(self, printer: str, label: str | None = None) -> None:
        """A stopped or failed print leaves what was printed so far on the plate."""
        body = self._printer(printer)
        body.printing = False
        if body.plate is not None and label is not None:
            body.plate.print_label = f"{label} (incomplete)"

    # -- what OttoEjects do --------------------------------------------------------------------
    def eject(self, ejector: str, printer: str) -> None:
        body = self._printer(printer)
        if self.grippers[ejector] is not None:
            raise self._fail(f"{ejector}: EJECT from {printer} with a plate already in the gripper")
        if body.printing:
            raise self._fail(f"{ejector}: collision, EJECT from {printer} while it is printing")
        if not body.at_eject_position:
            where = f"Y {body.bed_y_mm:g}" if body.is_bed_slinger else f"Z {body.bed_z_mm:g}"
            raise self._fail(f"{ejector}: collision, EJECT from {printer} with its bed at {where}")
        if body.plate is None:
            raise self._fail(f"{ejector}: EJECT from {printer}, which has no plate")
        self.grippers[ejector], body.plate = body.plate, None

    def store(self, ejector: str, shelf: int) -> None:
        plate = self.grippers[ejector]
        rack, index = self._shelf(ejector, shelf)
        if plate is None:
            raise self._fail(f"{ejector}: STORE to shelf {shelf} with an empty gripper")
        if rack[index] is not None:
            raise self._fail(f"{ejector}: collision, STORE to shelf {shelf}, which holds a plate")
        rack[index], self.grippers[ejector] = plate, None
        if plate.print_label is not None:
            self.stored_prints[plate.print_label] = self.stored_prints.get(plate.print_label, 0) + 1
            if self.stored_prints[plate.print_label] > 1:
                self.violations.append(f"print {plate.print_label!r} stored more than once")

    def grab(self, ejector: str, shelf: int) -> None:
        rack, index = self._shelf(ejector, shelf)
        plate = rack[index]
        if self.grippers[ejector] is not None:
            raise self._fail(f"{ejector}: GRAB from shelf {shelf} with a plate in the gripper")
        if plate is None:
            raise self._fail(f"{ejector}: GRAB from shelf {shelf}, which holds no plate")
        if plate.print_label is not None:
            raise self._fail(
                f"{ejector}: GRAB from shelf {shelf}, which holds the print {plate.print_label!r}"
            )
        self.grippers[ejector], rack[index] = plate, None

    def load(self, ejector: str, printer: str) -> None:
        body = self._printer(printer)
        plate = self.grippers[ejector]
        if plate is None:
            raise self._fail(f"{ejector}: LOAD onto {printer} with an empty gripper")
        if body.plate is not None:
            raise self._fail(f"{ejector}: collision, LOAD onto {printer}, which has a plate")
        if not body.at_eject_position:
            raise self._fail(
                f"{ejector}: collision, LOAD onto {printer} with its bed not in position"
            )
        body.plate, self.grippers[ejector] = plate, None

    # -- reading the truth ---------------------------------------------------------------------
    def truth(self) -> dict[str, Any]:
        def plate(p: Plate | None) -> dict[str, Any] | None:
            return None if p is None else p.as_dict()

        return {
            "violations": list(self.violations),
            "printers": {
                name: {
                    "model": body.model,
                    "plate": plate(body.plate),
                    "bed_z_mm": body.bed_z_mm,
                    "bed_y_mm": body.bed_y_mm,
                    "printing": body.printing,
                }
                for name, body in self.printers.items()
            },
            "ejectors": {
                name: {"gripper": plate(held), "rack": self.ejector_racks[name]}
                for name, held in self.grippers.items()
            },
            "racks": {
                name: {str(n): plate(p) for n, p in enumerate(shelves, start=1)}
                for name, shelves in self.racks.items()
            },
            "stored_prints": dict(self.stored_prints),
        }
