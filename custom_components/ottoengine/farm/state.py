"""The farm's persistent state: everything OttoEngine must remember across restarts.

The Home Assistant layer stores ``FarmState.as_dict()`` in HA's ``Store`` and rebuilds the
state with ``FarmState.from_dict`` at start-up; nothing here knows how it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ids import IdAllocator

STATE_VERSION = 1


class FarmState:
    """Ids and records of the farm (devices themselves live in HA config subentries)."""

    def __init__(self, ids: IdAllocator | None = None) -> None:
        self.ids = ids or IdAllocator()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FarmState:
        data = data or {}
        return cls(IdAllocator(data.get("next_ids")))

    def as_dict(self) -> dict[str, Any]:
        return {"next_ids": self.ids.as_dict()}
