"""A Moonraker device registered while unreachable gets its identity once it answers.

OttoEjects and Klipper printers are unique by their Moonraker identity (``moonraker/identity.py``),
never by address. One added while it did not answer has no unique id yet; its coordinator calls
this when the device is reachable, and the identity becomes the subentry's unique id — unless
another subentry already is that device, which is logged for the user to remove one.
"""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .moonraker import MoonrakerClient, MoonrakerClientError

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
