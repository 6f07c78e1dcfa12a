"""Simulated OttoEject robots: real Moonraker in front of a simulated Klippy.

``SimulatedOttoEject`` is what the farm runner uses; the parts are ``SimulatedKlippy`` (Klippy's
unix-socket API and the robot's macros), ``MacroCatalog`` (macro names, durations and their
effect on ``ottosim.world.World``) and ``MoonrakerProcess`` (the Moonraker subprocess).
"""

from ottosim.klippy.moonraker_process import MoonrakerProcess, find_moonraker_executable
from ottosim.ottoeject.ejector import FAULTS, SimulatedOttoEject
from ottosim.ottoeject.klippy import SimulatedKlippy
from ottosim.ottoeject.macros import MacroCatalog, macro_suffix_for_model

__all__ = [
    "FAULTS",
    "MacroCatalog",
    "MoonrakerProcess",
    "SimulatedKlippy",
    "SimulatedOttoEject",
    "find_moonraker_executable",
    "macro_suffix_for_model",
]
