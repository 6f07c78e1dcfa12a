"""The farm's ``DeviceError`` for each failure of the Klipper driver, in one place.

Klipper's error texts (recovered from the traceback when Moonraker's reason says ``Unknown``)
decide the kind: 503 means Klippy is not connected to Moonraker (try again later), ``SD busy``
a print is running, anything else from Klipper a refusal the operator must look at.
"""

from __future__ import annotations

from typing import Final

from ..farm.device_errors import (
    DeviceAuthError,
    DeviceBusyError,
    DeviceError,
    DeviceRefusedError,
    DeviceTransferError,
    DeviceUnavailableError,
)
from ..moonraker.errors import (
    MoonrakerAuthError,
    MoonrakerClientError,
    MoonrakerConnectionError,
    MoonrakerError,
)
from .errors import KlipperUploadError

KLIPPY_NOT_CONNECTED: Final = 503
BUSY_TEXTS: Final = ("sd busy", "already printing")


def command_error(err: MoonrakerClientError, name: str, action: str) -> DeviceError:
    """The farm's error for a failed command (``action``: what was asked, for the message)."""
    label = f"printer {name!r}"
    if isinstance(err, MoonrakerConnectionError):
        return DeviceUnavailableError(name, f"The {label} cannot be reached: {err}")
    if isinstance(err, MoonrakerAuthError):
        return DeviceAuthError(name, f"The {label} refused the stored API key")
    if isinstance(err, MoonrakerError):
        if err.code == KLIPPY_NOT_CONNECTED:
            return DeviceUnavailableError(
                name, f"Klipper on the {label} is not running ({err.message}); try again later"
            )
        if any(text in err.message.lower() for text in BUSY_TEXTS):
            return DeviceBusyError(name, f"The {label} is busy printing: {err.message}")
        return DeviceRefusedError(name, f"The {label} refused to {action}: {err.message}")
    return DeviceRefusedError(name, f"The {label} could not {action}: {err}")


def upload_error(err: MoonrakerClientError, name: str) -> DeviceError:
    """The farm's error for a failed upload (nothing usable is left on the printer)."""
    if isinstance(err, MoonrakerConnectionError | MoonrakerAuthError):
        return command_error(err, name, "take the upload")
    if isinstance(err, KlipperUploadError):
        return DeviceTransferError(name, f"The upload to printer {name!r} failed: {err}")
    if isinstance(err, MoonrakerError):
        if err.code == 413:
            text = "the file is larger than the printer accepts (max_upload_size)"
        elif err.code == 422:
            text = f"the printer received a damaged file ({err.message})"
        else:
            text = err.message
        return DeviceTransferError(name, f"The upload to printer {name!r} failed: {text}")
    return DeviceTransferError(name, f"The upload to printer {name!r} failed: {err}")
