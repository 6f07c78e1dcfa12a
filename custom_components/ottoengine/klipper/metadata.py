"""A G-code file's slicer metadata as Moonraker extracts it (``server.files.metadata``).

Moonraker omits every field it does not know, and extracts the metadata asynchronously after an
upload (the first request may answer 404 "Metadata not available"); the client retries briefly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A slicer thumbnail; ``relative_path`` is relative to the G-code file's folder."""

    width: int
    height: int
    size: int
    relative_path: str


@dataclass(frozen=True, slots=True)
class FileMetadata:
    """What the slicer wrote into a file (``None``: not in the file)."""

    filename: str
    size: int | None = None
    modified: float | None = None
    slicer: str | None = None
    slicer_version: str | None = None
    estimated_time: float | None = None  # s
    layer_count: int | None = None
    layer_height: float | None = None
    first_layer_height: float | None = None
    object_height: float | None = None  # mm: the print's maximum Z
    filament_total: float | None = None  # mm
    filament_weight_total: float | None = None  # g
    thumbnails: tuple[Thumbnail, ...] = ()

    @property
    def total_layers(self) -> int | None:
        """The slicer's layer count, else one computed from the heights."""
        if self.layer_count is not None:
            return self.layer_count
        if self.object_height and self.layer_height and self.layer_height > 0:
            first = self.first_layer_height or self.layer_height
            return max(1, round((self.object_height - first) / self.layer_height) + 1)
        return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _int(value: Any) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def metadata_from(result: Mapping[str, Any], filename: str) -> FileMetadata:
    """Parse a ``server.files.metadata`` result (unknown or malformed fields become ``None``)."""
    thumbnails = tuple(
        Thumbnail(
            width=_int(item.get("width")) or 0,
            height=_int(item.get("height")) or 0,
            size=_int(item.get("size")) or 0,
            relative_path=str(item["relative_path"]),
        )
        for item in result.get("thumbnails") or ()
        if isinstance(item, Mapping) and isinstance(item.get("relative_path"), str)
    )
    return FileMetadata(
        filename=_str(result.get("filename")) or filename,
        size=_int(result.get("size")),
        modified=_float(result.get("modified")),
        slicer=_str(result.get("slicer")),
        slicer_version=_str(result.get("slicer_version")),
        estimated_time=_float(result.get("estimated_time")),
        layer_count=_int(result.get("layer_count")),
        layer_height=_float(result.get("layer_height")),
        first_layer_height=_float(result.get("first_layer_height")),
        object_height=_float(result.get("object_height")),
        filament_total=_float(result.get("filament_total")),
        filament_weight_total=_float(result.get("filament_weight_total")),
        thumbnails=thumbnails,
    )
