"""Plain ``.gcode`` files: read only the header and footer windows and parse their comments."""

from __future__ import annotations

from pathlib import Path

from .errors import PrintFileError
from .gcode_metadata import GcodeMetadata, parse_gcode_metadata
from .limits import GCODE_HEAD_BYTES, GCODE_TAIL_BYTES
from .text_window import decode_head, decode_tail

_ZIP_MAGIC = b"PK\x03\x04"
_BGCODE_MAGIC = b"GCDE"


def parse_gcode_file(path: Path, file_size: int) -> GcodeMetadata:
    """Parse a plain G-code file of ``file_size`` bytes (> 0) from its first and last windows.

    A file without recognisable slicer comments is accepted (all fields ``None``); binary
    content (a ZIP/3MF, binary ``.bgcode``, NUL bytes) is refused.
    """
    with path.open("rb") as stream:
        if file_size <= GCODE_HEAD_BYTES + GCODE_TAIL_BYTES:
            head_bytes, tail_bytes = stream.read(), b""
        else:
            head_bytes = stream.read(GCODE_HEAD_BYTES)
            stream.seek(file_size - GCODE_TAIL_BYTES)
            tail_bytes = stream.read(GCODE_TAIL_BYTES)
    _check_text(head_bytes)
    _check_text(tail_bytes)
    truncated = bool(tail_bytes)
    return parse_gcode_metadata(
        decode_head(head_bytes, truncated), decode_tail(tail_bytes, truncated)
    )


def _check_text(data: bytes) -> None:
    if data.startswith(_ZIP_MAGIC):
        raise PrintFileError(
            "The file is a ZIP archive (probably a 3MF), not G-code; upload it as .gcode.3mf."
        )
    if data.startswith(_BGCODE_MAGIC):
        raise PrintFileError("Binary G-code (.bgcode) is not supported; export plain G-code.")
    if b"\x00" in data:
        raise PrintFileError("The file contains binary data; it is not a text G-code file.")
