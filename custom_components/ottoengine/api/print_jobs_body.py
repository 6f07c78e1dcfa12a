"""Reading a print job's settings from a create/update body, with every reference checked.

Unknown references (print item, printer, OttoEject, rack) are 400 naming the field, like every
other invalid field; slots that clash with the rack or another job are 409.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry

from ..farm.jobs import JobSettings, PrintJob
from ..farm.slots import SlotError, check_slots
from ..farm.state import FarmState
from ..subentries import SUBENTRY_OTTOEJECT, SUBENTRY_PRINTER, find_subentry
from .errors import ApiError, bad_request

SETTING_FIELDS: Final = (
    "printer_id",
    "ottoeject_id",
    "rack_id",
    "store_slot",
    "grab_slot",
    "auto_start",
    "priority",
    "use_ams",
    "start_after",
    "match_color",
)


def positive_int(body: dict[str, Any], key: str, *, nullable: bool) -> int | None:
    value = body.get(key)
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_request(key, "must be a positive integer" + (" or null" if nullable else ""))
    return value


def boolean(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise bad_request(key, "must be true or false")
    return value


def settings_from_body(
    body: dict[str, Any], base: JobSettings, entry: ConfigEntry, state: FarmState
) -> JobSettings:
    """``base`` with the body's fields applied; each given field is checked."""
    changes: dict[str, Any] = {}
    for key in ("printer_id", "ottoeject_id", "rack_id", "store_slot", "grab_slot"):
        if key in body:
            changes[key] = positive_int(body, key, nullable=True)
    if "start_after" in body:
        changes["start_after"] = _moment(body, "start_after")
    for key in ("auto_start", "use_ams", "match_color"):
        if key in body:
            changes[key] = boolean(body, key)
    if "priority" in body:
        changes["priority"] = positive_int(body, "priority", nullable=False)
    settings = replace(base, **changes)
    if settings.printer_id is not None and not find_subentry(
        entry, SUBENTRY_PRINTER, settings.printer_id
    ):
        raise bad_request("printer_id", f"printer {settings.printer_id} does not exist")
    if settings.ottoeject_id is not None and not find_subentry(
        entry, SUBENTRY_OTTOEJECT, settings.ottoeject_id
    ):
        raise bad_request("ottoeject_id", f"OttoEject {settings.ottoeject_id} does not exist")
    if settings.rack_id is not None and settings.rack_id not in state.racks:
        raise bad_request("rack_id", f"Ottorack {settings.rack_id} does not exist")
    return settings


def _moment(body: dict[str, Any], key: str) -> datetime | None:
    """An ISO 8601 moment with a time zone (``2026-12-24T08:00:00Z``), or null."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(key, "must be an ISO 8601 date and time with a time zone, or null")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise bad_request(key, f"{value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise bad_request(key, "needs a time zone (e.g. 2026-12-24T08:00:00Z)")
    return moment.astimezone(UTC)


def check_job_slots(settings: JobSettings, state: FarmState, job: PrintJob | None) -> None:
    """Slot rules of ``farm.slots``: 400 for an invalid choice, 409 for a clash."""
    rack = state.racks.get(settings.rack_id) if settings.rack_id is not None else None
    others = [other for other in state.jobs.values() if job is None or other.id != job.id]
    try:
        check_slots(settings, rack, others)
    except SlotError as err:
        status = HTTPStatus.CONFLICT if err.conflict else HTTPStatus.BAD_REQUEST
        raise ApiError(status, f"{err.field}: {err}", field=err.field) from None
