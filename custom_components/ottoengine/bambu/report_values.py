"""Values of a printer's report as the firmware sends them: numbers as numbers or strings.

``push_status`` mixes ``"35"`` and ``35`` (and ``true`` where a number is meant); these read a
field leniently, ``None`` when it is absent or not what it should be.
"""

from __future__ import annotations

from typing import Any


def report_int(value: Any) -> int | None:
    """An integer (``"35"``, ``35.0``, ``35``); booleans and junk are ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(float(value))
    except TypeError, ValueError:
        return None


def report_float(value: Any) -> float | None:
    """A number; booleans and junk are ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except TypeError, ValueError:
        return None


def report_str(value: Any) -> str | None:
    """The field as text (``None`` stays ``None``)."""
    return str(value) if value is not None else None
