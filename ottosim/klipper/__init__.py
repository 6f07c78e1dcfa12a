"""Simulated Klipper printers (Creality K1C): real Moonraker in front of a simulated Klippy.

``SimulatedKlipperPrinter`` is what the farm runner uses; its parts are ``PrinterKlippy``
(Klippy's API server, ``ottosim.klippy``, running the printer), ``KlipperPrinterBrain`` (the
printer's state: print job, heaters, bed, Klipper's printer objects) and the shared
``MoonrakerProcess``.
"""

from ottosim.klipper.brain import KlipperPrinterBrain
from ottosim.klipper.klippy import PrinterKlippy
from ottosim.klipper.models import K1C, KLIPPER_MODELS, KlipperModelSpec, klipper_model_spec
from ottosim.klipper.printer import FAULTS, SimulatedKlipperPrinter

__all__ = [
    "FAULTS",
    "K1C",
    "KLIPPER_MODELS",
    "KlipperModelSpec",
    "KlipperPrinterBrain",
    "PrinterKlippy",
    "SimulatedKlipperPrinter",
    "klipper_model_spec",
]
