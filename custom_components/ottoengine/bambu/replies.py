"""Interpretation of the printer's replies to requests (``"result": "success"|"failed"``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import AuthorizationFirmwareError, BambuCommandError, PrinterBusyError
from .hms import (
    AUTHORIZATION_ERR_CODE,
    AUTHORIZATION_HMS_CODE,
    PRINTER_BUSY_ERROR_CODE,
    format_hms_code,
    format_print_error,
)

AUTHORIZATION_REASON = "mqtt message verify failed"


def reply_error(body: Mapping[str, Any]) -> BambuCommandError | None:
    """The error a failed reply stands for, ``None`` for a successful (or result-less) one.

    Authorization Control firmware rejections (reason "mqtt message verify failed" or
    ``err_code`` 84033543) become :class:`AuthorizationFirmwareError`; a busy printer's
    refusal (0500_4004) becomes :class:`PrinterBusyError`.
    """
    result = str(body.get("result", "")).lower()
    err_code = _int(body.get("err_code"))
    if result != "failed" and not err_code:
        return None
    command = str(body.get("command", "request"))
    reason = str(body.get("reason") or "")
    if AUTHORIZATION_REASON in reason.lower() or err_code == AUTHORIZATION_ERR_CODE:
        return AuthorizationFirmwareError(
            f"{command} rejected by Authorization Control firmware: enable LAN-only mode and "
            "Developer Mode on the printer",
            reason=reason or AUTHORIZATION_REASON,
        )
    code = format_print_error(err_code) if err_code else None
    if code == PRINTER_BUSY_ERROR_CODE or "busy" in reason.lower():
        return PrinterBusyError(f"{command} refused: printer busy", reason=reason or code)
    detail = reason or code or "no reason given"
    return BambuCommandError(f"{command} failed: {detail}", reason=detail)


def reports_authorization_block(report: Mapping[str, Any]) -> bool:
    """Whether a status report carries the authorization HMS code (0500_0500_0001_0007)."""
    hms = report.get("hms")
    for entry in hms if isinstance(hms, list) else []:
        if not isinstance(entry, Mapping):
            continue
        attr, code = _int(entry.get("attr")), _int(entry.get("code"))
        if (
            attr is not None
            and code is not None
            and format_hms_code(attr, code) == AUTHORIZATION_HMS_CODE
        ):
            return True
    return False


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except TypeError, ValueError:
        return None
