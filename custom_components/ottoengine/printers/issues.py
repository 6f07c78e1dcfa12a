"""Repair issues of a printer that needs the user (new access code, new certificate, ...).

Issue ids are ``<kind>_<subentry id>``; their ``data`` name the printer so that the fix flows in
``repairs.py`` find it.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from .const import ISSUE_ACCESS_CODE, ISSUE_CERTIFICATE, ISSUE_DEVELOPER_MODE, ISSUE_WRONG_SERIAL
from .settings import PrinterSettings

ISSUE_KINDS = (ISSUE_ACCESS_CODE, ISSUE_CERTIFICATE, ISSUE_WRONG_SERIAL, ISSUE_DEVELOPER_MODE)
FIXABLE = frozenset({ISSUE_ACCESS_CODE, ISSUE_CERTIFICATE})
# Cleared as soon as the printer is connected again.
CONNECTION_ISSUES = (ISSUE_ACCESS_CODE, ISSUE_CERTIFICATE, ISSUE_WRONG_SERIAL)


def issue_id(kind: str, subentry_id: str) -> str:
    return f"{kind}_{subentry_id}"


@callback
def async_raise_issue(
    hass: HomeAssistant, entry_id: str, subentry_id: str, kind: str, settings: PrinterSettings
) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, subentry_id),
        is_fixable=kind in FIXABLE,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING
        if kind == ISSUE_DEVELOPER_MODE
        else ir.IssueSeverity.ERROR,
        translation_key=kind,
        translation_placeholders={"name": settings.name},
        data={"entry_id": entry_id, "subentry_id": subentry_id, "kind": kind},
    )


@callback
def async_clear_issues(
    hass: HomeAssistant, subentry_id: str, kinds: tuple[str, ...] = ISSUE_KINDS
) -> None:
    for kind in kinds:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, subentry_id))
