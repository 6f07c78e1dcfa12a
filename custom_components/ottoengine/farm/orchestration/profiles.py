"""Defaults per printer model: the robot's macro names and the bed's eject position.

Macro names follow OTTOMAT3D's convention: ``EJECT_FROM_<BRAND>_<MODEL>``, upper case, spaces
to ``_`` and digits spelled out (``P1S`` -> ``P_ONE_S``); ``LOAD_ONTO_…`` and ``CLOSE_DOOR_…``
likewise (the door only for models that have one). X1 models get their own names (the
original Node backend reused the P1S macros for them: defect 11).
"""

from __future__ import annotations

import re
from typing import Final

from .topology import BedPosition, PrinterMacros

_DIGITS: Final = {
    "0": "ZERO",
    "1": "ONE",
    "2": "TWO",
    "3": "THREE",
    "4": "FOUR",
    "5": "FIVE",
    "6": "SIX",
    "7": "SEVEN",
    "8": "EIGHT",
    "9": "NINE",
}
# Models with a door the robot closes after the last job (enclosed printers).
_DOOR_MODELS: Final = frozenset({"P1S", "X1", "X1C", "X1E", "P2S", "H2D", "H2D PRO", "H2S", "H2C"})
# Bed slingers: the bed moves in Y, the robot takes the plate at Y 170.
_BED_SLINGERS: Final = frozenset({"A1", "A1 MINI"})
EJECT_Z_MM: Final = 200.0
EJECT_Y_MM: Final = 170.0


def macro_token(text: str) -> str:
    """``"Bambu Lab"`` -> ``"BAMBULAB"``, ``"P1S"`` -> ``"P_ONE_S"``, ``"A1 mini"`` -> ``"A_ONE_MINI"``."""
    words: list[str] = []
    for word in text.upper().split():
        parts = [_DIGITS.get(char, char) for char in re.findall(r"[A-Z]+|\d", word)]
        words.append("_".join(parts))
    return "_".join(part for part in words if part)


def brand_token(brand: str) -> str:
    """Brands are written as one word: ``"Bambu Lab"`` -> ``"BAMBULAB"``."""
    return macro_token(brand.replace(" ", ""))


def default_macros(brand: str, model: str) -> PrinterMacros:
    suffix = f"{brand_token(brand)}_{macro_token(model)}"
    door = f"CLOSE_DOOR_{suffix}" if model.upper() in _DOOR_MODELS else None
    return PrinterMacros(eject=f"EJECT_FROM_{suffix}", load=f"LOAD_ONTO_{suffix}", close_door=door)


def default_bed_position(model: str) -> BedPosition:
    if model.upper() in _BED_SLINGERS:
        return BedPosition("Y", EJECT_Y_MM)
    return BedPosition("Z", EJECT_Z_MM)
