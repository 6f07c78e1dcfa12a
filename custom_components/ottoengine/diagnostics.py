"""Diagnostics of the OttoEngine farm, with secrets and addresses redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

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
            "orchestrator": {
                "job_processing_enabled": runtime.processing.enabled,
                "statistics": runtime.processing.statistics.as_dict(),
                "health_issues": runtime.orchestrator.engine.health_issues(),
            },
        },
        TO_REDACT,
    )
