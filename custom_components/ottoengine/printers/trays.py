"""How a filament slot (AMS tray, external spool) shows in Home Assistant: state, attributes,
and a colour swatch as the entity picture (an inline SVG, so no file or URL is involved)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from ..bambu import AmsState, AmsTray

TRAY_EMPTY = "empty"
_SWATCH = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<circle cx="16" cy="16" r="14" fill="{color}" stroke="#808080" stroke-width="2"/></svg>'
)


def tray_state(tray: AmsTray | None) -> str | None:
    """The filament's name (``PLA Basic``), else its type (``PLA``); ``empty`` without spool."""
    if tray is None:
        return None
    if tray.empty:
        return TRAY_EMPTY
    return tray.name or tray.material


def tray_attributes(tray: AmsTray) -> dict[str, Any]:
    return {
        "tray_id": tray.tray_id,
        "type": tray.material,
        "name": tray.name,
        "color": tray.color,
        "preset_id": tray.preset_id,
        "remaining_percent": tray.remaining_percent,
        "nozzle_temp_min": tray.nozzle_temp_min,
        "nozzle_temp_max": tray.nozzle_temp_max,
        "empty": tray.empty,
        "active": tray.active,
    }


def tray_swatch(tray: AmsTray | None) -> str | None:
    """A data URL of a disc in the filament's colour (``None`` without a known colour)."""
    if tray is None or tray.color is None:
        return None
    svg = _SWATCH.format(color=tray.color)  # a validated "#RRGGBB"
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def active_tray_key(ams: AmsState, options: Sequence[str]) -> str:
    """The active slot as a state of ``options`` (``ams_1_tray_2``...), else the last (none)."""
    tray = ams.active_tray
    if tray is not None and tray.key in options:
        return tray.key
    return options[-1]
