"""Entry point: ``parse_print_file`` turns an uploaded print file into ``PrintFileInfo``."""

from __future__ import annotations

from pathlib import Path

from .errors import PrintFileError
from .filenames import split_print_suffix
from .gcode_file import parse_gcode_file
from .gcode_metadata import GcodeMetadata
from .model import PrintFileInfo
from .three_mf import parse_3mf_file


def parse_print_file(path: Path, filename: str) -> PrintFileInfo:
    """Parse the print file stored at ``path`` and uploaded as ``filename``.

    The format is chosen from ``filename``'s extension (``.gcode``, ``.gcode.3mf`` or a plain
    ``.3mf`` holding sliced G-code). Only the parts holding metadata are read: the first and
    last 256 KiB of a G-code file; the small metadata members and the first 256 KiB of the
    plate G-code of a 3MF. This is blocking file I/O: call it in an executor.

    Raises ``PrintFileError`` (a ``ValueError``) for an unsupported extension, an empty file,
    binary data in a ``.gcode``, and a corrupt, unsafe or G-code-less 3MF. ``OSError`` from
    reading ``path`` itself (missing file, permissions) propagates unchanged.
    """
    _, _, file_format = split_print_suffix(filename)
    file_size = path.stat().st_size
    if file_size == 0:
        raise PrintFileError("The file is empty.")
    if file_format == "gcode":
        return _info(filename, file_size, parse_gcode_file(path, file_size))
    archive = parse_3mf_file(path)
    return _info(
        filename,
        file_size,
        archive.gcode,
        plate_count=archive.plate_count,
        plate_index=archive.plate_index,
        plate_gcode_member=archive.plate_gcode_member,
    )


def _info(
    filename: str,
    file_size: int,
    gcode: GcodeMetadata,
    *,
    plate_count: int | None = None,
    plate_index: int | None = None,
    plate_gcode_member: str | None = None,
) -> PrintFileInfo:
    return PrintFileInfo(
        filename=filename,
        format="gcode" if plate_gcode_member is None else "gcode.3mf",
        file_size_bytes=file_size,
        slicer_name=gcode.slicer_name,
        slicer_version=gcode.slicer_version,
        estimated_print_time_s=gcode.print_time_s,
        layer_count=gcode.layer_count,
        filament_used_g=gcode.filament_used_g,
        filament_used_m=gcode.filament_used_m,
        filaments=gcode.filaments,
        max_z_height_mm=gcode.max_z_height_mm,
        printer_model=gcode.printer_model,
        nozzle_diameter_mm=gcode.nozzle_diameter_mm,
        plate_count=plate_count,
        plate_index=plate_index,
        plate_gcode_member=plate_gcode_member,
        thumbnail_png=gcode.thumbnail_png,
    )
