"""Reading a job the way the printer firmware does: duration and layer count of a print file.

``.gcode.3mf`` archives (Bambu Studio / OrcaSlicer "export plate sliced file"): the plate comes
from the ``project_file`` ``param`` (``Metadata/plate_<N>.gcode``, default: the first plate in
``slice_info.config``), the duration from ``slice_info.config`` (``prediction``, seconds) or the
plate G-code header, the layer count from the G-code header (or ``plate_<N>.json``), the print's
height from the plate G-code header (``; max_z_height: 42.00``, see ``_MAX_Z_PATTERNS``). Plain
G-code files are read from their header and tail. Missing metadata falls back to defaults; a file
that is not a readable archive (a partial upload, say) raises ``JobFileError``.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from pathlib import Path
import re
import xml.etree.ElementTree as ET
import zipfile

DEFAULT_DURATION_S = 1800.0
DEFAULT_LAYER_HEIGHT_MM = 0.2
DEFAULT_LAYERS = 100
_EDGE_BYTES = 64 * 1024

_PLATE_PARAM = re.compile(r"plate_(\d+)\.gcode", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_TIME_PATTERNS = (
    re.compile(r";\s*total estimated time:\s*([0-9dhms .]+)", re.IGNORECASE),
    re.compile(r";\s*estimated printing time \(normal mode\)\s*=\s*([0-9dhms .]+)", re.IGNORECASE),
)
_SECONDS_PATTERNS = (
    re.compile(r"^;TIME:(\d+)", re.MULTILINE),
    re.compile(r"^;PRINT\.TIME:(\d+)", re.M),
)
_LAYER_PATTERNS = (
    re.compile(r";\s*total layer number:\s*(\d+)", re.IGNORECASE),
    re.compile(r";\s*total layers count\s*=\s*(\d+)", re.IGNORECASE),
    re.compile(r"^;LAYER_COUNT:(\d+)", re.MULTILINE),
)
# Max Z in header comments, in priority order: Bambu Studio / OrcaSlicer ``; max_z_height:``,
# ``max_layer_z``, ``;MAXZ:`` (Cura), ``;PRINT.SIZE.MAX.Z:`` (Cura Griffin); without any of them
# the last layer-change marker (``;Z:`` OrcaSlicer / PrusaSlicer, ``; Z_HEIGHT:`` Bambu Studio).
_MAX_Z_PATTERNS = tuple(
    re.compile(rf"^[ \t]*;[ \t]*{key}[ \t]*[:=][ \t]*([0-9]+(?:\.[0-9]+)?)", re.MULTILINE)
    for key in ("max_z_height", "max_layer_z", "MAXZ", r"PRINT\.SIZE\.MAX\.Z")
)
_LAYER_Z = re.compile(
    r"^[ \t]*;[ \t]*(?:Z|Z_HEIGHT)[ \t]*:[ \t]*([0-9]+(?:\.[0-9]+)?)", re.MULTILINE
)
_CURA_UNKNOWN_TIME = 6666


class JobFileError(Exception):
    """The file cannot be printed (not found, not a zip, no plate G-code)."""


@dataclass(frozen=True)
class JobSpec:
    """What the firmware needs to run a job."""

    duration_s: float
    total_layers: int
    max_z_mm: float | None
    plate: int

    @property
    def height_mm(self) -> float:
        """How tall the finished print is: the file's max Z, else layers x 0.2 mm."""
        return self.max_z_mm or self.total_layers * DEFAULT_LAYER_HEIGHT_MM


def parse_duration(text: str) -> float | None:
    """``"1h 2m 3s"`` / ``"15m 7s"`` / ``"2d 1h"`` in seconds (``None`` if nothing matched)."""
    factors = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = _DURATION_PART.findall(text)
    if not parts:
        return None
    return sum(float(value) * factors[unit.lower()] for value, unit in parts)


@dataclass
class _GcodeFacts:
    duration_s: float | None = None
    layers: int | None = None
    max_z_mm: float | None = None


def _gcode_facts(text: str) -> _GcodeFacts:
    facts = _GcodeFacts()
    for pattern in _TIME_PATTERNS:
        if facts.duration_s is None and (match := pattern.search(text)):
            facts.duration_s = parse_duration(match.group(1))
    for pattern in _SECONDS_PATTERNS:
        if facts.duration_s is None and (match := pattern.search(text)):
            seconds = int(match.group(1))
            facts.duration_s = None if seconds == _CURA_UNKNOWN_TIME else float(seconds)
    for pattern in _LAYER_PATTERNS:
        if facts.layers is None and (match := pattern.search(text)):
            facts.layers = int(match.group(1))
    for pattern in _MAX_Z_PATTERNS:
        if facts.max_z_mm is None and (match := pattern.search(text)):
            facts.max_z_mm = float(match.group(1))
    if facts.max_z_mm is None and (markers := _LAYER_Z.findall(text)):
        facts.max_z_mm = float(markers[-1])
    return facts


