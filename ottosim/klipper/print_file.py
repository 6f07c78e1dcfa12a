"""Reading a G-code file the way the K1C's print does: duration, layers, height (the shared
``ottosim.bambu.job_file`` reader), plus the temperatures and filament the print uses.

Temperatures come from the slicer's ``START_PRINT EXTRUDER_TEMP=.. BED_TEMP=..`` line (Creality
Print / OrcaSlicer K1C profiles), else the first ``M190``/``M140`` and ``M109``/``M104``, else the
config comments (``; first_layer_bed_temperature = 60``), else the model's defaults. Filament:
``; filament used [mm] = ...`` (PrusaSlicer / OrcaSlicer), else ``DEFAULT_FILAMENT_MM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re

from ottosim.bambu.job_file import JobFileError, JobSpec, read_gcode

DEFAULT_FILAMENT_MM = 1000.0
_EDGE_BYTES = 64 * 1024
_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
_START_PRINT = re.compile(r"^\s*START_PRINT\b(.*)$", re.MULTILINE | re.IGNORECASE)
_BED_PATTERNS = (
    re.compile(rf"^\s*M1[49]0\s+S{_NUMBER}", re.MULTILINE),
    re.compile(rf"^;\s*first_layer_bed_temperature\s*=\s*{_NUMBER}", re.MULTILINE),
    re.compile(rf"^;\s*hot_plate_temp_initial_layer\s*=\s*{_NUMBER}", re.MULTILINE),
)
_EXTRUDER_PATTERNS = (
    re.compile(rf"^\s*M10[49]\s+S{_NUMBER}", re.MULTILINE),
    re.compile(rf"^;\s*first_layer_temperature\s*=\s*{_NUMBER}", re.MULTILINE),
    re.compile(rf"^;\s*nozzle_temperature_initial_layer\s*=\s*{_NUMBER}", re.MULTILINE),
)
_FILAMENT = re.compile(rf"^;\s*filament used \[mm\]\s*=\s*{_NUMBER}", re.MULTILINE)


@dataclass(frozen=True)
class PrintFile:
    """What the printer needs to run one file."""

    path: Path
    size: int
    spec: JobSpec
    bed_c: float
    extruder_c: float
    filament_mm: float


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> float | None:
    for pattern in patterns:
        if match := pattern.search(text):
            return float(match.group(1))
    return None


def _start_print_param(text: str, name: str) -> float | None:
    match = _START_PRINT.search(text)
    param = match and re.search(rf"\b{name}={_NUMBER}", match.group(1), re.IGNORECASE)
    return float(param.group(1)) if param else None


def read_print_file(path: Path, *, bed_c: float, extruder_c: float) -> PrintFile:
    """``path`` as a print; ``bed_c`` / ``extruder_c``: defaults. ``JobFileError`` if unreadable."""
    spec = read_gcode(path)  # raises JobFileError for a missing or unreadable file
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_EDGE_BYTES)
            handle.seek(max(0, size - _EDGE_BYTES))
            tail = handle.read()
    except OSError as err:
        raise JobFileError(f"{path.name}: cannot be read ({err})") from err
    text = (head + b"\n" + tail).decode("utf-8", "replace")
    bed = _start_print_param(text, "BED_TEMP") or _first(_BED_PATTERNS, text) or bed_c
    extruder = (
        _start_print_param(text, "EXTRUDER_TEMP") or _first(_EXTRUDER_PATTERNS, text) or extruder_c
    )
    filament = _first((_FILAMENT,), text) or DEFAULT_FILAMENT_MM
    return PrintFile(path, size, spec, bed, extruder, filament)
