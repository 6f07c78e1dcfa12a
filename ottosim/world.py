"""Physical ground truth shared by the simulated printers, OttoEjects and racks.

The world knows where every build plate is (on a printer bed, in a gripper, on a shelf) and
whether a finished print sits on it. Simulated devices ask it before they move plates; a move
that would be physically impossible (a collision, two plates in one place, a plate dropped on
nothing) raises ``PhysicalError`` and is recorded in ``violations`` so tests can assert that the
orchestrator never did anything a real farm would not survive.

Racks know their shelf spacing: a print needs its height plus ``CLEARANCE_MARGIN_MM`` of room,
and a shelf offers its spacing times (1 + the number of consecutive free shelves directly above
it); shelves are numbered from 1 at the bottom (ottomat3d-workflow.md, section 4b). A stored
print of height h on shelf s reaches into shelves s .. s + ceil((h + margin) / spacing) - 1.

Everything that happens is also written to ``events`` (see ``World.record``): prints starting,
finishing and failing, plates moving, macros, operator actions, injected faults, violations.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
import math
import time
from typing import Any

# Beds must be here before an OttoEject may reach in (see ottomat3d-workflow.md, section 3).
Z_EJECT_HEIGHT_MM = 200.0  # P1P, P1S, X1C: the bed moves down to Z 200
Y_EJECT_POSITION_MM = 170.0  # A1: a bed slinger presents the plate at Y 170
BED_SLINGER_MODELS = frozenset({"A1", "A1 MINI", "A1MINI"})
DEFAULT_SHELF_SPACING_MM = 80.0
CLEARANCE_MARGIN_MM = 10.0  # a print needs its height plus this much room on a shelf
EVENT_LOG_LIMIT = 10_000  # the event log keeps this many of the newest events


class PhysicalError(Exception):
    """A move that cannot happen in the real world (the move is not carried out)."""


class OperatorError(Exception):
    """An operator action that cannot be done: ``status`` 400 (bad request), 404 (no such
    printer, rack, shelf or ejector) or 409 (not possible now)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Plate:
    """A build plate; ``print_label`` names the finished print on it (``None``: empty plate),
    ``height_mm`` how tall that print is (``None``: unknown)."""

    plate_id: int
    print_label: str | None = None
    height_mm: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"plate_id": self.plate_id, "print": self.print_label, "height_mm": self.height_mm}


def at_printer(name: str) -> dict[str, Any]:
    return {"kind": "printer", "printer": name}


def at_gripper(name: str) -> dict[str, Any]:
    return {"kind": "gripper", "ejector": name}


def at_shelf(rack: str, shelf: int) -> dict[str, Any]:
    return {"kind": "shelf", "rack": rack, "shelf": shelf}


