"""Printer failures (the farm's ``DeviceError``s) as translated Home Assistant exceptions.

Buttons and actions raise what this returns; the REST API answers the same ``DeviceError``
(``api/device_errors.py``), so a failure reads the same wherever it was triggered.
"""

from __future__ import annotations

from typing import Final

from homeassistant.exceptions import HomeAssistantError

from ..const import DOMAIN
from ..farm.device_errors import DeveloperModeRequiredError, DeviceError, DeviceUnavailableError

# Translation keys by the kind of failure; anything else did not take the command.
_KEYS: Final[tuple[tuple[type[DeviceError], str], ...]] = (
    (DeviceUnavailableError, "printer_offline"),
    (DeveloperModeRequiredError, "printer_developer_mode"),
)
KEY_COMMAND_FAILED: Final = "printer_command_failed"


def to_ha_error(err: DeviceError) -> HomeAssistantError:
    """The translated exception for a printer command that failed."""
    key = next((key for kind, key in _KEYS if isinstance(err, kind)), KEY_COMMAND_FAILED)
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"name": err.device, "error": err.message, "reason": err.reason},
    )
