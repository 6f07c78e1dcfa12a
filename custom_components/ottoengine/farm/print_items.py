"""Print items: uploaded, parsed print files that jobs print."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import from_iso, to_iso


@dataclass(slots=True)
class PrintItem:
    """One uploaded file, stored once per content (``sha256``) under the print-files folder.

    ``stored_name`` and ``thumbnail_name`` are file names inside that folder (never paths, so
    the configuration folder may move); ``metadata`` is what the parser found
    (``PrintFileInfo.as_dict()``).
    """

    id: int
    filename: str
    stored_name: str
    size_bytes: int
    sha256: str
    created_at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    thumbnail_name: str | None = None

    @property
    def estimated_print_time_min(self) -> int | None:
        seconds = self.metadata.get("estimated_print_time_s")
        if seconds is None:
            return None
        return (int(seconds) + 30) // 60

    @property
    def layer_count(self) -> int | None:
        value = self.metadata.get("layer_count")
        return None if value is None else int(value)

    @property
    def filament_used_g(self) -> float | None:
        value = self.metadata.get("filament_used_g")
        return None if value is None else float(value)

    @property
    def max_z_height_mm(self) -> float | None:
        value = self.metadata.get("max_z_height_mm")
        return None if value is None else float(value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "stored_name": self.stored_name,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "created_at": to_iso(self.created_at),
            "metadata": dict(self.metadata),
            "thumbnail_name": self.thumbnail_name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrintItem:
        created_at = from_iso(data["created_at"])
        assert created_at is not None
        return cls(
            id=int(data["id"]),
            filename=str(data["filename"]),
            stored_name=str(data["stored_name"]),
            size_bytes=int(data["size_bytes"]),
            sha256=str(data["sha256"]),
            created_at=created_at,
            metadata=dict(data.get("metadata") or {}),
            thumbnail_name=data.get("thumbnail_name"),
        )
