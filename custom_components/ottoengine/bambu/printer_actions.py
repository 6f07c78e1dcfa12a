"""Requests of the printer actions a user starts (pure builders, like ``commands.py``).

Skip objects, AMS filament settings, loading and unloading filament, and jogging an axis: what
ha-bambulab offers on a printer's device page. Each builder validates its input and raises
``ValueError`` with a message that names what is wrong; the HA layer turns that into a
translated error.
"""

from __future__ import annotations

from collections.abc import Sequence
import re
from typing import Any, Literal

from .commands import EXTERNAL_SPOOL_TRAY_ID

Axis = Literal["X", "Y", "Z", "E"]

UNLOAD_TARGET = 255  # ``ams_change_filament`` target that unloads the toolhead
EXTERNAL_SPOOL_AMS_ID = 255
MAX_SKIPPED_OBJECTS = 64
MAX_AMS_UNITS = 4
TRAYS_PER_UNIT = 4
MAX_NOZZLE_TEMP_C = 350
# How far and how fast one jog may go (mm, mm/min): beyond the bed of any Bambu printer.
MAX_MOVE_MM = {"X": 350.0, "Y": 350.0, "Z": 350.0, "E": 200.0}
DEFAULT_FEED_MM_MIN = {"X": 3000, "Y": 3000, "Z": 600, "E": 300}
MAX_FEED_MM_MIN = 12000
_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?$")
_FILAMENT_TYPE = re.compile(r"^[A-Za-z0-9+\-_ ]{1,16}$")


def _print(command: str, **fields: Any) -> dict[str, Any]:
    return {"print": {"sequence_id": "0", "command": command, **fields}}


def skip_objects(object_ids: Sequence[int]) -> dict[str, Any]:
    """Skip objects of the running print by their ids in the 3MF (``identify_id``)."""
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        raise ValueError("object_ids: name at least one object")
    if len(ids) > MAX_SKIPPED_OBJECTS:
        raise ValueError(f"object_ids: at most {MAX_SKIPPED_OBJECTS} objects at once")
    if ids[0] < 0:
        raise ValueError("object_ids: ids are not negative")
    return _print("skip_objects", obj_list=ids)


def global_tray(ams_unit: int | None, tray: int | None) -> int:
    """The printer's tray number: ``unit * 4 + tray``, or 254 for the external spool (``None``)."""
    if ams_unit is None:
        return EXTERNAL_SPOOL_TRAY_ID
    if not 0 <= ams_unit < MAX_AMS_UNITS:
        raise ValueError(f"ams_unit: 0 .. {MAX_AMS_UNITS - 1} (or the external spool)")
    if tray is None or not 0 <= tray < TRAYS_PER_UNIT:
        raise ValueError(f"tray: 0 .. {TRAYS_PER_UNIT - 1}")
    return ams_unit * TRAYS_PER_UNIT + tray


def normalize_tray_color(color: str) -> str:
    """``#RRGGBB`` / ``RRGGBB`` / ``RRGGBBAA`` as the printer wants it: ``RRGGBBAA`` upper case."""
    match = _COLOR.match(color.strip())
    if match is None:
        raise ValueError("color: a hex colour such as #FF8800")
    return (match.group(1) + (match.group(2) or "FF")).upper()


def ams_filament_setting(
    ams_unit: int | None,
    tray: int | None,
    *,
    filament_type: str,
    color: str,
    nozzle_temp_min: int,
    nozzle_temp_max: int,
    tray_info_idx: str = "",
) -> dict[str, Any]:
    """Tell the printer what filament a tray (or the external spool) holds."""
    index = global_tray(ams_unit, tray)
    kind = filament_type.strip().upper()
    if not _FILAMENT_TYPE.match(kind):
        raise ValueError("filament_type: a filament type such as PLA or PETG")
    if not 0 < nozzle_temp_min <= nozzle_temp_max <= MAX_NOZZLE_TEMP_C:
        raise ValueError(
            f"nozzle_temp_min, nozzle_temp_max: 0 < min <= max <= {MAX_NOZZLE_TEMP_C} °C"
        )
    if index == EXTERNAL_SPOOL_TRAY_ID:
        ams_id, tray_id = EXTERNAL_SPOOL_AMS_ID, EXTERNAL_SPOOL_TRAY_ID
    else:
        ams_id, tray_id = index // TRAYS_PER_UNIT, index % TRAYS_PER_UNIT
    return _print(
        "ams_filament_setting",
        ams_id=ams_id,
        tray_id=tray_id,
        tray_info_idx=tray_info_idx.strip(),
        tray_color=normalize_tray_color(color),
        nozzle_temp_min=nozzle_temp_min,
        nozzle_temp_max=nozzle_temp_max,
        tray_type=kind,
    )


def load_filament(ams_unit: int | None, tray: int | None, temperature_c: int) -> dict[str, Any]:
    """Load a tray's filament (unloading what is loaded first), heating the nozzle to it."""
    index = global_tray(ams_unit, tray)
    if not 0 < temperature_c <= MAX_NOZZLE_TEMP_C:
        raise ValueError(f"temperature: 1 .. {MAX_NOZZLE_TEMP_C} °C")
    fields: dict[str, Any] = {
        "target": index,
        "curr_temp": temperature_c,
        "tar_temp": temperature_c,
    }
    if index != EXTERNAL_SPOOL_TRAY_ID:
        fields.update(ams_id=index // TRAYS_PER_UNIT, slot_id=index % TRAYS_PER_UNIT)
    return _print("ams_change_filament", **fields)


def unload_filament(temperature_c: int) -> dict[str, Any]:
    """Unload the filament in the toolhead."""
    if not 0 < temperature_c <= MAX_NOZZLE_TEMP_C:
        raise ValueError(f"temperature: 1 .. {MAX_NOZZLE_TEMP_C} °C")
    return _print(
        "ams_change_filament",
        target=UNLOAD_TARGET,
        curr_temp=temperature_c,
        tar_temp=temperature_c,
    )


def move_axis_gcode(axis: str, distance_mm: float, feed_mm_min: int | None = None) -> str:
    """G-code that jogs one axis relative to where it is (``E`` extrudes or retracts)."""
    name = axis.strip().upper()
    if name not in MAX_MOVE_MM:
        raise ValueError("axis: X, Y, Z or E")
    limit = MAX_MOVE_MM[name]
    if distance_mm == 0 or abs(distance_mm) > limit:
        raise ValueError(f"distance: not 0, at most {limit:g} mm either way")
    feed = DEFAULT_FEED_MM_MIN[name] if feed_mm_min is None else feed_mm_min
    if not 0 < feed <= MAX_FEED_MM_MIN:
        raise ValueError(f"speed: 1 .. {MAX_FEED_MM_MIN} mm/min")
    amount = f"{distance_mm:.3f}".rstrip("0").rstrip(".")
    if name == "E":
        return f"M83\nG1 E{amount} F{feed}\n"
    return f"G91\nG1 {name}{amount} F{feed}\nG90\n"
