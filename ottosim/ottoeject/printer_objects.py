"""The Klipper printer objects an OttoEject exposes (``objects/list``, ``query``, ``subscribe``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import copy
from typing import Any

from ottosim.klippy.status import status_changes

__all__ = ["IDLE_TIMEOUT_SECONDS", "PrinterObjects", "status_changes"]

IDLE_TIMEOUT_SECONDS = 600.0


class PrinterObjects:
    """Status of every printer object, with Klipper's query semantics.

    An unknown object answers ``{}``; an unknown field answers ``None``; a field list of ``None``
    means every field.
    """

    def __init__(self, macro_names: Sequence[str], gcodes_dir: str) -> None:
        self._macro_names = tuple(macro_names)
        self._gcodes_dir = gcodes_dir
        self.webhooks: dict[str, Any] = {}
        self.idle_timeout_state = "Idle"
        self._printing_since: float | None = None
        self._printing_time = 0.0
        self.homed_axes = ""
        self.reset(list(macro_names), state="startup", message="Printer is not ready")

    def reset(self, macro_names: Sequence[str], *, state: str, message: str) -> None:
        """Fresh values, as after Klippy (re)starts."""
        self._macro_names = tuple(macro_names)
        self.webhooks = {"state": state, "state_message": message}
        self.idle_timeout_state = "Idle"
        self._printing_since = None
        self._printing_time = 0.0
        self.homed_axes = ""

    def set_webhooks(self, state: str, message: str) -> None:
        self.webhooks = {"state": state, "state_message": message}

    def begin_activity(self, now: float) -> None:
        """The toolhead got work: ``idle_timeout`` says Printing."""
        if self._printing_since is None:
            self._printing_since = now
        self.idle_timeout_state = "Printing"

    def end_activity(self, now: float) -> None:
        """The toolhead is idle again: ``idle_timeout`` says Ready."""
        if self._printing_since is not None:
            self._printing_time = now - self._printing_since
        self._printing_since = None
        self.idle_timeout_state = "Ready"

    def names(self) -> list[str]:
        return [
            "webhooks",
            "configfile",
            "heaters",
            "toolhead",
            "gcode_move",
            "print_stats",
            "virtual_sdcard",
            "pause_resume",
            "display_status",
            "idle_timeout",
            *(f"gcode_macro {name}" for name in self._macro_names),
        ]

    def _full_status(self, name: str, now: float) -> dict[str, Any] | None:
        if name == "webhooks":
            return dict(self.webhooks)
        if name == "idle_timeout":
            printing_time = self._printing_time
            if self._printing_since is not None:
                printing_time = now - self._printing_since
            return {
                "state": self.idle_timeout_state,
                "printing_time": round(printing_time, 2),
                "idle_timeout": IDLE_TIMEOUT_SECONDS,
            }
        if name == "print_stats":
            return {
                "filename": "",
                "total_duration": 0.0,
                "print_duration": 0.0,
                "filament_used": 0.0,
                "state": "standby",
                "message": "",
                "info": {"total_layer": None, "current_layer": None},
            }
        if name == "virtual_sdcard":
            return {
                "file_path": None,
                "progress": 0.0,
                "is_active": False,
                "file_position": 0,
                "file_size": 0,
            }
        if name == "pause_resume":
            return {"is_paused": False}
        if name == "display_status":
            return {"progress": 0.0, "message": None}
        if name == "heaters":
            return {"available_heaters": [], "available_sensors": [], "available_monitors": []}
        if name == "toolhead":
            return {
                "homed_axes": self.homed_axes,
                "position": [0.0, 0.0, 0.0, 0.0],
                "max_velocity": 300.0,
                "max_accel": 3000.0,
            }
        if name == "gcode_move":
            return {"absolute_coordinates": True, "speed_factor": 1.0}
        if name == "configfile":
            return {
                "config": {"virtual_sdcard": {"path": self._gcodes_dir}},
                "settings": {"virtual_sdcard": {"path": self._gcodes_dir}},
                "save_config_pending": False,
                "warnings": [],
            }
        if name.startswith("gcode_macro ") and name[len("gcode_macro ") :] in self._macro_names:
            return {}
        return None

    def query(
        self, requested: Mapping[str, Sequence[str] | None], now: float
    ) -> dict[str, dict[str, Any]]:
        """Klipper's ``objects/query`` status for the requested objects and fields."""
        status: dict[str, dict[str, Any]] = {}
        for name, fields in requested.items():
            full = self._full_status(name, now)
            if full is None:
                status[name] = {}
            elif fields is None:
                status[name] = copy.deepcopy(full)
            else:
                status[name] = {key: copy.deepcopy(full.get(key)) for key in fields}
        return status
