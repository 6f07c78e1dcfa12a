"""Print-file names: supported extensions and sanitising the names users upload."""

from __future__ import annotations

import re
import unicodedata

from .errors import PrintFileError
from .model import PrintFileFormat

MAX_FILENAME_LENGTH = 200
# Linux file systems and printer SD cards allow 255 bytes per name.
MAX_FILENAME_BYTES = 255

# Longest suffix first: ".gcode.3mf" must win over ".3mf".
_SUFFIX_FORMATS: tuple[tuple[str, PrintFileFormat], ...] = (
    (".gcode.3mf", "gcode.3mf"),
    (".3mf", "gcode.3mf"),
    (".gcode", "gcode"),
)
SUPPORTED_SUFFIXES = tuple(suffix for suffix, _ in _SUFFIX_FORMATS)

_UNSAFE_CHARS_RE = re.compile(r'[<>:"|?*]')
_DOT_RUN_RE = re.compile(r"\.{2,}")
_WHITESPACE_RUN_RE = re.compile(r"\s+")


def split_print_suffix(name: str) -> tuple[str, str, PrintFileFormat]:
    """Split ``name`` into (stem, lower-case suffix, format); raise if the extension is unsupported."""
    lowered = name.lower()
    for suffix, file_format in _SUFFIX_FORMATS:
        if lowered.endswith(suffix):
            return name[: -len(suffix)], suffix, file_format
    raise PrintFileError(f"Unsupported file type {name!r}: upload a .gcode or .gcode.3mf file.")


def sanitize_filename(name: str) -> str:
    """Return a safe file name for storing an uploaded print file and sending it to a printer.

    Keeps only the last path component (both ``/`` and ``\\`` separate), removes control
    characters (NUL included) and the characters ``<>:"|?*``, collapses ``..`` and longer dot
    runs to one dot, strips leading dots and surrounding blanks, and lower-cases the suffix.
    The result is at most ``MAX_FILENAME_LENGTH`` (200) characters and 255 UTF-8 bytes, the
    stem being shortened so that the ``.gcode.3mf`` / ``.gcode`` / ``.3mf`` suffix is kept.

    Raises ``PrintFileError`` if the extension is unsupported or nothing of the name is left.
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = re.split(r"[/\\]", name)[-1].strip()
    stem, suffix, _ = split_print_suffix(name)
    stem = _UNSAFE_CHARS_RE.sub("_", stem)
    stem = _DOT_RUN_RE.sub(".", stem)
    stem = _WHITESPACE_RUN_RE.sub(" ", stem).strip().lstrip(". ").rstrip(". ")
    if not stem:
        raise PrintFileError("The file name is empty once unsafe characters are removed.")
    stem = stem[: MAX_FILENAME_LENGTH - len(suffix)]
    while len((stem + suffix).encode()) > MAX_FILENAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(". ") + suffix