AT_OPERATOR: dict[str, Any] = {"kind": "operator"}


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
    rack_spacing_mm: dict[str, float] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    stored_prints: dict[str, int] = field(default_factory=dict)
    events: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=EVENT_LOG_LIMIT))
    events_recorded: int = 0
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

    def add_rack(
        self,
        name: str,
        shelves: int,
        *,
        empty_plates: tuple[int, ...] = (),
        spacing_mm: float = DEFAULT_SHELF_SPACING_MM,
    ) -> None:
        """A rack of ``shelves`` shelves ``spacing_mm`` apart; the shelf numbers in
        ``empty_plates`` hold an empty plate."""
        if spacing_mm <= 0:
            raise ValueError("shelf spacing must be positive")
        self.racks[name] = [
            self.new_plate() if number in empty_plates else None for number in range(1, shelves + 1)
        ]
        self.rack_spacing_mm[name] = spacing_mm

    def add_ejector(self, name: str, rack: str) -> None:
        self.grippers[name] = None
        self.ejector_racks[name] = rack

    # -- the event log -------------------------------------------------------------------------
    def record(self, device: str, event: str, /, **details: Any) -> dict[str, Any]:
        """Append ``{"t": time.time(), "seq": n, "device", "event", **details}`` to ``events``.

        The newest ``EVENT_LOG_LIMIT`` events are kept; ``seq`` counts every event ever
        recorded (1, 2, ...). Details named like the four fixed keys are dropped.
        """
        self.events_recorded += 1
        entry: dict[str, Any] = {
            "t": time.time(),
            "seq": self.events_recorded,
            "device": device,
            "event": event,
        }
        entry.update((key, value) for key, value in details.items() if key not in entry)
        self.events.append(entry)
        return entry

    def events_since(self, since: float | None = None) -> list[dict[str, Any]]:
        """The kept events, oldest first; with ``since``: only those with ``t > since``."""
        if since is None:
            return list(self.events)
        return [event for event in self.events if event["t"] > since]

    def _moved(
        self, device: str, plate: Plate, source: dict[str, Any], target: dict[str, Any]
    ) -> None:
        self.record(
            device,
            "plate_moved",
            plate_id=plate.plate_id,
            print=plate.print_label,
            height_mm=plate.height_mm,
            **{"from": source, "to": target},
        )

    # -- failures ------------------------------------------------------------------------------
    def _fail(self, message: str, device: str | None = None) -> PhysicalError:
        self.violations.append(message)
        self.record(device or message.split(":", 1)[0], "violation", message=message)
        return PhysicalError(message)

    def _printer(self, name: str) -> PrinterBody:
        if name not in self.printers:
            raise self._fail(f"no printer named {name!r} in the farm", "world")
        return self.printers[name]

    def _shelf(self, ejector: str, shelf: int) -> tuple[list[Plate | None], int]:
        rack = self.racks[self.ejector_racks[ejector]]
        if not 1 <= shelf <= len(rack):
            raise self._fail(f"{ejector}: shelf {shelf} does not exist (rack has {len(rack)})")
        return rack, shelf - 1

    # -- rack geometry -------------------------------------------------------------------------
    def spacing_mm(self, rack: str) -> float:
        return self.rack_spacing_mm.get(rack, DEFAULT_SHELF_SPACING_MM)

    def shelves_reached(self, rack: str, shelf: int, height_mm: float | None) -> int:
        """How many shelves (its own and those above) a print on ``shelf`` takes up."""
        if height_mm is None:
            return 1
        return max(1, math.ceil((height_mm + CLEARANCE_MARGIN_MM) / self.spacing_mm(rack)))

    def print_reaching_into(self, rack: str, shelf: int) -> tuple[int, Plate] | None:
        """A print on a lower shelf that reaches up into ``shelf`` (shelf number, plate)."""
        shelves = self.racks[rack]
        for below in range(shelf - 1, 0, -1):
            plate = shelves[below - 1]
            if plate is None or plate.print_label is None:
                continue
            if below + self.shelves_reached(rack, below, plate.height_mm) - 1 >= shelf:
                return below, plate
        return None

    def shelf_clearance_mm(self, rack: str, shelf: int) -> float:
        """Room above ``shelf``: spacing x (1 + consecutive free shelves directly above); 0 for a
        shelf a print below reaches into (nothing fits there)."""
        shelves = self.racks[rack]
        if self.print_reaching_into(rack, shelf):
            return 0.0
        free_above = 0
        for above in range(shelf + 1, len(shelves) + 1):
            if shelves[above - 1] is not None or self.print_reaching_into(rack, above):
                break
            free_above += 1
        return self.spacing_mm(rack) * (1 + free_above)

    # -- what printers do ----------------------------------------------------------------------
    def move_bed(
        self, printer: str, *, z_mm: float | None = None, y_mm: float | None = None
    ) -> None:
        body = self._printer(printer)
        if z_mm is not None:
            body.bed_z_mm = max(0.0, min(z_mm, 256.0))
        if y_mm is not None:
            body.bed_y_mm = max(0.0, min(y_mm, 256.0))

    def check_bed_clearance(self, printer: str, z_mm: float) -> None:
        """A Z bed about to move up to ``z_mm`` below the nozzle (``G28`` homes to Z 0): a
        finished print on the plate taller than that would hit it (a violation)."""
        body = self._printer(printer)
        plate = body.plate
        if body.is_bed_slinger or body.printing or plate is None or plate.print_label is None:
            return
        height = plate.height_mm or 0.0
        if z_mm < height:
            raise self._fail(
                f"{printer}: collision, bed moved up to Z {z_mm:g} under the print "
                f"{plate.print_label!r} ({height:g} mm)"
            )

    def start_print(self, printer: str, *, file: str | None = None, job: str | None = None) -> None:
        """A print begins: it needs an empty plate on the bed (``print_started`` is logged)."""
        body = self._printer(printer)
        if body.plate is None:
            raise self._fail(f"{printer}: print started with no build plate on the bed")
        if body.plate.print_label is not None:
            raise self._fail(
                f"{printer}: print started on top of the finished print {body.plate.print_label!r}"
            )
        body.printing = True
        body.bed_z_mm = 0.2
        self.record(printer, "print_started", file=file, job=job, plate_id=body.plate.plate_id)

    def finish_print(
        self, printer: str, label: str, *, height_mm: float | None = None, file: str | None = None
    ) -> None:
        """The print ``label`` (``height_mm`` tall) is done and sits on the plate."""
        body = self._printer(printer)
        body.printing = False
        plate_id = None
        if body.plate is not None:
            body.plate.print_label = label
            body.plate.height_mm = height_mm
            plate_id = body.plate.plate_id
        self.record(
            printer,
            "print_finished",
            file=file,
            job=label,
            print=label,
            plate_id=plate_id,
            height_mm=height_mm,
        )

    def abort_print(
        self,
        printer: str,
        label: str | None = None,
        *,
        height_mm: float | None = None,
        started: bool = True,
        **details: Any,
    ) -> None:
        """A stopped or failed print leaves what was printed so far on the plate.

        ``label``: the job, if it had started extruding (``None``: nothing on the plate);
        ``started=False``: the job failed before it began on the plate (only logged). The
        ``print_failed`` event carries ``details`` (``file``, ``job``, ``reason``, ...).
        """
        body = self._printer(printer)
        left = None
        if started:
            body.printing = False
            if body.plate is not None and label is not None:
                left = body.plate.print_label = f"{label} (incomplete)"
                body.plate.height_mm = height_mm
        self.record(
            printer,
            "print_failed",
            **details,
            started=started,
            print=left,
            plate_id=None if body.plate is None else body.plate.plate_id,
            height_mm=height_mm if left else None,
        )

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
        plate = self.grippers[ejector] = body.plate
        body.plate = None
        self._moved(ejector, plate, at_printer(printer), at_gripper(ejector))

    def store(self, ejector: str, shelf: int) -> None:
        plate = self.grippers[ejector]
        rack, index = self._shelf(ejector, shelf)
        rack_name = self.ejector_racks[ejector]
        if plate is None:
            raise self._fail(f"{ejector}: STORE to shelf {shelf} with an empty gripper")
        if rack[index] is not None:
            raise self._fail(f"{ejector}: collision, STORE to shelf {shelf}, which holds a plate")
        if reaching := self.print_reaching_into(rack_name, shelf):
            below, tall = reaching
            raise self._fail(
                f"{ejector}: collision, STORE to shelf {shelf}, which the print "
                f"{tall.print_label!r} ({tall.height_mm:g} mm) on shelf {below} reaches into"
            )
        if plate.print_label is not None and plate.height_mm is not None:
            needed = plate.height_mm + CLEARANCE_MARGIN_MM
            clearance = self.shelf_clearance_mm(rack_name, shelf)
            if needed > clearance:
                raise self._fail(
                    f"{ejector}: collision, STORE of the print {plate.print_label!r} "
                    f"({plate.height_mm:g} mm, needs {needed:g} mm) to shelf {shelf}, "
                    f"which has {clearance:g} mm clearance"
                )
        rack[index], self.grippers[ejector] = plate, None
        self._moved(ejector, plate, at_gripper(ejector), at_shelf(rack_name, shelf))
        if plate.print_label is not None:
            self.stored_prints[plate.print_label] = self.stored_prints.get(plate.print_label, 0) + 1
            if self.stored_prints[plate.print_label] > 1:
                message = f"print {plate.print_label!r} stored more than once"
                self.violations.append(message)
                self.record(ejector, "violation", message=message)

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
        self._moved(
            ejector, plate, at_shelf(self.ejector_racks[ejector], shelf), at_gripper(ejector)
        )

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
        self._moved(ejector, plate, at_gripper(ejector), at_printer(printer))

    # -- what the operator does ----------------------------------------------------------------
    def operator(self, action: str, **params: Any) -> dict[str, Any]:
        """A person at the farm does ``action`` (see ``OPERATOR_ACTIONS``); ``OperatorError``
        (400/404/409) when it cannot be done. Logged as ``operator_action`` plus the plate
        moves (``device: "operator"``); returns ``{"action", ...result}``."""
        handler = _OPERATOR_HANDLERS.get(action)
        if handler is None:
            raise OperatorError(
                f"unknown action {action!r}; expected one of {', '.join(_OPERATOR_HANDLERS)}", 400
            )
        result = handler(self, params)
        self.record("operator", "operator_action", **{**params, "action": action, "result": result})
        return {"action": action, **result}

    def _operator_printer(self, params: dict[str, Any]) -> PrinterBody:
        name = params.get("printer")
        if not isinstance(name, str):
            raise OperatorError('expected a printer name ("printer")', 400)
        if name not in self.printers:
            raise OperatorError(f"no printer named {name!r}", 404)
        body = self.printers[name]
        if body.printing:
            raise OperatorError(f"{name} is printing")
        return body

    def _operator_shelf(self, params: dict[str, Any]) -> tuple[str, int]:
        rack, shelf = params.get("rack"), params.get("shelf")
        if not isinstance(rack, str) or not isinstance(shelf, int) or isinstance(shelf, bool):
            raise OperatorError('expected a rack name ("rack") and a shelf number ("shelf")', 400)
        if rack not in self.racks:
            raise OperatorError(f"no rack named {rack!r}", 404)
        if not 1 <= shelf <= len(self.racks[rack]):
            raise OperatorError(f"{rack} has no shelf {shelf} (1..{len(self.racks[rack])})", 404)
        return rack, shelf

    def _remove_print(self, plate: Plate, where: dict[str, Any]) -> None:
        """The operator takes the print off ``plate`` (the plate stays where it is)."""
        self.record(
            "operator",
            "print_removed",
            print=plate.print_label,
            plate_id=plate.plate_id,
            height_mm=plate.height_mm,
            at=where,
        )
        plate.print_label = plate.height_mm = None

    def _take_print_off_shelf(self, params: dict[str, Any]) -> dict[str, Any]:
        rack, shelf = self._operator_shelf(params)
        plate = self.racks[rack][shelf - 1]
        if plate is None or plate.print_label is None:
            raise OperatorError(f"{rack} shelf {shelf} holds no print")
        label = plate.print_label
        if params.get("leave_plate"):
            self._remove_print(plate, at_shelf(rack, shelf))
        else:
            self.racks[rack][shelf - 1] = None
            self._moved("operator", plate, at_shelf(rack, shelf), AT_OPERATOR)
        return {"print": label, "plate_id": plate.plate_id}

    def _take_plate_off_shelf(self, params: dict[str, Any]) -> dict[str, Any]:
        rack, shelf = self._operator_shelf(params)
        plate = self.racks[rack][shelf - 1]
        if plate is None:
            raise OperatorError(f"{rack} shelf {shelf} holds no plate")
        self.racks[rack][shelf - 1] = None
        self._moved("operator", plate, at_shelf(rack, shelf), AT_OPERATOR)
        return {"print": plate.print_label, "plate_id": plate.plate_id}

    def _put_empty_plate_on_shelf(self, params: dict[str, Any]) -> dict[str, Any]:
        rack, shelf = self._operator_shelf(params)
        if self.racks[rack][shelf - 1] is not None:
            raise OperatorError(f"{rack} shelf {shelf} already holds a plate")
        if reaching := self.print_reaching_into(rack, shelf):
            raise OperatorError(
                f"{rack} shelf {shelf} is taken up by the print {reaching[1].print_label!r} "
                f"on shelf {reaching[0]}"
            )
        plate = self.racks[rack][shelf - 1] = self.new_plate()
        self._moved("operator", plate, AT_OPERATOR, at_shelf(rack, shelf))
        return {"plate_id": plate.plate_id}

    def _clear_printer_plate(self, params: dict[str, Any]) -> dict[str, Any]:
        body = self._operator_printer(params)
        if body.plate is None:
            plate = body.plate = self.new_plate()
            self._moved("operator", plate, AT_OPERATOR, at_printer(body.name))
            return {"plate_id": plate.plate_id, "print": None, "added_plate": True}
        label = body.plate.print_label
        if label is not None:
            self._remove_print(body.plate, at_printer(body.name))
        return {"plate_id": body.plate.plate_id, "print": label, "added_plate": False}

    def _put_plate_on_printer(self, params: dict[str, Any]) -> dict[str, Any]:
        body = self._operator_printer(params)
        if body.plate is not None:
            raise OperatorError(f"{body.name} already has a plate")
        plate = body.plate = self.new_plate()
        self._moved("operator", plate, AT_OPERATOR, at_printer(body.name))
        return {"plate_id": plate.plate_id}

    def _remove_plate_from_printer(self, params: dict[str, Any]) -> dict[str, Any]:
        body = self._operator_printer(params)
        plate = body.plate
        if plate is None:
            raise OperatorError(f"{body.name} has no plate")
        body.plate = None
        self._moved("operator", plate, at_printer(body.name), AT_OPERATOR)
        return {"plate_id": plate.plate_id, "print": plate.print_label}

    def _take_plate_from_gripper(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("ejector")
        if not isinstance(name, str):
            raise OperatorError('expected an ejector name ("ejector")', 400)
        if name not in self.grippers:
            raise OperatorError(f"no ejector named {name!r}", 404)
        plate = self.grippers[name]
        if plate is None:
            raise OperatorError(f"{name}'s gripper is empty")
        self.grippers[name] = None
        self._moved("operator", plate, at_gripper(name), AT_OPERATOR)
        return {"plate_id": plate.plate_id, "print": plate.print_label}

    # -- reading the truth ---------------------------------------------------------------------
    def truth(self, *, since: float | None = None) -> dict[str, Any]:
        """Where everything is; ``events`` newer than ``since`` (all kept events without it)."""

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
                    "at_eject_position": body.at_eject_position,
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
            "rack_geometry": {
                name: {
                    "shelf_spacing_mm": self.spacing_mm(name),
                    "number_of_shelves": len(shelves),
                    "clearance_mm": {
                        str(n): self.shelf_clearance_mm(name, n) for n in range(1, len(shelves) + 1)
                    },
                }
                for name, shelves in self.racks.items()
            },
            "stored_prints": dict(self.stored_prints),
            "events": self.events_since(since),
            "events_recorded": self.events_recorded,
        }


_OPERATOR_HANDLERS = {
    "take_print_off_shelf": World._take_print_off_shelf,
    "take_plate_off_shelf": World._take_plate_off_shelf,
    "put_empty_plate_on_shelf": World._put_empty_plate_on_shelf,
    "clear_printer_plate": World._clear_printer_plate,
    "put_plate_on_printer": World._put_plate_on_printer,
    "remove_plate_from_printer": World._remove_plate_from_printer,
    "take_plate_from_gripper": World._take_plate_from_gripper,
}
OPERATOR_ACTIONS = tuple(_OPERATOR_HANDLERS)