def _edges(data: bytes) -> str:
    if len(data) > 2 * _EDGE_BYTES:
        data = data[:_EDGE_BYTES] + b"\n" + data[-_EDGE_BYTES:]
    return data.decode("utf-8", errors="replace")


def _spec(
    facts: _GcodeFacts, plate: int, prediction: float | None, json_layers: int | None
) -> JobSpec:
    duration = prediction if prediction and prediction > 0 else facts.duration_s
    layers = facts.layers or json_layers
    if not layers and facts.max_z_mm:
        layers = max(1, round(facts.max_z_mm / DEFAULT_LAYER_HEIGHT_MM))
    return JobSpec(
        duration_s=duration if duration and duration > 0 else DEFAULT_DURATION_S,
        total_layers=layers if layers and layers > 0 else DEFAULT_LAYERS,
        max_z_mm=facts.max_z_mm,
        plate=plate,
    )


def _slice_info(archive: zipfile.ZipFile) -> dict[int, float | None]:
    """plate number -> predicted seconds, from ``Metadata/slice_info.config``."""
    try:
        root = ET.fromstring(archive.read("Metadata/slice_info.config"))  # noqa: S314 (local file)
    except KeyError, ET.ParseError:
        return {}
    plates: dict[int, float | None] = {}
    for plate in root.iter("plate"):
        meta = {m.get("key"): m.get("value") for m in plate.iter("metadata")}
        try:
            index = int(meta.get("index") or 0)
        except ValueError:
            continue
        prediction = meta.get("prediction")
        try:
            plates[index] = float(prediction) if prediction else None
        except ValueError:
            plates[index] = None
    return plates


def _json_layers(archive: zipfile.ZipFile, plate: int) -> int | None:
    try:
        data = json.loads(archive.read(f"Metadata/plate_{plate}.json"))
    except KeyError, ValueError:
        return None
    for key in ("layer_count", "total_layer_num", "total_layers"):
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, int) and value > 0:
            return value
    return None


def read_3mf(path: Path, param: str = "") -> JobSpec:
    """A ``.gcode.3mf`` job; ``param`` is the ``project_file`` param (``Metadata/plate_N.gcode``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            predictions = _slice_info(archive)
            if match := _PLATE_PARAM.search(param or ""):
                plate = int(match.group(1))
            else:
                gcodes = sorted(
                    int(m.group(1))
                    for name in archive.namelist()
                    if (m := re.fullmatch(r"Metadata/plate_(\d+)\.gcode", name))
                )
                plate = min(predictions) if predictions else (gcodes[0] if gcodes else 1)
            member = f"Metadata/plate_{plate}.gcode"
            if member not in archive.namelist():
                raise JobFileError(f"{path.name}: no {member} in the archive")
            facts = _gcode_facts(_edges(archive.read(member)))
            return _spec(facts, plate, predictions.get(plate), _json_layers(archive, plate))
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as err:
        raise JobFileError(f"{path.name}: not a readable 3MF archive ({err})") from err


def read_gcode(path: Path) -> JobSpec:
    """A plain G-code job (``gcode_file`` command)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_EDGE_BYTES)
            size = path.stat().st_size
            tail = b""
            if size > 2 * _EDGE_BYTES:
                handle.seek(size - _EDGE_BYTES)
                tail = handle.read()
    except OSError as err:
        raise JobFileError(f"{path.name}: cannot be read ({err})") from err
    return _spec(_gcode_facts((head + b"\n" + tail).decode("utf-8", "replace")), 1, None, None)


def read_job(path: Path, param: str = "") -> JobSpec:
    """Read ``path`` as a 3MF archive or plain G-code, by content (not by name)."""
    if not path.is_file():
        raise JobFileError(f"{path.name}: no such file on the SD card")
    if zipfile.is_zipfile(path):
        return read_3mf(path, param)
    if path.name.lower().endswith(".3mf"):
        raise JobFileError(f"{path.name}: not a zip archive (partial upload?)")
    return read_gcode(path)
