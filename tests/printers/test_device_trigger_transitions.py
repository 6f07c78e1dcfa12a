"""printer_triggers: which device triggers a printer's status change fires (pure, no HA)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ottoengine.bambu import PrinterStatus
from custom_components.ottoengine.bambu.hms import PRINT_CANCELLED_ERROR
from custom_components.ottoengine.printers.triggers import (
    PrinterTrigger as T,
    active_errors,
    printer_triggers,
)

HMS = {"attr": 0x03000100, "code": 0x00010007}
OTHER_HMS = {"attr": 0x07000200, "code": 0x00020001}
FILAMENT_RUNOUT = 0x07008011


def status(state: str, *, print_error: int = 0, hms: list[Any] | None = None) -> PrinterStatus:
    return PrinterStatus.from_report(
        {"gcode_state": state, "print_error": print_error, "hms": hms or []}
    )


def offline() -> PrinterStatus:
    return PrinterStatus.from_report({}, online=False)


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        (status("IDLE"), status("PREPARE"), [T.PRINT_STARTED]),
        (status("FINISH"), status("RUNNING"), [T.PRINT_STARTED]),
        (status("FAILED"), status("PREPARE"), [T.PRINT_STARTED]),
        (status("PREPARE"), status("RUNNING"), []),
        (status("RUNNING"), status("PAUSE"), []),
        (status("PAUSE"), status("RUNNING"), []),
        (status("RUNNING"), status("FINISH"), [T.PRINT_FINISHED]),
        (status("PAUSE"), status("FINISH"), [T.PRINT_FINISHED]),
        (status("FINISH"), status("IDLE"), []),
        (status("IDLE"), status("IDLE"), []),
        (
            status("RUNNING"),
            status("FAILED", print_error=FILAMENT_RUNOUT),
            [T.PRINT_FAILED, T.PRINTER_ERROR],
        ),
        (status("RUNNING"), status("FAILED"), [T.PRINT_FAILED]),
        (
            status("RUNNING"),
            status("FAILED", print_error=PRINT_CANCELLED_ERROR),
            [T.PRINT_CANCELLED],
        ),
        (
            status("PAUSE"),
            status("IDLE", print_error=PRINT_CANCELLED_ERROR),
            [T.PRINT_CANCELLED],
        ),
        (status("RUNNING"), status("IDLE"), []),
        (status("IDLE"), status("IDLE", hms=[HMS]), [T.PRINTER_ERROR]),
        (status("IDLE", hms=[HMS]), status("IDLE", hms=[HMS]), []),
        (status("IDLE", hms=[HMS]), status("IDLE", hms=[HMS, OTHER_HMS]), [T.PRINTER_ERROR]),
        (status("IDLE", hms=[HMS, OTHER_HMS]), status("IDLE", hms=[HMS]), []),
        (status("IDLE", hms=[HMS]), status("IDLE"), [T.PRINTER_ERROR_CLEARED]),
        (
            status("FAILED", print_error=FILAMENT_RUNOUT),
            status("PREPARE"),
            [T.PRINT_STARTED, T.PRINTER_ERROR_CLEARED],
        ),
        # Nothing is known before the first status, or across an offline / unknown state.
        (None, status("RUNNING"), []),
        (offline(), status("FINISH"), []),
        (status("RUNNING"), offline(), []),
        (status("RUNNING"), PrinterStatus.from_report({}), []),
    ],
)
def test_printer_triggers(
    previous: PrinterStatus | None, new: PrinterStatus, expected: list[T]
) -> None:
    assert printer_triggers(previous, new) == expected


def test_cancel_code_is_not_an_error() -> None:
    cancelled = status("FAILED", print_error=PRINT_CANCELLED_ERROR, hms=[HMS])
    assert [error.kind for error in active_errors(cancelled)] == ["hms"]
