"""Diagnostics of the OttoEngine farm, with secrets and addresses redacted.

Each printer's live status (AMS, errors, fans, lights...) is included as the status model holds
it; access codes, serials, fingerprints and addresses are redacted wherever they appear.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .printers.coordinator import PrinterCoordinator
from .printers.klipper_coordinator import KlipperPrinterCoordinator
from .runtime import OttoConfigEntry

TO_REDACT = {
    "access_code",
    "api_key",
    "serial_number",
    "serial",
    "ip_address",
    "host",
    "ip",
    "fingerprint",
    "token",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OttoConfigEntry
) -> dict[str, Any]:
    runtime = entry.runtime_data
    return async_redact_data(
        {
            "entry": {"title": entry.title, "version": entry.version, "data": dict(entry.data)},
            "subentries": [
                {
                    "type": subentry.subentry_type,
                    "title": subentry.title,
                    "data": dict(subentry.data),
                }
                for subentry in entry.subentries.values()
            ],
            "state": runtime.state.as_dict(),
            "printers": {
                str(printer_id): _printer(coordinator)
                for printer_id, coordinator in sorted(runtime.printers.coordinators.items())
            },
            "klipper_printers": {
                str(printer_id): _klipper_printer(coordinator)
                for printer_id, coordinator in sorted(runtime.printers.klipper_coordinators.items())
            },
            "orchestrator": {
                "job_processing_enabled": runtime.processing.enabled,
                "statistics": runtime.processing.statistics.as_dict(),
                "health_issues": runtime.orchestrator.engine.health_issues(),
            },
        },
        TO_REDACT,
    )


def _printer(coordinator: PrinterCoordinator) -> dict[str, Any]:
    """One printer's connection and its status model (``None`` before its first report)."""
    client = coordinator.client
    status = coordinator.data
    return {
        "name": coordinator.settings.name,
        "model": coordinator.settings.model,
        "online": coordinator.online,
        "authorization_blocked": coordinator.authorization_blocked,
        "firmware_version": client.firmware_version if client is not None else None,
        "status": dataclasses.asdict(status) if status is not None else None,
    }


def _klipper_printer(coordinator: KlipperPrinterCoordinator) -> dict[str, Any]:
    """A Klipper printer's driver view (its Moonraker API key is redacted with the subentries)."""
    return {
        "name": coordinator.settings.name,
        "model": coordinator.settings.model,
        "port": coordinator.settings.port,
        "online": coordinator.online,
        "status": dataclasses.asdict(coordinator.data),
    }
