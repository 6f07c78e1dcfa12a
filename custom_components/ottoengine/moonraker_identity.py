"""A Moonraker device registered while unreachable gets its identity once it answers.

OttoEjects and Klipper printers are unique by their Moonraker identity (``moonraker/identity.py``),
never by address. One added while it did not answer has no unique id yet; its coordinator calls
this when the device is reachable, and the identity becomes the subentry's unique id — unless
another subentry already is that device, which is logged for the user to remove one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_IP_ADDRESS, CONF_PORT
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .moonraker import MoonrakerClient, MoonrakerClientError
from .ottoeject.identity import async_fetch_identity

# How a subentry reaches its Moonraker: host, port and API key (None: not a Moonraker device).
type MoonrakerAddress = tuple[str, int, str | None]
IDENTITY_TIMEOUT = 5.0

_LOGGER = logging.getLogger(__name__)


def needs_identity(entry: ConfigEntry, subentry_id: str) -> bool:
    """Whether the subentry (still there) has no unique id yet."""
    subentry = entry.subentries.get(subentry_id)
    return subentry is not None and subentry.unique_id is None


async def async_adopt_identity(
    hass: HomeAssistant,
    entry: ConfigEntry,
    subentry_id: str,
    client: MoonrakerClient,
    *,
    label: str,
    kind: str,
) -> bool:
    """Record the device's identity as the subentry's unique id.

    ``label`` names the device in the log ("OttoEject robot-1"), ``kind`` says what it is
    ("robot", "printer"). Returns False when the device
    did not say who it is (try again later), True when nothing more is to be done.
    """
    try:
        unique_id = (await client.identity()).unique_id
    except (MoonrakerClientError, ValueError) as err:
        _LOGGER.debug("%s: no identity yet: %s", label, err)
        return False
    subentry = entry.subentries.get(subentry_id)
    if subentry is None or subentry.unique_id is not None:
        return True
    owner = next(
        (
            other
            for other in entry.subentries.values()
            if other.subentry_type == subentry.subentry_type and other.unique_id == unique_id
        ),
        None,
    )
    if owner is not None:
        _LOGGER.warning("%s is the same %s as %s; remove one of them", label, kind, owner.title)
        return True
    hass.config_entries.async_update_subentry(entry, subentry, unique_id=unique_id)
    return True


async def async_configured_or_moved(
    hass: HomeAssistant,
    host: str,
    port: int,
    subentry_type: str,
    address_of: Callable[[ConfigSubentry], MoonrakerAddress | None],
) -> bool:
    """Whether the Moonraker announced at ``host:port`` is already a device of the farm.

    A configured device (of ``subentry_type``; ``address_of`` tells where it is, ``None`` for
    one that is no Moonraker) whose Moonraker now answers at the announced address with the same
    identity, asked with its API key, gets the new address: DHCP gave it another one.
    """
    candidates: list[tuple[ConfigEntry, ConfigSubentry, str | None]] = []
    for entry in hass.config_entries.async_entries(DOMAIN):
        for subentry in entry.subentries.values():
            if subentry.subentry_type != subentry_type:
                continue
            address = address_of(subentry)
            if address is None:
                continue
            if address[:2] == (host, port):
                return True
            if subentry.unique_id is not None:
                candidates.append((entry, subentry, address[2]))
    identities = await asyncio.gather(
        *(_identity(hass, host, port, api_key) for _, _, api_key in candidates)
    )
    for (entry, subentry, _), unique_id in zip(candidates, identities, strict=True):
        if unique_id is not None and unique_id == subentry.unique_id:
            _LOGGER.info("%s announced a new address %s:%s", subentry.title, host, port)
            hass.config_entries.async_update_subentry(
                entry, subentry, data={**subentry.data, CONF_IP_ADDRESS: host, CONF_PORT: port}
            )
            return True
    return False


async def _identity(hass: HomeAssistant, host: str, port: int, api_key: str | None) -> str | None:
    try:
        return await async_fetch_identity(hass, host, port, api_key, timeout=IDENTITY_TIMEOUT)
    except MoonrakerClientError, ValueError:
        return None
