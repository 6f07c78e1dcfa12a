"""How the farm is wired: which OttoEject serves which printer and rack, and how a printer is
cleared (by the robot or by a person), with the macros and the bed position the robot needs.

The Home Assistant layer builds a ``PrinterSetup`` per printer from its subentry (defaults from
``profiles``, the user's overrides on top) and ``rack_ejectors`` from the racks' subentries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

type MacroParams = Mapping[str, str | int | float]


class ClearingMethod(StrEnum):
    """Who takes the finished print off the printer and puts a fresh plate on."""

    OTTOEJECT = "ottoeject"  # the robot: eject, store, grab, load
    MANUAL = "manual"  # an operator confirms "plate cleared, fresh plate on"


@dataclass(frozen=True, slots=True)
class BedPosition:
    """Where the bed must be for the robot to reach the plate (Z 200 for P1/X1, Y 170 for A1)."""

    axis: Literal["Z", "Y"]
    position_mm: float
    feed_mm_per_min: int = 600
    # The print's own end G-code leaves the bed there (a K1C's END_PRINT raise): the loop waits
    # for the print's end and sends no move. Not part of equality: a position entered in a form
    # equal to the model's default is that default.
    moved_by_print: bool = field(default=False, compare=False)

    @property
    def gcode(self) -> str:
        """The move the printer is sent once its print has finished."""
        return f"G90\nG1 {self.axis}{self.position_mm:g} F{self.feed_mm_per_min}"

    def as_dict(self) -> dict[str, object]:
        return {"axis": self.axis, "position_mm": self.position_mm}


@dataclass(frozen=True, slots=True)
class PrinterMacros:
    """The robot's printer-specific macros (``None`` door: the model has no door to close)."""

    eject: str
    load: str
    close_door: str | None = None
    params: MacroParams = field(default_factory=dict)  # passed to eject, load and close_door

    def as_dict(self) -> dict[str, object]:
        return {
            "eject": self.eject,
            "load": self.load,
            "close_door": self.close_door,
            "params": dict(self.params),
        }


@dataclass(frozen=True, slots=True)
class LoadedFilament:
    """A filament the printer has loaded (an AMS tray or the external spool)."""

    material: str | None
    color: str | None = None  # "#RRGGBB" upper case, or None when unknown


@dataclass(frozen=True, slots=True)
class PrinterSetup:
    """One printer as the orchestrator plans with it."""

    printer_id: int
    name: str
    brand: str
    model: str
    ottoeject_id: int | None  # None: the farm's only OttoEject, if it has exactly one
    clearing: ClearingMethod
    macros: PrinterMacros
    bed: BedPosition
    # width, depth, height in mm (None: the model's known volume, else unchecked)
    build_volume_mm: tuple[float, float, float] | None = None
    nozzle_diameter_mm: float | None = None
    filaments: tuple[LoadedFilament, ...] = ()  # what it reports loaded (or was configured)
    # Whether it prints Bambu Studio project files (``.gcode.3mf``): Bambu Lab printers only;
    # a Klipper printer prints plain G-code.
    prints_projects: bool = True


def ejector_of(configured: int | None, ejector_ids: list[int]) -> int | None:
    """The OttoEject serving a printer or rack: the configured one, else the only one."""
    if configured is not None:
        return configured if configured in ejector_ids else None
    return ejector_ids[0] if len(ejector_ids) == 1 else None
