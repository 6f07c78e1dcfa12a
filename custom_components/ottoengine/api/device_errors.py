"""Device failures (the farm's ``DeviceError``s) as REST answers: one status per kind.

503 while the device cannot be reached, 409 while it is busy, 502 when it refused or failed
(the seed's convention); the body names the ``reason`` that Home Assistant's translated errors
use too.
"""

from __future__ import annotations

from http import HTTPStatus

from ..farm.device_errors import DeviceBusyError, DeviceError, DeviceUnavailableError
from .errors import ApiError


def device_api_error(err: DeviceError, prefix: str | None = None) -> ApiError:
    """The REST error for a failed device command (``prefix`` goes before the message)."""
    if isinstance(err, DeviceUnavailableError):
        status = HTTPStatus.SERVICE_UNAVAILABLE
    elif isinstance(err, DeviceBusyError):
        status = HTTPStatus.CONFLICT
    else:
        status = HTTPStatus.BAD_GATEWAY
    message = err.message if prefix is None else f"{prefix} ({err.message})"
    return ApiError(status, message, extra={"reason": err.reason})
