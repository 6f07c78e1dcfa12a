"""Config subentry flows of the hub: printers, OttoEjects and racks."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigEntryState

from ..runtime import OttoRuntime


def loaded_runtime(entry: ConfigEntry) -> OttoRuntime | None:
    """The hub's runtime, or ``None`` while the hub is not loaded (the flows abort then)."""
    if entry.state is not ConfigEntryState.LOADED:
        return None
    runtime: OttoRuntime = entry.runtime_data
    return runtime
