"""How the farm's job logic reaches the printers without knowing their drivers.

The printers' layer sets ``OttoRuntime.printer_control`` to an object with these methods; while
it is ``None`` (no printer driver loaded) job changes are only recorded.
"""

from __future__ import annotations

from typing import Protocol


class PrinterControlError(Exception):
    """The printer could not do what was asked (offline, refused, ...); the message says why."""


class PrinterControl(Protocol):
    async def async_stop_print(self, printer_id: int, job_id: int) -> None:
        """Stop the print of ``job_id`` on ``printer_id``; raise ``PrinterControlError``."""
