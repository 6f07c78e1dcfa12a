"""Formatting and decoding of printer error codes: ``print_error`` and HMS entries.

The English texts of Bambu Lab's public HMS and device-error tables live in ``data/hms_en.json``
(see its ``_source``). The file is read once, when this HA-free module is imported (Home
Assistant imports integrations in an executor), never in the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
import json
from typing import Any, Literal

PRINT_CANCELLED_ERROR = 50348044  # 0x0300400C: the user (or a stop command) cancelled the print
AUTHORIZATION_ERR_CODE = 84033543  # 0x05024007: "mqtt message verify failed"
AUTHORIZATION_HMS_CODE = "0500_0500_0001_0007"
PRINTER_BUSY_ERROR_CODE = "0500_4004"

# Texts for the codes the protocol reference documents, keyed by the formatted code.
PRINT_ERROR_TEXTS: dict[str, str] = {
    "0300_400C": "Print cancelled",
    "0500_4004": "Printer busy: a print cannot start now",
    "0500_C010": "MicroSD card read/write error (print started before the upload finished)",
    "0502_4007": "Command rejected: firmware requires signed commands (mqtt message verify failed)",
    "0700_8012": "Failed to get AMS mapping table (invalid ams_mapping)",
    "07FF_8012": "Failed to get AMS mapping table (invalid ams_mapping)",
}
HMS_TEXTS: dict[str, str] = {
    AUTHORIZATION_HMS_CODE: (
        "LAN command rejected by Authorization Control firmware: "
        "enable LAN-only mode and Developer Mode on the printer"
    ),
}

WIKI_BASE_URL = "https://wiki.bambulab.com"
HMS_WIKI_HOME = f"{WIKI_BASE_URL}/en/hms/home"


def _load_table() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data", "hms_en.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


_TABLE = _load_table()
# Public tables: "0300_0100_0001_0001" → text, "0300_400C" → text, HMS code → wiki section.
HMS_TABLE: dict[str, str] = _TABLE["hms"]
PRINT_ERROR_TABLE: dict[str, str] = _TABLE["print_error"]
HMS_WIKI: dict[str, str] = _TABLE["hms_wiki"]

SEVERITIES: dict[int, str] = {1: "fatal", 2: "serious", 3: "common", 4: "info"}
MODULES: dict[int, str] = {
    0x03: "motion_controller",
    0x05: "mainboard",
    0x07: "ams",
    0x08: "toolhead",
    0x0C: "camera",
}


@dataclass(frozen=True, slots=True)
class PrinterError:
    """One active error: a ``print_error`` or an HMS (health management system) entry."""

    kind: Literal["print_error", "hms"]
    code: str  # "0300_400C" (print_error) or "HMS_0300_0100_0001_0007"
    description: str  # the known text, else the code itself
    severity: str | None = None  # HMS only: fatal, serious, common, info
    module: str | None = None  # HMS only: ams, toolhead, mainboard...
    url: str | None = None  # HMS only: the Bambu Lab wiki page of the code


def format_print_error(value: int) -> str:
    """``50348044`` → ``"0300_400C"`` (8 hex digits split in two groups)."""
    text = f"{value & 0xFFFFFFFF:08X}"
    return f"{text[:4]}_{text[4:]}"


def format_hms_code(attr: int, code: int) -> str:
    """The HMS code string (four 4-hex-digit groups), e.g. ``"0C00_0300_0003_0007"``."""
    return "_".join(
        f"{group:04X}" for group in (attr >> 16, attr & 0xFFFF, code >> 16, code & 0xFFFF)
    )


def decode_print_error(value: int) -> PrinterError:
    """A ``print_error`` value as a :class:`PrinterError` (text when the code is known)."""
    code = format_print_error(value)
    text = PRINT_ERROR_TEXTS.get(code) or PRINT_ERROR_TABLE.get(code, code)
    return PrinterError("print_error", code, text)


def hms_wiki_url(formatted: str) -> str:
    """The wiki page of an HMS code (``"0300_0100_0001_0001"``); the HMS home page if unknown."""
    section = HMS_WIKI.get(formatted)
    if section is None:
        return HMS_WIKI_HOME
    if section.startswith("/"):
        return f"{WIKI_BASE_URL}{section}"
    return f"{WIKI_BASE_URL}/en/{section}/troubleshooting/hmscode/{formatted}"


def decode_hms(attr: int, code: int) -> PrinterError:
    """One ``hms`` entry (``{attr, code}``) as a :class:`PrinterError`."""
    formatted = format_hms_code(attr, code)
    label = f"HMS_{formatted}"
    return PrinterError(
        "hms",
        label,
        HMS_TEXTS.get(formatted) or HMS_TABLE.get(formatted, label),
        severity=SEVERITIES.get(code >> 16, "unknown"),
        module=MODULES.get(attr >> 24, f"module_{attr >> 24:02X}"),
        url=hms_wiki_url(formatted),
    )
