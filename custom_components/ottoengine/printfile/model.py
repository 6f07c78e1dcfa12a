"""What a parsed print file tells OttoEngine: the immutable ``PrintFileInfo`` record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

PrintFileFormat = Literal["gcode", "gcode.3mf"]


@dataclass(frozen=True, slots=True)
class FilamentInfo:
    """One filament (slicer filament slot / tool / extruder) used by the print.

    ``index`` is 1-based like the slicers' filament ids (Bambu ``ams_mapping`` index is
    ``index - 1``). ``color`` is ``#RRGGBB`` or ``#RRGGBBAA`` in upper case.
    """

    index: int
    type: str | None = None
    color: str | None = None
    used_g: float | None = None
    used_m: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "index": self.index,
            "type": self.type,
            "color": self.color,
            "used_g": self.used_g,
            "used_m": self.used_m,
        }


@dataclass(frozen=True, slots=True)
class PrintFileInfo:
    """Metadata extracted from a sliced ``.gcode`` or ``.gcode.3mf`` file.

    Every extracted field is ``None`` when the file does not state it. For 3MF files the
    ``plate_*`` fields describe the archive: ``plate_count`` plates in the project and the
    G-code of plate ``plate_index`` stored as member ``plate_gcode_member`` (what a Bambu
    ``project_file`` command passes as ``param``). They are ``None`` for plain G-code.
    ``printer_model`` is the printer the file was sliced for, as the slicer names it: a Bambu
    model code from a 3MF's slice_info (``"C12"``) or the G-code ``printer_model`` setting
    (``"Bambu Lab P1S"``, PrusaSlicer ``"MK4"``).
    """

    filename: str
    format: PrintFileFormat
    file_size_bytes: int
    slicer_name: str | None = None
    slicer_version: str | None = None
    estimated_print_time_s: int | None = None
    layer_count: int | None = None
    filament_used_g: float | None = None
    filament_used_m: float | None = None
    filaments: tuple[FilamentInfo, ...] = ()
    max_z_height_mm: float | None = None
    printer_model: str | None = None
    nozzle_diameter_mm: float | None = None
    plate_count: int | None = None
    plate_index: int | None = None
    plate_gcode_member: str | None = None
    thumbnail_png: bytes | None = field(default=None, repr=False)

    @property
    def estimated_print_time_min(self) -> int | None:
        """Estimated print time in whole minutes, rounded half up (90 s -> 2 min)."""
        if self.estimated_print_time_s is None:
            return None
        return (self.estimated_print_time_s + 30) // 60

    @property
    def has_thumbnail(self) -> bool:
        """Whether a PNG thumbnail was found."""
        return self.thumbnail_png is not None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict for storage (the thumbnail is reduced to ``has_thumbnail``)."""
        return {
            "filename": self.filename,
            "format": self.format,
            "file_size_bytes": self.file_size_bytes,
            "slicer_name": self.slicer_name,
            "slicer_version": self.slicer_version,
            "estimated_print_time_s": self.estimated_print_time_s,
            "estimated_print_time_min": self.estimated_print_time_min,
            "layer_count": self.layer_count,
            "filament_used_g": self.filament_used_g,
            "filament_used_m": self.filament_used_m,
            "filaments": [filament.as_dict() for filament in self.filaments],
            "max_z_height_mm": self.max_z_height_mm,
            "printer_model": self.printer_model,
            "nozzle_diameter_mm": self.nozzle_diameter_mm,
            "plate_count": self.plate_count,
            "plate_index": self.plate_index,
            "plate_gcode_member": self.plate_gcode_member,
            "has_thumbnail": self.has_thumbnail,
        }
