"""Connection tests of the flows and repairs: connect once, check, disconnect."""

from __future__ import annotations

import asyncio

from ..bambu import (
    BambuAuthError,
    BambuConnectionError,
    BambuError,
    BambuPrinterClient,
    CertificateMismatchError,
    SerialMismatchError,
)
from . import const

ERROR_CANNOT_CONNECT = "cannot_connect"
ERROR_INVALID_AUTH = "invalid_auth"
ERROR_WRONG_SERIAL = "wrong_serial"
ERROR_CERTIFICATE_CHANGED = "certificate_changed"


async def async_test_connection(
    host: str,
    serial: str,
    access_code: str,
    *,
    model: str | None,
    fingerprint: str | None = None,
) -> str:
    """Log in to the printer's MQTT broker; returns its certificate fingerprint.

    With ``fingerprint`` the certificate must be that one; without, any certificate naming
    ``serial`` is accepted (trust on first use). Raises the driver's errors.
    """
    client = BambuPrinterClient(
        host,
        serial,
        access_code,
        pinned_fingerprint=fingerprint,
        model=model,
        settings=const.CONNECTION_SETTINGS,
    )
    try:
        async with asyncio.timeout(const.CONNECTION_TEST_TIMEOUT):
            return await client.connect()
    except TimeoutError as err:
        raise BambuConnectionError(f"{host}: no answer") from err
    finally:
        await client.close()


def error_key(err: BambuError) -> str:
    """The flows' error key for a failed connection test."""
    if isinstance(err, BambuAuthError):
        return ERROR_INVALID_AUTH
    if isinstance(err, SerialMismatchError):
        return ERROR_WRONG_SERIAL
    if isinstance(err, CertificateMismatchError):
        return ERROR_CERTIFICATE_CHANGED
    return ERROR_CANNOT_CONNECT
