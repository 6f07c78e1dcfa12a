"""The JSON shapes of a Klipper printer in ``/api/printers`` (the Bambu shapes' keys).

A Klipper printer answers the same keys as a Bambu Lab printer so that the panel and scripts
read both alike: ``status`` is the farm's printer state (``IDLE``, ``RUNNING``, ``PAUSE``,
``FINISH``, ``FAILED``, ``OFFLINE``, as the Bambu ``gcode_state``), ``current_stage`` the
driver's detail (``heating``, ``cancelled``, ``klippy_shutdown`` ...). It has no serial number
(``null``) and no firmware errors list of its own (Klippy's message is the one error). Its
Moonraker API key is never answered; its ``driver`` and Moonraker ``port`` are.
"""

from __future__ import annotations

from typing import Any, Final

from ..farm.clock import to_iso
from ..farm.ports import PrinterState
from ..klipper import KlipperSnapshot
from .const import DRIVER_KLIPPER
from .klipper_coordinator import KlipperPrinterCoordinator
from .manager import PrintersManager
from .rest_json import (
    offline_status,
    status_json,
    stored_filament,
    summary_json,
    topology,
)

# The farm's states in the Bambu ``gcode_state`` words the API answers for every printer.
STATUS_WORDS: Final = {
    PrinterState.IDLE: "IDLE",
    PrinterState.PREPARING: "PREPARE",
    PrinterState.RUNNING: "RUNNING",
    PrinterState.PAUSED: "PAUSE",
    PrinterState.FINISH: "FINISH",
    PrinterState.FAILED: "FAILED",
    PrinterState.OFFLINE: "OFFLINE",
    PrinterState.UNKNOWN: "UNKNOWN",
}


def status_word(snapshot: KlipperSnapshot) -> str:
    return STATUS_WORDS[snapshot.state]


def _status(coordinator: KlipperPrinterCoordinator) -> dict[str, Any]:
    live = coordinator.data
    if not coordinator.online:
        return offline_status()
    return {
        "status": status_word(live),
        "current_stage": live.detail or status_word(live),
        "progress_percent": live.progress_percent,
        "remaining_time_minutes": live.to_printer_snapshot().remaining_minutes,
    }


def klipper_summary(coordinator: KlipperPrinterCoordinator) -> dict[str, Any]:
    """An item of ``GET /api/printers``."""
    settings = coordinator.settings
    return summary_json(settings, _status(coordinator), stored_filament(settings))


def klipper_status(coordinator: KlipperPrinterCoordinator) -> dict[str, Any]:
    """``GET /api/printers/{id}/status``."""
    return status_json(coordinator.settings, _status(coordinator), coordinator.online)


def klipper_details(
    manager: PrintersManager, coordinator: KlipperPrinterCoordinator
) -> dict[str, Any]:
    """``GET /api/printers/{id}``: stored settings (never the API key) and live status."""
    settings = coordinator.settings
    live = coordinator.data if coordinator.online else None
    temperatures = live.temperatures if live else None
    return {
        "id": settings.id,
        "name": settings.name,
        "brand": settings.brand,
        "model": settings.model,
        "type": settings.type,
        "driver": DRIVER_KLIPPER,
        **_status(coordinator),
        "filament": stored_filament(settings),
        "build_volume": settings.build_volume,
        "ip_address": settings.ip_address,
        "port": settings.port,
        "serial_number": None,
        "bed_temperature": temperatures.bed if temperatures else None,
        "nozzle_temperature": temperatures.extruder if temperatures else None,
        "bed_target_temperature": temperatures.bed_target if temperatures else None,
        "nozzle_target_temperature": temperatures.extruder_target if temperatures else None,
        "layer": live.layer if live else None,
        "total_layers": live.total_layers if live else None,
        "end_time": coordinator.end_time.isoformat() if coordinator.end_time else None,
        "online": coordinator.online,
        "firmware_version": None,
        "has_build_plate": manager.has_build_plate(settings.id),
        **topology(settings),
        "errors": (
            [{"code": live.detail, "description": live.message, "severity": "error"}]
            if live is not None and live.state is PrinterState.FAILED and live.message
            else []
        ),
    }


def klipper_panel_live(coordinator: KlipperPrinterCoordinator) -> dict[str, Any]:
    """The live fields of a printer in the panel's snapshot (the farm's state words)."""
    live = coordinator.data if coordinator.online else None
    if live is None:
        return {
            "status": "OFFLINE",
            "stage": "OFFLINE",
            "progress": 0,
            "remaining_minutes": 0,
            "end_time": None,
            "nozzle_temperature": None,
            "nozzle_target": None,
            "bed_temperature": None,
            "bed_target": None,
            "chamber_temperature": None,
        }
    state = "IDLE" if live.state is PrinterState.UNKNOWN else live.state.value
    return {
        "status": state,
        "stage": (live.detail or state).upper(),
        "progress": live.progress_percent,
        "remaining_minutes": live.to_printer_snapshot().remaining_minutes,
        "end_time": to_iso(coordinator.end_time) if coordinator.end_time else None,
        "nozzle_temperature": live.temperatures.extruder,
        "nozzle_target": live.temperatures.extruder_target,
        "bed_temperature": live.temperatures.bed,
        "bed_target": live.temperatures.bed_target,
        "chamber_temperature": None,
    }
