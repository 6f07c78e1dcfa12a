"""What a printer's status change means to automations: print started, finished, failed...

``printer_triggers(previous, new)`` is pure (no Home Assistant): the coordinator calls it with
the last *known* status (offline gaps are skipped, so a print that finished while the printer
was unreachable still counts as finished when it is back) and fires one
``ottoengine_printer_event`` per trigger; the device triggers (``device_trigger.py``) listen
for those events.

- started: the printer became busy (prepare, running, paused, slicing) after not being busy;
- finished / failed / cancelled: a busy printer reached FINISH / FAILED (cancelled when the
  print error is the cancel code), or went back to IDLE with the cancel code;
- error / error cleared: an error (print error or HMS) appeared that was not there before /
  the last one went away. The cancel "error" is not a printer error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ..bambu import PrinterError, PrinterStatus, PrintState
from ..bambu.hms import PRINT_CANCELLED_ERROR, format_print_error
from ..const import DOMAIN

# The Home Assistant event fired for every trigger (data: device_id, printer_id, type...).
EVENT_PRINTER: Final = f"{DOMAIN}_printer_event"
CANCELLED_CODE: Final = format_print_error(PRINT_CANCELLED_ERROR)
# States that say nothing about the print (the printer is unreachable or still starting up).
UNKNOWN_STATES: Final = frozenset({PrintState.OFFLINE, PrintState.UNKNOWN})


class PrinterTrigger(StrEnum):
    """The device trigger types of a printer (``device_automation.trigger_type`` keys)."""

    PRINT_STARTED = "print_started"
    PRINT_FINISHED = "print_finished"
    PRINT_FAILED = "print_failed"
    PRINT_CANCELLED = "print_cancelled"
    PRINTER_ERROR = "printer_error"
    PRINTER_ERROR_CLEARED = "printer_error_cleared"


def is_known(status: PrinterStatus) -> bool:
    """Whether ``status`` says what the printer is doing (not offline, not unknown)."""
    return status.status not in UNKNOWN_STATES


def active_errors(status: PrinterStatus) -> tuple[PrinterError, ...]:
    """The printer's errors, without the cancel code (a cancelled print is not an error)."""
    return tuple(error for error in status.errors if error.code != CANCELLED_CODE)


def printer_triggers(previous: PrinterStatus | None, new: PrinterStatus) -> list[PrinterTrigger]:
    """The triggers of the change from ``previous`` to ``new`` (both known states), in order."""
    if previous is None or not is_known(previous) or not is_known(new):
        return []
    triggers: list[PrinterTrigger] = []
    if previous.is_busy and not new.is_busy:
        if new.status is PrintState.FINISH:
            triggers.append(PrinterTrigger.PRINT_FINISHED)
        elif new.cancelled and new.status in (PrintState.FAILED, PrintState.IDLE):
            triggers.append(PrinterTrigger.PRINT_CANCELLED)
        elif new.status is PrintState.FAILED:
            triggers.append(PrinterTrigger.PRINT_FAILED)
    elif new.is_busy and not previous.is_busy:
        triggers.append(PrinterTrigger.PRINT_STARTED)
    before = {error.code for error in active_errors(previous)}
    now = {error.code for error in active_errors(new)}
    if now - before:
        triggers.append(PrinterTrigger.PRINTER_ERROR)
    elif before and not now:
        triggers.append(PrinterTrigger.PRINTER_ERROR_CLEARED)
    return triggers
