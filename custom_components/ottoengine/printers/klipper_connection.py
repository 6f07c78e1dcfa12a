"""The connection test of a Klipper printer: is it reachable, is the key right, is it a printer?

The "Add printer" flow stores a Klipper printer only when this test passes; ``POST
/api/printers`` refuses a wrong key or an OttoEject but registers an unreachable printer (it is
followed in the background and its identity is recorded once it answers), as Bambu printers are
registered without a connection.
"""

from __future__ import annotations

import asyncio
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..klipper import KlipperClient, MoonrakerDeviceKind, probe_device_kind
from ..moonraker.errors import MoonrakerAuthError, MoonrakerClientError
from . import const
from .connection import ERROR_CANNOT_CONNECT, ERROR_INVALID_AUTH

ERROR_NOT_A_PRINTER: Final = "not_a_printer"
PROBE_TIMEOUT: Final = 10.0


class KlipperConnectionError(Exception):
    """The test failed; ``key`` is the flows' error key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


async def async_test_klipper(
    hass: HomeAssistant, host: str, port: int, api_key: str | None
) -> str | None:
    """Ask the Moonraker at ``host:port`` what it drives; returns its identity (unique id).

    ``None`` when Klippy is not ready to say (the printer is accepted; its identity comes
    later). Raises ``KlipperConnectionError`` with ``cannot_connect``, ``invalid_auth`` or
    ``not_a_printer`` (an OttoEject).
    """
    client = KlipperClient(
        async_get_clientsession(hass), host, port, api_key=api_key, timeout=PROBE_TIMEOUT
    )
    try:
        async with asyncio.timeout(const.CONNECTION_TEST_TIMEOUT):
            probe = await probe_device_kind(client)
    except MoonrakerAuthError as err:
        raise KlipperConnectionError(
            ERROR_INVALID_AUTH, f"{host}:{port} refused the API key"
        ) from err
    except (MoonrakerClientError, TimeoutError) as err:
        raise KlipperConnectionError(
            ERROR_CANNOT_CONNECT, f"{host}:{port} does not answer"
        ) from err
    if probe.kind is MoonrakerDeviceKind.OTTOEJECT:
        raise KlipperConnectionError(
            ERROR_NOT_A_PRINTER, f"{host}:{port} is an OttoEject, not a printer"
        )
    return probe.identity.unique_id if probe.identity is not None else None
