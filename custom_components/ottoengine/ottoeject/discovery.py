"""OttoEjects announced over zeroconf (Moonraker's ``_moonraker._tcp.local.``).

The hub is a single config entry and subentry flows cannot be started by discovery, so the
hub's config flow records each announcement here (``async_record``) and the "Add OttoEject"
flow offers the recorded robots that are not configured yet. The list lives in ``hass.data``:
it survives hub reloads and works before the hub exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.util.hass_dict import HassKey

from .. import moonraker_identity
from ..const import DOMAIN
from ..moonraker.client import DEFAULT_PORT
from ..subentries import SUBENTRY_OTTOEJECT
from .settings import OttoEjectSettings

ZEROCONF_TYPE = "_moonraker._tcp.local."
_DISCOVERED: HassKey[dict[str, DiscoveredOttoEject]] = HassKey(f"{DOMAIN}_discovered_ottoejects")


@dataclass(frozen=True, slots=True)
class DiscoveredOttoEject:
    """One announced Moonraker instance (``key`` = its instance UUID, else its address)."""

    key: str
    name: str
    host: str
    port: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.host}:{self.port})"


def from_zeroconf(info: ZeroconfServiceInfo) -> DiscoveredOttoEject:
    """What an announcement tells: ``Moonraker-1a2b3c4d @ ottoeject._moonraker._tcp.local.``."""
    host = info.host
    port = info.port or DEFAULT_PORT
    instance = info.name.removesuffix(f".{info.type}").removesuffix(f".{ZEROCONF_TYPE}")
    hostname = info.hostname.removesuffix(".").removesuffix(".local")
    name = instance.split(" @ ", 1)[-1] if " @ " in instance else (hostname or instance)
    uuid = str(info.properties.get("uuid") or "").strip()
    return DiscoveredOttoEject(
        key=uuid or f"{host}:{port}", name=name or host, host=host, port=port
    )


@callback
def async_record(hass: HomeAssistant, found: DiscoveredOttoEject) -> None:
    """Remember an announced robot (a new announcement of the same robot replaces it)."""
    hass.data.setdefault(_DISCOVERED, {})[found.key] = found


@callback
def async_forget(hass: HomeAssistant, host: str, port: int) -> None:
    """A robot at this address was configured: stop offering it."""
    discovered = hass.data.get(_DISCOVERED, {})
    for key in [k for k, found in discovered.items() if (found.host, found.port) == (host, port)]:
        del discovered[key]


@callback
def async_unconfigured(hass: HomeAssistant, entry: ConfigEntry) -> list[DiscoveredOttoEject]:
    """Recorded robots whose address no OttoEject of the hub uses, by name."""
    configured = {
        (settings.ip_address, settings.port)
        for settings in (
            OttoEjectSettings.from_subentry(subentry)
            for subentry in entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_OTTOEJECT
        )
    }
    return sorted(
        (
            found
            for found in hass.data.get(_DISCOVERED, {}).values()
            if (found.host, found.port) not in configured
        ),
        key=lambda found: (found.name.casefold(), found.host),
    )


async def async_configured_or_moved(hass: HomeAssistant, found: DiscoveredOttoEject) -> bool:
    """Whether the announced robot is already an OttoEject of the farm.

    An OttoEject whose robot now answers at the announced address (same identity, asked with
    that OttoEject's API key) gets the new address: DHCP gave the robot another one.
    """
    return await moonraker_identity.async_configured_or_moved(
        hass, found.host, found.port, SUBENTRY_OTTOEJECT, _address
    )


def _address(subentry: ConfigSubentry) -> moonraker_identity.MoonrakerAddress:
    settings = OttoEjectSettings.from_subentry(subentry)
    return settings.ip_address, settings.port, settings.api_key
