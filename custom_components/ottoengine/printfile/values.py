"""Parsing of the scalar value formats slicers write into their metadata.

All functions take untrusted text and return ``None`` (or skip an entry) instead of raising
when a value is malformed: a bad value makes a field unknown, it never fails the whole file.
"""

from __future__ import annotations

import math
import re

from .limits import MAX_FILAMENTS

_DURATION_RE = re.compile(
    r"^\s*(?:(?P<d>\d{1,6})\s*d)?\s*(?:(?P<h>\d{1,7})\s*h)?\s*(?:(?P<m>\d{1,9})\s*m)?"
    r"\s*(?:(?P<s>\d{1,10}(?:\.\d+)?)\s*s)?\s*$"
)
_HEX_COLOR_RE = re.compile(r"^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")
_MAX_NUMBER_CHARS = 32


def parse_duration_s(text: str) -> int | None:
    """Parse a slicer duration such as ``1d 2h 3m 4s``, ``22m 17s`` or ``41s`` into seconds.

    Zero parts are omitted by the slicers; at least one part must be present.
    """
    match = _DURATION_RE.match(text)
    if match is None or not any(match.group(part) for part in "dhms"):
        return None
    days, hours, minutes = (int(match.group(part) or 0) for part in "dhm")
    seconds = float(match.group("s") or 0)
    return days * 86_400 + hours * 3_600 + minutes * 60 + round(seconds)


def parse_int(text: str) -> int | None:
    """Parse a non-negative integer (``"150"``); ``None`` otherwise."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_NUMBER_CHARS:
        return None
    return int(text)


def parse_float(text: str, unit: str = "") -> float | None:
    """Parse a finite, non-negative decimal number, optionally followed by ``unit`` (``1.5m``)."""
    text = text.strip().strip('"')
    if unit and text.endswith(unit):
        text = text[: -len(unit)].strip()
    if not text or len(text) > _MAX_NUMBER_CHARS or not text.isascii():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def parse_float_list(text: str, unit: str = "") -> list[float | None]:
    """Parse a comma separated list of numbers (``"3.69, 1.20"``); bad entries become ``None``."""
    return [parse_float(part, unit) for part in split_list(text, ",")]


def parse_nozzle_diameter_mm(text: str) -> float | None:
    """Parse a nozzle diameter: the first entry of ``"0.4"`` / ``"0.4,0.6"``; ``None`` unless > 0."""
    parts = split_list(text, ",")
    value = parse_float(parts[0]) if parts else None
    return value if value is not None and value > 0 else None


def split_list(text: str, separator: str) -> list[str]:
    """Split a slicer list value, strip blanks and quotes, keep at most ``MAX_FILAMENTS`` items."""
    if not text.strip():
        return []
    parts = text.split(separator, MAX_FILAMENTS)[:MAX_FILAMENTS]
    return [part.strip().strip('"').strip() for part in parts]


def normalize_color(text: str | None) -> str | None:
    """Return ``#RRGGBB`` / ``#RRGGBBAA`` in upper case, or ``None`` for anything else."""
    if text is None:
        return None
    match = _HEX_COLOR_RE.match(text.strip())
    if match is None:
        return None
    return "#" + match.group(1).upper()


def clean_text(text: str | None, max_length: int = 64) -> str | None:
    """Return printable, stripped, length-capped text, or ``None`` when nothing is left."""
    if text is None:
        return None
    cleaned = "".join(ch for ch in text if ch.isprintable()).strip().strip('"').strip()
    return cleaned[:max_length] or None
