"""Human-readable values for the upload response, in the seed API's style."""

from __future__ import annotations

import math

_UNITS = ("KB", "MB", "GB")
_STEP = 1024


def format_file_size(num_bytes: int) -> str:
    """Format a size like the seed API: ``"512 B"``, ``"2.50 MB"``.

    Units are 1024-based (1 KB = 1024 bytes, as the seed backend computes them, though
    labelled KB/MB/GB rather than KiB/MiB/GiB). Below 1 KB the exact byte count is shown;
    from KB up two decimals, switching unit when the rounded value would reach 1024
    (1048575 bytes is ``"1.00 MB"``, not ``"1024.00 KB"``). GB is the largest unit.
    """
    if num_bytes < 0:
        raise ValueError("num_bytes must not be negative")
    if num_bytes < _STEP:
        return f"{num_bytes} B"
    value = num_bytes / _STEP
    for unit in _UNITS[:-1]:
        if round(value, 2) < _STEP:
            return f"{value:.2f} {unit}"
        value /= _STEP
    return f"{value:.2f} {_UNITS[-1]}"


def format_filament_grams(grams: float | None) -> str:
    """Format filament weight like the seed API: ``"15.5g"`` (one decimal), ``"N/A"`` if unknown."""
    if grams is None or not math.isfinite(grams) or grams < 0:
        return "N/A"
    return f"{grams:.1f}g"
