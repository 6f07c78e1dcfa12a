"""Sliced 3MF archives (``.gcode.3mf``) from Bambu Studio and OrcaSlicer.

Sources, in order of preference for each fact:

- plate holding G-code: the ``Metadata/plate_<N>.gcode`` member (lowest N if several);
- time, grams, per-filament type/colour/usage, printer model code, nozzle diameter:
  ``Metadata/slice_info.config`` for plate N;
- slicer, layers, max Z, fallbacks for the above: the header of ``plate_<N>.gcode``, read
  through the ZIP stream (only the first ``GCODE_HEAD_BYTES`` are ever decompressed);
- missing filament colours: ``Metadata/plate_<N>.json``; missing filament types/colours when
  nothing else lists them: ``Metadata/project_settings.config``;
- plate count: the ``<plate>`` entries of ``Metadata/model_settings.config``, else the highest
  plate number among ``Metadata/plate_<N>.*`` members;
- slicer fallback: ``<metadata name="Application">`` of ``3D/3dmodel.model``;
- thumbnail: ``Metadata/plate_<N>.png``, else a PNG block in the G-code header.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
import re

from .archive import SafeArchive
from .errors import PrintFileError
from .gcode_metadata import GcodeMetadata, parse_gcode_metadata, sum_known
from .limits import (
    GCODE_HEAD_BYTES,
    MAX_FILAMENTS,
    MAX_METADATA_MEMBER_BYTES,
    MAX_THUMBNAIL_BYTES,
    MODEL_HEAD_BYTES,
)
from .model import FilamentInfo
from .slice_info import SLICE_INFO_MEMBER, PlateSliceInfo, parse_slice_info
from .structured_data import parse_json_object, parse_xml
from .text_window import decode_head
from .thumbnails import is_acceptable_png
from .values import clean_text, normalize_color

MODEL_SETTINGS_MEMBER = "Metadata/model_settings.config"
PROJECT_SETTINGS_MEMBER = "Metadata/project_settings.config"
MODEL_MEMBER = "3D/3dmodel.model"

_PLATE_GCODE_RE = re.compile(r"^Metadata/plate_(\d{1,4})\.gcode$")
_PLATE_MEMBER_RE = re.compile(r"^Metadata/plate_(\d{1,4})(?:_small)?\.(?:gcode|png|json)$")
_APPLICATION_RE = re.compile(
    r"<metadata\s+name=\"Application\"\s*>\s*(?P<name>[A-Za-z][\w ]*?)-(?P<version>[\w.+]+)\s*<"
)
_APPLICATION_NAMES = {"BambuStudio": "Bambu Studio"}


@dataclass(frozen=True, slots=True)
class ThreeMfMetadata:
    """Facts found in a sliced 3MF archive."""

    gcode: GcodeMetadata
    plate_count: int
    plate_index: int
    plate_gcode_member: str


def parse_3mf_file(path: Path) -> ThreeMfMetadata:
    """Parse a sliced 3MF archive; raise ``PrintFileError`` if it is unsafe or holds no G-code."""
    with SafeArchive(path) as archive:
        plate_index, gcode_member = _gcode_plate(archive)
        head = archive.read_head(gcode_member, GCODE_HEAD_BYTES + 1)
        truncated = len(head) > GCODE_HEAD_BYTES
        gcode = parse_gcode_metadata(decode_head(head[:GCODE_HEAD_BYTES], truncated))
        plate = _slice_info_plate(archive, plate_index)
        if plate is not None:
            gcode = _merge_slice_info(gcode, plate)
        gcode = _fill_filament_details(archive, plate_index, gcode)
        if gcode.slicer_name is None:
            name, version = _model_application(archive)
            gcode = replace(gcode, slicer_name=name, slicer_version=version)
        thumbnail = _plate_thumbnail(archive, plate_index)
        if thumbnail is not None:
            gcode = replace(gcode, thumbnail_png=thumbnail)
        return ThreeMfMetadata(
            gcode=gcode,
            plate_count=max(_plate_count(archive), plate_index),
            plate_index=plate_index,
            plate_gcode_member=gcode_member,
        )


def _gcode_plate(archive: SafeArchive) -> tuple[int, str]:
    plates = sorted(
        (int(match.group(1)), name)
        for name in archive.names
        if (match := _PLATE_GCODE_RE.match(name)) is not None
    )
    if not plates:
        raise PrintFileError(
            "The 3MF file holds no sliced G-code (Metadata/plate_N.gcode); "
            "slice it and export the plate sliced file (.gcode.3mf)."
        )
    return plates[0]


def _slice_info_plate(archive: SafeArchive, plate_index: int) -> PlateSliceInfo | None:
    if not archive.has(SLICE_INFO_MEMBER):
        return None
    plates = parse_slice_info(archive.read(SLICE_INFO_MEMBER, MAX_METADATA_MEMBER_BYTES))
    for plate in plates:
        if plate.index == plate_index:
            return plate
    if len(plates) == 1 and plates[0].index is None:
        return plates[0]
    return None


def _merge_slice_info(gcode: GcodeMetadata, plate: PlateSliceInfo) -> GcodeMetadata:
    filaments = plate.filaments or gcode.filaments
    grams = plate.weight_g
    if grams is None and plate.filaments:
        grams = sum_known([f.used_g for f in plate.filaments], 2)
    metres = sum_known([f.used_m for f in plate.filaments], 3) if plate.filaments else None
    return replace(
        gcode,
        print_time_s=plate.prediction_s if plate.prediction_s is not None else gcode.print_time_s,
        filament_used_g=grams if grams is not None else gcode.filament_used_g,
        filament_used_m=metres if metres is not None else gcode.filament_used_m,
        filaments=filaments,
        printer_model=plate.printer_model_id or gcode.printer_model,
        nozzle_diameter_mm=(
            plate.nozzle_diameter_mm
            if plate.nozzle_diameter_mm is not None
            else gcode.nozzle_diameter_mm
        ),
    )


def _fill_filament_details(
    archive: SafeArchive, plate_index: int, gcode: GcodeMetadata
) -> GcodeMetadata:
    """Fill missing colours from plate_N.json, then missing types/colours from project settings."""
    filaments = gcode.filaments
    if any(f.color is None for f in filaments):
        colors = _plate_json_colors(archive, plate_index)
        filaments = tuple(
            f if f.color is not None else replace(f, color=colors.get(f.index)) for f in filaments
        )
    if not filaments or any(f.type is None or f.color is None for f in filaments):
        filaments = _with_project_settings(archive, filaments)
    return replace(gcode, filaments=filaments)


def _plate_json_colors(archive: SafeArchive, plate_index: int) -> dict[int, str | None]:
    member = f"Metadata/plate_{plate_index}.json"
    if not archive.has(member):
        return {}
    document = parse_json_object(archive.read(member, MAX_METADATA_MEMBER_BYTES), member)
    colors, ids = document.get("filament_colors"), document.get("filament_ids")
    if not isinstance(colors, list):
        return {}
    if not isinstance(ids, list) or len(ids) != len(colors):
        ids = list(range(len(colors)))
    colors, ids = colors[:MAX_FILAMENTS], ids[:MAX_FILAMENTS]
    return {
        filament_id + 1: normalize_color(color) if isinstance(color, str) else None
        for filament_id, color in zip(ids, colors, strict=True)
        if isinstance(filament_id, int) and not isinstance(filament_id, bool)
    }


def _with_project_settings(
    archive: SafeArchive, filaments: tuple[FilamentInfo, ...]
) -> tuple[FilamentInfo, ...]:
    if not archive.has(PROJECT_SETTINGS_MEMBER):
        return filaments
    settings = parse_json_object(
        archive.read(PROJECT_SETTINGS_MEMBER, MAX_METADATA_MEMBER_BYTES), PROJECT_SETTINGS_MEMBER
    )
    types = _string_list(settings.get("filament_type"))
    colors = _string_list(settings.get("filament_colour"))
    if not filaments:
        filaments = tuple(FilamentInfo(index=i + 1) for i in range(max(len(types), len(colors))))
    return tuple(
        replace(
            f,
            type=f.type if f.type is not None else clean_text(_at(types, f.index - 1)),
            color=f.color if f.color is not None else normalize_color(_at(colors, f.index - 1)),
        )
        for f in filaments
    )


def _plate_count(archive: SafeArchive) -> int:
    if archive.has(MODEL_SETTINGS_MEMBER):
        root = parse_xml(
            archive.read(MODEL_SETTINGS_MEMBER, MAX_METADATA_MEMBER_BYTES), MODEL_SETTINGS_MEMBER
        )
        count = len(root.findall("plate"))
        if count:
            return count
    return max(
        (int(m.group(1)) for name in archive.names if (m := _PLATE_MEMBER_RE.match(name))),
        default=0,
    )


def _model_application(archive: SafeArchive) -> tuple[str | None, str | None]:
    if not archive.has(MODEL_MEMBER):
        return None, None
    head = archive.read_head(MODEL_MEMBER, MODEL_HEAD_BYTES).decode("utf-8", errors="replace")
    match = _APPLICATION_RE.search(head)
    if match is None:
        return None, None
    name = match.group("name").strip()
    return clean_text(_APPLICATION_NAMES.get(name, name)), clean_text(match.group("version"))


def _plate_thumbnail(archive: SafeArchive, plate_index: int) -> bytes | None:
    member = f"Metadata/plate_{plate_index}.png"
    if not archive.has(member) or archive.size(member) > MAX_THUMBNAIL_BYTES:
        return None
    data = archive.read(member, MAX_THUMBNAIL_BYTES)
    return data if is_acceptable_png(data) else None


def _string_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item if isinstance(item, str) else "" for item in value[:MAX_FILAMENTS]]
    return []


def _at(values: list[str], index: int) -> str | None:
    return values[index] if 0 <= index < len(values) else None
