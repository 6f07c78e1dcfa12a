"""A printer's maintenance figures: jobs completed and failed, print hours, filament used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class PrinterCounters:
    jobs_completed: int = 0
    jobs_failed: int = 0
    print_seconds: float = 0.0
    filament_g: float = 0.0

    @property
    def print_hours(self) -> float:
        return round(self.print_seconds / 3600, 2)

    def record(self, *, succeeded: bool, seconds: float | None, filament_g: float | None) -> None:
        if succeeded:
            self.jobs_completed += 1
        else:
            self.jobs_failed += 1
        self.print_seconds += max(0.0, seconds or 0.0)
        self.filament_g += max(0.0, filament_g or 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "jobs_completed": self.jobs_completed,
            "jobs_failed": self.jobs_failed,
            "print_seconds": self.print_seconds,
            "filament_g": self.filament_g,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrinterCounters:
        return cls(
            jobs_completed=int(data.get("jobs_completed", 0)),
            jobs_failed=int(data.get("jobs_failed", 0)),
            print_seconds=float(data.get("print_seconds", 0.0)),
            filament_g=float(data.get("filament_g", 0.0)),
        )
