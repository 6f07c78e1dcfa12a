"""The printers' JSON shapes of the REST API (``/api/printers``), live data included.

Access codes and certificate fingerprints are never part of any answer. The topology is
answered as stored (``ottoeject_id``, ``clearing_method``, ``nozzle_diameter_mm``) and, for the
robot's macros and the bed's eject position, as the effective values (the model's defaults
with the printer's overrides on top).
"""

from __future__ import annotations

from typing import Any

from ..bambu import PrinterStatus, PrintState
from .coordinator import PrinterCoordinator
from .manager import PrintersManager
from .settings import PrinterSettings

NOT_AVAILABLE = "N/A"


def _live(coordinator: PrinterCoordinator) -> PrinterStatus | None:
    return coordinator.data if coordinator.online else None


def offline_status() -> dict[str, Any]:
    """The status fields of a printer that is not online (every driver)."""
    return {
        "status": PrintState.OFFLINE.value,
        "current_stage": PrintState.OFFLINE.value,
        "progress_percent": 0,
        "remaining_time_minutes": 0,
    }


def _status(coordinator: PrinterCoordinator) -> dict[str, Any]:
    live = _live(coordinator)
    if live is None:
        return offline_status()
    return {
        "status": live.status.value,
        "current_stage": live.current_stage,
        "progress_percent": live.progress_percent,
        "remaining_time_minutes": live.remaining_time_minutes,
    }


def filament(coordinator: PrinterCoordinator) -> dict[str, Any]:
    """The live filament if the printer reports one, else the stored one, else N/A."""
    live = _live(coordinator)
    if live is not None and live.filament is not None and live.filament.material:
        return {
            "material": live.filament.material,
            "color": live.filament.color,
            "name": live.filament.name,
            "source": live.filament.source,
        }
    return stored_filament(coordinator.settings)


def stored_filament(settings: PrinterSettings) -> dict[str, Any]:
    """The filament stored for the printer (``PUT /api/printers/{id}``), else N/A."""
    stored = settings.filament or {}
    if stored:
        return {
            "material": stored.get("material", NOT_AVAILABLE),
            "color": stored.get("color", NOT_AVAILABLE),
            "source": "database_fallback",
        }
    return {"material": NOT_AVAILABLE, "color": NOT_AVAILABLE, "source": None}


def topology(settings: PrinterSettings) -> dict[str, Any]:
    """Which OttoEject serves the printer, how it is cleared, the macros and eject position."""
    return {
        "ottoeject_id": settings.ottoeject_id,
        "clearing_method": settings.clearing_method.value,
        "macros": settings.macros().as_dict(),
        "eject_position": settings.bed_position().as_dict(),
        "nozzle_diameter_mm": settings.nozzle_diameter_mm,
    }


def summary_json(
    settings: PrinterSettings, status: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """An item of ``GET /api/printers`` (every driver): its status and filament fields given."""
    return {
        "id": settings.id,
        "name": settings.name,
        "status": status["status"],
        "type": settings.type,
        "filament": {"material": current["material"], "color": current["color"]},
        **topology(settings),
    }


def status_json(settings: PrinterSettings, status: dict[str, Any], online: bool) -> dict[str, Any]:
    """``GET /api/printers/{id}/status`` (every driver): its status fields given."""
    return {
        "id": settings.id,
        "name": settings.name,
        "brand": settings.brand,
        "model": settings.model,
        **status,
        "online": online,
    }


def printer_summary(coordinator: PrinterCoordinator) -> dict[str, Any]:
    """An item of ``GET /api/printers``."""
    return summary_json(coordinator.settings, _status(coordinator), filament(coordinator))


def printer_status(coordinator: PrinterCoordinator) -> dict[str, Any]:
    """``GET /api/printers/{id}/status``."""
    return status_json(coordinator.settings, _status(coordinator), coordinator.online)


def printer_details(manager: PrintersManager, coordinator: PrinterCoordinator) -> dict[str, Any]:
    """``GET /api/printers/{id}``: stored settings and live status."""
    settings = coordinator.settings
    live = _live(coordinator)
    client = coordinator.client
    return {
        "id": settings.id,
        "name": settings.name,
        "brand": settings.brand,
        "model": settings.model,
        "type": settings.type,
        **_status(coordinator),
        "filament": filament(coordinator),
        "build_volume": settings.build_volume,
        "ip_address": settings.ip_address,
        "serial_number": settings.serial_number,
        "bed_temperature": live.bed_temperature if live else None,
        "nozzle_temperature": live.nozzle_temperature if live else None,
        "bed_target_temperature": live.bed_target_temperature if live else None,
        "nozzle_target_temperature": live.nozzle_target_temperature if live else None,
        "layer": live.layer if live else None,
        "total_layers": live.total_layers if live else None,
        "end_time": coordinator.end_time.isoformat() if coordinator.end_time else None,
        "online": coordinator.online,
        "firmware_version": client.firmware_version if client else None,
        "has_build_plate": manager.has_build_plate(settings.id),
        **topology(settings),
        "errors": [
            {"code": error.code, "description": error.description, "severity": error.severity}
            for error in live.errors
        ]
        if live
        else [],
    }
