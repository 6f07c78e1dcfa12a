"""The OttoEject's G-code macros: which exist, how long they take and what they do to the world.

Macro names follow the OTTOMAT3D convention (ottomat3d-workflow.md, section 2):

- ``OTTOEJECT_HOME``, ``PARK_OTTOEJECT``
- ``STORE_TO_SLOT_<n>``, ``GRAB_FROM_SLOT_<n>`` for every shelf n of the ejector's rack
- ``EJECT_FROM_<SUFFIX>``, ``LOAD_ONTO_<SUFFIX>``, ``CLOSE_DOOR_<SUFFIX>`` for every printer
  suffix, e.g. ``BAMBULAB_P_ONE_S``.

Printer routing: ``printers`` maps a macro suffix to a world printer name (``{"BAMBULAB_P_ONE_S":
"p1s-1"}``); the reverse direction (printer name to suffix) is accepted too, recognised by which
side names a printer of the world. Printers that are not mapped get the suffix of their model
(``BAMBULAB_`` + the model with digits spelled out: ``P1S`` becomes ``BAMBULAB_P_ONE_S``; the
Klipper printers have their OTTOMAT3D names, ``MODEL_SUFFIXES``: a K1C is ``CREALITY_K_ONE_C``). When
several printers share a suffix, the macro needs the optional parameter ``PRINTER=<world printer
name>`` (``EJECT_FROM_BAMBULAB_P_ONE_S PRINTER=p1s-2``); with one printer the parameter is
optional and, when given, must name that printer.

Injected failures (``fail_macro``): the macro then fails at once, before it moves anything, the
way a macro's ``{action_raise_error(...)}`` fails in Klipper.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from ottosim.klippy.gcode import GcodeCall
from ottosim.world import PhysicalError, World

# Real-time seconds per macro family (scaled by the ejector's time_scale).
DEFAULT_MACRO_SECONDS: dict[str, float] = {
    "OTTOEJECT_HOME": 6.0,
    "PARK_OTTOEJECT": 5.0,
    "EJECT_FROM": 20.0,
    "LOAD_ONTO": 20.0,
    "CLOSE_DOOR": 6.0,
    "STORE_TO_SLOT": 12.0,
    "GRAB_FROM_SLOT": 12.0,
}

DIGIT_WORDS = {
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

# Models whose OTTOMAT3D macro suffix is not BAMBULAB_<model> (ottomat3d-workflow.md, section 2).
MODEL_SUFFIXES = {
    "K1": "CREALITY_K_ONE_C",
    "K1C": "CREALITY_K_ONE_C",
    "KOBRA S1": "ANYCUBIC_KOBRA_S_ONE",
}

_PRINTER_MACRO = re.compile(r"^(EJECT_FROM|LOAD_ONTO|CLOSE_DOOR)_([A-Z0-9_]+)$")
_SLOT_MACRO = re.compile(r"^(STORE_TO_SLOT|GRAB_FROM_SLOT)_([0-9]+)$")
FAILURE_MODES = ("once", "always")


class MacroFailed(Exception):
    """A macro aborted (Klipper reports it as a G-code error)."""


def macro_suffix_for_model(model: str, brand: str = "BAMBULAB") -> str:
    """The OTTOMAT3D macro suffix of a printer model: ``P1S`` gives ``BAMBULAB_P_ONE_S``,
    ``K1C`` ``CREALITY_K_ONE_C``."""
    if model.upper() in MODEL_SUFFIXES:
        return MODEL_SUFFIXES[model.upper()]
    tokens = re.findall(r"[A-Za-z]+|[0-9]", model.upper())
    return "_".join([brand, *(DIGIT_WORDS.get(token, token) for token in tokens)])


class MacroCatalog:
    """The macros an OttoEject's printer.cfg defines, bound to the simulated world."""

    def __init__(
        self,
        world: World,
        ejector: str,
        *,
        printers: Mapping[str, str] | None = None,
        macro_seconds: Mapping[str, float] | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self._world = world
        self._ejector = ejector
        self._printers = dict(printers or {})
        self._seconds = {**DEFAULT_MACRO_SECONDS, **(macro_seconds or {})}
        self._time_scale = time_scale
        self._names: tuple[str, ...] = ()
        # macro name -> (mode, error message) of an injected failure
        self._failures: dict[str, tuple[str, str]] = {}
        self.reload()

    @property
    def names(self) -> tuple[str, ...]:
        """Macro names as of the last (re)load of the configuration."""
        return self._names

    def reload(self) -> None:
        """Re-read the farm, like Klipper re-reading printer.cfg on (FIRMWARE_)RESTART."""
        names = ["OTTOEJECT_HOME", "PARK_OTTOEJECT"]
        for suffix in sorted(self.printer_routes()):
            names += [f"EJECT_FROM_{suffix}", f"LOAD_ONTO_{suffix}", f"CLOSE_DOOR_{suffix}"]
        rack = self._world.racks.get(self._world.ejector_racks.get(self._ejector, ""), [])
        for shelf in range(1, len(rack) + 1):
            names += [f"STORE_TO_SLOT_{shelf}", f"GRAB_FROM_SLOT_{shelf}"]
        self._names = tuple(names)

    def printer_routes(self) -> dict[str, list[str]]:
        """Macro suffix -> world printer names reached by it."""
        routes: dict[str, list[str]] = {}
        mapped: set[str] = set()
        for key, value in self._printers.items():
            if key in self._world.printers and value not in self._world.printers:
                printer, suffix = key, value
            else:
                suffix, printer = key, value
            routes.setdefault(suffix.upper(), []).append(printer)
            mapped.add(printer)
        for name, body in self._world.printers.items():
            if name not in mapped:
                routes.setdefault(macro_suffix_for_model(body.model), []).append(name)
        return routes

    # -- injected failures ---------------------------------------------------------------------
    def fail_macro(self, macro: str, mode: str = "once", message: str | None = None) -> None:
        """Make ``macro`` fail the next time it runs (``once``) or every time (``always``)."""
        macro = macro.upper()
        if macro not in self._names:
            raise ValueError(f"{self._ejector} has no macro {macro!r}")
        if mode not in FAILURE_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAILURE_MODES)}, not {mode!r}")
        self._failures[macro] = (mode, message or f"{macro} failed (injected fault)")

    def clear_failures(self, macro: str | None = None) -> None:
        """End the injected failure of ``macro`` (of every macro without it)."""
        if macro is None:
            self._failures.clear()
        else:
            self._failures.pop(macro.upper(), None)

    @property
    def failures(self) -> dict[str, str]:
        """Macro name -> mode of the injected failures still pending."""
        return {macro: mode for macro, (mode, _) in self._failures.items()}

    def take_failure(self, macro: str) -> str | None:
        """The error ``macro`` fails with now, if a failure is injected (``once`` is used up)."""
        failure = self._failures.get(macro)
        if failure is None:
            return None
        mode, message = failure
        if mode == "once":
            del self._failures[macro]
        return message

    def record(self, event: str, **details: Any) -> None:
        """Log an event of this ejector in the world's event log."""
        self._world.record(self._ejector, event, **details)

    def is_macro(self, command: str) -> bool:
        return command in self._names

    def duration(self, command: str) -> float:
        """Seconds the macro takes, after time scaling."""
        if command in self._seconds:
            return self._seconds[command] * self._time_scale
        family = command
        for pattern in (_PRINTER_MACRO, _SLOT_MACRO):
            match = pattern.match(command)
            if match:
                family = match.group(1)
        return self._seconds.get(family, 1.0) * self._time_scale

    def perform(self, call: GcodeCall) -> None:
        """Carry out the macro's physical effect; ``MacroFailed`` when it cannot happen."""
        try:
            self._perform(call)
        except PhysicalError as err:
            raise MacroFailed(str(err)) from err

    def _perform(self, call: GcodeCall) -> None:
        slot = _SLOT_MACRO.match(call.command)
        if slot:
            shelf = int(slot.group(2))
            if slot.group(1) == "STORE_TO_SLOT":
                self._world.store(self._ejector, shelf)
            else:
                self._world.grab(self._ejector, shelf)
            return
        printer_macro = _PRINTER_MACRO.match(call.command)
        if printer_macro is None:
            return  # OTTOEJECT_HOME / PARK_OTTOEJECT only move the arm
        action, suffix = printer_macro.groups()
        printer = self._target_printer(suffix, call.params.get("PRINTER"))
        if action == "EJECT_FROM":
            self._world.eject(self._ejector, printer)
        elif action == "LOAD_ONTO":
            self._world.load(self._ejector, printer)

    def _target_printer(self, suffix: str, requested: str | None) -> str:
        candidates = self.printer_routes().get(suffix, [])
        if requested is not None:
            if requested not in candidates:
                raise MacroFailed(
                    f"{self._ejector}: PRINTER={requested} is not a {suffix} printer "
                    f"(known: {', '.join(candidates) or 'none'})"
                )
            return requested
        if len(candidates) != 1:
            raise MacroFailed(
                f"{self._ejector}: {len(candidates)} printers use {suffix}; "
                f"name one with PRINTER=<{'|'.join(candidates)}>"
            )
        return candidates[0]
