"""Moonraker client errors as Home Assistant exceptions (translated)."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from ..const import DOMAIN
from ..moonraker import (
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerAuthError,
    MoonrakerClientError,
    MoonrakerError,
    UnknownMacroError,
)


def to_ha_error(err: MoonrakerClientError, device_name: str, macro: str) -> HomeAssistantError:
    """The translated exception for a failed action on an OttoEject."""
    placeholders = {"device_name": device_name, "macro": macro, "message": str(err)}
    key: str
    if isinstance(err, UnknownMacroError):
        key = "unknown_macro"
    elif isinstance(err, InvalidMacroError):
        key = "invalid_macro"
    elif isinstance(err, MacroAckTimeout):
        key = "macro_ack_timeout"
        placeholders["timeout"] = f"{err.timeout:g}"
    elif isinstance(err, MoonrakerAuthError):
        key = "ottoeject_auth_failed"
    elif isinstance(err, MoonrakerError):
        key = "macro_failed"
        placeholders["message"] = err.message
    else:  # MoonrakerConnectionError, or an answer that is not Moonraker's
        key = "ottoeject_unreachable"
    cls = ServiceValidationError if isinstance(err, InvalidMacroError) else HomeAssistantError
    return cls(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )
