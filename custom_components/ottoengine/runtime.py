"""What a loaded OttoEngine hub entry holds while it runs (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .farm.orchestrator import Orchestrator
from .farm.state import FarmState
from .storage import FarmStore


@dataclass
class OttoRuntime:
    store: FarmStore
    orchestrator: Orchestrator
    hub_device_id: str

    @property
    def state(self) -> FarmState:
        return self.store.state

    def active_jobs(self) -> list[dict[str, Any]]:
        """Jobs the orchestrator is working on, in the orchestration API's shape."""
        return []

    def async_state_changed(self) -> None:
        """Call after every change of the farm's state: it is saved shortly after."""
        self.store.async_schedule_save()


type OttoConfigEntry = ConfigEntry[OttoRuntime]
