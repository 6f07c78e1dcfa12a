"""Asking an OttoEject's Moonraker who it is: its identity is the subentry's unique id."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..moonraker import MoonrakerClient


async def async_fetch_identity(
    hass: HomeAssistant, host: str, port: int, api_key: str | None, *, timeout: float
) -> str:
    """The robot's unique id (CPU serial, else Klippy's host name; never the address).

    Raises ``MoonrakerClientError`` (``MoonrakerAuthError`` for a missing or wrong API key) or
    ``ValueError`` (an answer without an identity).
    """
    client = MoonrakerClient(
        async_get_clientsession(hass), host, port, api_key=api_key, timeout=timeout
    )
    return (await client.identity()).unique_id
