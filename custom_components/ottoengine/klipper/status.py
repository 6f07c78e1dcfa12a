"""A Klipper printer's merged Moonraker status, mapped to the farm's normalised printer model.

Mapping (``print_stats.state`` read only while Klippy is ``ready``, reference sheet §4):

=========================================  ==========  ======================================
Moonraker / Klippy                          state       detail
=========================================  ==========  ======================================
unreachable, Klippy disconnected/startup    OFFLINE     ``unreachable`` / ``klippy_<state>``
Klippy shutdown/error, no job active        OFFLINE     ``klippy_shutdown`` / ``klippy_error``
Klippy shutdown/error while printing/paused FAILED      ``klippy_shutdown`` / ``klippy_error``
``standby``                                 IDLE
``printing`` before the first extrusion     PREPARING   ``heating`` or ``preparing``
``printing``                                RUNNING
``paused``                                  PAUSED
``complete``                                FINISH
``cancelled``                               FAILED      ``cancelled``
``error``                                   FAILED      ``error``
=========================================  ==========  ======================================

A Klippy shutdown during a print freezes ``print_stats`` at ``printing``/``paused`` and the job
cannot continue (FIRMWARE_RESTART resets it to ``standby``), so it counts as the job failing
rather than the printer going away; without a job the printer is simply not usable (OFFLINE).
``print_duration`` only counts after the first extrusion, so ``printing`` with a zero
``print_duration`` is the start sequence (homing, heating, levelling): PREPARING.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
from typing import Any, Final

from ..farm.ports import PrinterSnapshot, PrinterState

# Every object the driver subscribes to (None: all fields).
PRINTER_OBJECTS: Final[dict[str, list[str] | None]] = {
    "print_stats": None,
    "virtual_sdcard": None,
    "display_status": None,
    "heater_bed": ["temperature", "target"],
    "extruder": ["temperature", "target"],
    "idle_timeout": ["state"],
    "webhooks": ["state", "state_message"],
    "toolhead": ["position", "homed_axes"],
    "pause_resume": ["is_paused"],
}
_PRINT_STATES: Final = {
    "standby": PrinterState.IDLE,
    "printing": PrinterState.RUNNING,
    "paused": PrinterState.PAUSED,
    "complete": PrinterState.FINISH,
    "cancelled": PrinterState.FAILED,
    "error": PrinterState.FAILED,
}
ACTIVE_PRINT_STATES: Final = frozenset({"printing", "paused"})
HEATING_MARGIN_C: Final = 2.0


@dataclass(frozen=True, slots=True)
class Temperatures:
    """Current and target temperatures (°C; ``None``: not reported)."""

    extruder: float | None = None
    extruder_target: float | None = None
    bed: float | None = None
    bed_target: float | None = None

    @property
    def heating(self) -> bool:
        """A heater is on and still more than 2 °C below its target."""
        pairs = ((self.extruder, self.extruder_target), (self.bed, self.bed_target))
        return any(
            target is not None
            and target > 0
            and now is not None
            and now < target - HEATING_MARGIN_C
            for now, target in pairs
        )


@dataclass(frozen=True, slots=True)
class KlipperSnapshot:
    """What a Klipper printer reports at one moment, normalised."""

    state: PrinterState
    detail: str | None = None  # why FAILED / OFFLINE / PREPARING (see the module docstring)
    print_state: str | None = None  # the raw ``print_stats.state``
    klippy_state: str | None = None
    filename: str | None = None
    progress: float = 0.0  # 0..1
    remaining_seconds: int | None = None
    layer: int | None = None
    total_layers: int | None = None
    print_duration: float = 0.0
    total_duration: float = 0.0
    temperatures: Temperatures = Temperatures()
    message: str | None = None  # Klippy's state message or print_stats' error message
    z_position: float | None = None  # toolhead Z (mm): where the bed is on a Z-bed printer
    motion_busy: bool = False  # idle_timeout "Printing": moves (a bed raise) still running

    @property
    def progress_percent(self) -> int:
        return max(0, min(100, math.floor(self.progress * 100 + 1e-9)))

    def to_printer_snapshot(self) -> PrinterSnapshot:
        """The farm's ``PrinterSnapshot`` (the orchestrator's view)."""
        remaining = self.remaining_seconds or 0
        return PrinterSnapshot(
            state=self.state,
            job_name=self.filename,
            progress_percent=self.progress_percent,
            remaining_minutes=math.ceil(remaining / 60),
            layer=self.layer,
            total_layers=self.total_layers,
        )


OFFLINE: Final = KlipperSnapshot(PrinterState.OFFLINE, detail="unreachable")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _integer(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def temperatures_from(objects: Mapping[str, Mapping[str, Any]]) -> Temperatures:
    extruder = objects.get("extruder") or {}
    bed = objects.get("heater_bed") or {}
    return Temperatures(
        extruder=_number(extruder.get("temperature")),
        extruder_target=_number(extruder.get("target")),
        bed=_number(bed.get("temperature")),
        bed_target=_number(bed.get("target")),
    )


def progress_from(objects: Mapping[str, Mapping[str, Any]]) -> float:
    """``display_status.progress`` (M73 or file position), else ``virtual_sdcard.progress``."""
    for name in ("display_status", "virtual_sdcard"):
        value = _number((objects.get(name) or {}).get("progress"))
        if value is not None:
            return max(0.0, min(1.0, value))
    return 0.0


def remaining_seconds(
    *,
    progress: float,
    print_duration: float,
    total_duration: float,
    estimated_time: float | None,
) -> int | None:
    """Seconds left: the slicer's estimate minus the printing time, else from the progress.

    The progress-based figure is ``elapsed / progress * (1 - progress)`` (Fluidd's "file"
    estimate); ``None`` when nothing allows an estimate yet.
    """
    if estimated_time is not None and estimated_time > 0:
        return max(0, round(estimated_time - print_duration))
    elapsed = print_duration or total_duration
    if progress <= 0 or elapsed <= 0:
        return None
    return max(0, round(elapsed / progress * (1 - progress)))


def derive_snapshot(
    *,
    reachable: bool,
    klippy_connected: bool,
    klippy_state: str | None,
    objects: Mapping[str, Mapping[str, Any]],
    state_message: str | None = None,
    estimated_time: float | None = None,
    total_layers_hint: int | None = None,
) -> KlipperSnapshot:
    """The normalised snapshot (pure; see the module docstring for the mapping).

    ``estimated_time`` (s) and ``total_layers_hint`` come from the printing file's metadata.
    """
    if not reachable:
        return OFFLINE
    klippy = (klippy_state or "").lower() or None
    stats = objects.get("print_stats") or {}
    print_state = str(stats.get("state") or "").lower() or None
    filename = str(stats.get("filename") or "") or None
    message = state_message or (objects.get("webhooks") or {}).get("state_message")
    if not klippy_connected or klippy not in {"ready", "shutdown", "error"}:
        return KlipperSnapshot(
            PrinterState.OFFLINE,
            detail=f"klippy_{klippy or 'disconnected'}",
            klippy_state=klippy or "disconnected",
            message=message,
        )
    if klippy != "ready":
        failed = print_state in ACTIVE_PRINT_STATES
        return KlipperSnapshot(
            PrinterState.FAILED if failed else PrinterState.OFFLINE,
            detail=f"klippy_{klippy}",
            print_state=print_state,
            klippy_state=klippy,
            filename=filename,
            message=message,
        )
    if print_state is None:  # subscribed objects not there yet
        return KlipperSnapshot(PrinterState.UNKNOWN, klippy_state=klippy, message=message)
    state = _PRINT_STATES.get(print_state, PrinterState.UNKNOWN)
    print_duration = _number(stats.get("print_duration")) or 0.0
    total_duration = _number(stats.get("total_duration")) or 0.0
    temperatures = temperatures_from(objects)
    detail: str | None = None
    message = None
    if state is PrinterState.FAILED:
        detail = print_state
        message = str(stats.get("message") or "") or None
    elif state is PrinterState.RUNNING and print_duration <= 0:
        state = PrinterState.PREPARING
        detail = "heating" if temperatures.heating else "preparing"
    progress = progress_from(objects) if print_state != "standby" else 0.0
    if state is PrinterState.FINISH:
        progress = 1.0
    info = stats.get("info") or {}
    position = (objects.get("toolhead") or {}).get("position")
    z_position = _number(position[2]) if isinstance(position, list) and len(position) > 2 else None
    idle_state = str((objects.get("idle_timeout") or {}).get("state") or "")
    total_layers = _integer(info.get("total_layer")) or total_layers_hint
    active = print_state in ACTIVE_PRINT_STATES
    return KlipperSnapshot(
        state,
        detail=detail,
        print_state=print_state,
        klippy_state=klippy,
        filename=filename,
        progress=progress,
        remaining_seconds=remaining_seconds(
            progress=progress,
            print_duration=print_duration,
            total_duration=total_duration,
            estimated_time=estimated_time,
        )
        if active
        else None,
        layer=_integer(info.get("current_layer")),
        total_layers=total_layers if print_state != "standby" else None,
        print_duration=print_duration,
        total_duration=total_duration,
        temperatures=temperatures,
        message=message,
        z_position=z_position,
        motion_busy=idle_state.lower() == "printing",
    )
