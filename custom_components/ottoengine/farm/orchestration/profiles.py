"""Defaults per printer model: the robot's macro names and the bed's eject position.

Macro names follow OTTOMAT3D's convention: ``EJECT_FROM_<BRAND>_<MODEL>``, upper case, spaces
to ``_`` and digits spelled out (``P1S`` -> ``P_ONE_S``); ``LOAD_ONTO_…`` and ``CLOSE_DOOR_…``
likewise (the door only for models that have one). X1 models get their own names (the
original Node backend reused the P1S macros for them: defect 11).
"""

from __future__ import annotations

from dataclasses import dataclass
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


# -- Klipper printers (issue #14) ------------------------------------------------------------------


KLIPPER_EJECT_BED: Final = BedPosition("Z", EJECT_Z_MM)  # Z beds: K1/K1C, Kobra S1, Voron
# Where END_PRINT raises the bed itself (K1/K1C): the same position, reached by the print.
KLIPPER_END_PRINT_BED: Final = BedPosition("Z", EJECT_Z_MM, moved_by_print=True)


@dataclass(frozen=True, slots=True)
class KlipperModelProfile:
    """What the farm must know of a Klipper printer model to eject from it.

    ``end_gcode_raises_bed``: the printer's ``END_PRINT`` moves the bed to the eject position
    (the K1/K1C setup guide has the user add ``G1 Z200 F600`` to it), so the orchestrator waits
    for the print's end and sends nothing; otherwise the driver sends ``bed.gcode``
    (``G90`` / ``G1 Z200 F600``) once the print has ended.
    """

    key: str
    brand: str
    model: str
    end_gcode_raises_bed: bool
    macros: PrinterMacros
    bed: BedPosition = KLIPPER_EJECT_BED


def _klipper_macros(suffix: str, *, door: bool) -> PrinterMacros:
    return PrinterMacros(
        eject=f"EJECT_FROM_{suffix}",
        load=f"LOAD_ONTO_{suffix}",
        close_door=f"CLOSE_DOOR_{suffix}" if door else None,
    )


# The K1 shares the K1C's robot macros (OTTOMAT3D names only K_ONE_C); the Kobra S1 runs its end
# G-code unmodified here (OTTOMAT3D injected the raise by re-uploading each file), so the driver
# moves its bed. Unknown models use the generic profile (the Node backend's fallback names).
KLIPPER_PROFILES: Final[dict[str, KlipperModelProfile]] = {
    profile.key: profile
    for profile in (
        KlipperModelProfile(
            "K1C",
            "Creality",
            "K1C",
            True,
            _klipper_macros("CREALITY_K_ONE_C", door=True),
            KLIPPER_END_PRINT_BED,
        ),
        KlipperModelProfile(
            "K1",
            "Creality",
            "K1",
            True,
            _klipper_macros("CREALITY_K_ONE_C", door=True),
            KLIPPER_END_PRINT_BED,
        ),
        KlipperModelProfile(
            "Kobra S1",
            "Anycubic",
            "Kobra S1",
            False,
            _klipper_macros("ANYCUBIC_KOBRA_S_ONE", door=True),
        ),
        KlipperModelProfile("Voron", "Voron", "Voron", False, _klipper_macros("VORON", door=False)),
        KlipperModelProfile(
            "generic", "Klipper", "generic", False, _klipper_macros("GENERIC_PRINTER", door=False)
        ),
    )
}


def klipper_profile(model: str | None) -> KlipperModelProfile:
    """The profile of a Klipper printer model (case and spacing ignored; else ``generic``)."""
    wanted = "".join((model or "").split()).casefold()
    for key, profile in KLIPPER_PROFILES.items():
        if "".join(key.split()).casefold() == wanted:
            return profile
    return KLIPPER_PROFILES["generic"]
