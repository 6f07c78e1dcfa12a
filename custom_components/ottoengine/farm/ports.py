"""What the farm's logic (the orchestrator, job cancellation) needs of a device.

The device layers (``printers/``, ``ottoeject/``) implement these protocols on top of their
drivers; tests implement them with fakes. Nothing here knows a driver or Home Assistant.
Commands raise the errors of ``device_errors``; a command whose acknowledgement did not come in
time but that the device may still carry out answers ``CommandResult.SENT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class CommandResult(StrEnum):
    """How a command ended when it did not fail."""

    CONFIRMED = "confirmed"  # the device said it took the command
    SENT = "sent"  # delivered, no confirmation (yet): watch the device's status


class PrinterState(StrEnum):
    """The normalised state of any printer, whatever its driver."""

    IDLE = "IDLE"
    PREPARING = "PREPARING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    FINISH = "FINISH"
    FAILED = "FAILED"
    OFFLINE = "OFFLINE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class PrinterSnapshot:
    """What a printer reports at one moment."""

    state: PrinterState
    job_name: str | None = None  # the file or task it prints (or printed last)
    progress_percent: int = 0
    remaining_minutes: int = 0
    layer: int | None = None
    total_layers: int | None = None
    error_code: int = 0

    @property
    def online(self) -> bool:
        return self.state not in (PrinterState.OFFLINE, PrinterState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class StartOptions:
    """How to start a print (Bambu Lab options; other drivers ignore what they lack)."""

    plate: int = 1
    use_ams: bool | None = None
    ams_mapping: tuple[int, ...] | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)  # bed_leveling, timelapse, ...


class PrinterPort(Protocol):
    """One printer of the farm."""

    @property
    def printer_id(self) -> int: ...

    @property
    def name(self) -> str: ...

    def snapshot(self) -> PrinterSnapshot: ...

    async def async_upload(self, path: Path, remote_name: str) -> str:
        """Copy a local file to the printer's storage; returns its name there."""

    async def async_start_print(self, filename: str, options: StartOptions) -> CommandResult: ...

    async def async_pause(self) -> CommandResult: ...

    async def async_resume(self) -> CommandResult: ...

    async def async_stop(self) -> CommandResult: ...

    async def async_send_gcode(self, gcode: str) -> CommandResult:
        """Send G-code lines separated by newlines."""


class EjectorState(StrEnum):
    """The seed API's OttoEject status values."""

    ONLINE = "ONLINE"
    EJECTING = "EJECTING"
    OFFLINE = "OFFLINE"
    ISSUE = "ISSUE"


@dataclass(frozen=True, slots=True)
class EjectorSnapshot:
    """What an OttoEject reports at one moment."""

    state: EjectorState
    current_macro: str | None = None
    message: str | None = None


class EjectorPort(Protocol):
    """One OttoEject robot of the farm."""

    @property
    def ejector_id(self) -> int: ...

    @property
    def name(self) -> str: ...

    def snapshot(self) -> EjectorSnapshot: ...

    async def async_run_macro(
        self, macro: str, params: Mapping[str, str | int | float] | None = None
    ) -> CommandResult:
        """Run a G-code macro and wait until the robot finished it (or its timeout)."""


class PrinterFleet(Protocol):
    """The farm's printers, by their API id."""

    def printer(self, printer_id: int) -> PrinterPort | None: ...

    def printer_ids(self) -> list[int]: ...


class EjectorFleet(Protocol):
    """The farm's OttoEjects, by their API id."""

    def ejector(self, ejector_id: int) -> EjectorPort | None: ...

    def ejector_ids(self) -> list[int]: ...
