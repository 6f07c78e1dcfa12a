"""Every Moonraker on the network, found with Home Assistant's shared zeroconf instance.

OttoEjects and Klipper printers announce the same ``_moonraker._tcp.local.`` service. While the
hub is loaded, this browser resolves each announcement, asks the host what it drives (its Klippy
objects, ``klipper/identity.py``) and records it where the matching "Add ..." flow looks: OttoEjects
(and hosts that need an API key before they say what they are) for "Add OttoEject", printers for
"Add printer". A configured OttoEject announcing a new address gets it. A manifest matcher would
start a config flow per announcement instead; browsing here lets the integration keep
``single_config_entry`` (no pointless "Add hub" button) and classify before offering.

It browses only where Home Assistant's ``zeroconf`` integration runs (every ``default_config``
installation), so the hub never opens multicast sockets of its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import override

from homeassistant.components import zeroconf
from homeassistant.components.zeroconf.discovery import info_from_service
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey
from zeroconf import ServiceListener, Zeroconf
from zeroconf.asyncio import AsyncZeroconf

from . import moonraker_identity
from .const import DOMAIN
from .klipper.identity import MoonrakerDeviceKind, device_kind
from .moonraker import MoonrakerClient, MoonrakerClientError
from .moonraker.client import DEFAULT_PORT
from .ottoeject.discovery import (
    ZEROCONF_TYPE,
    DiscoveredOttoEject,
    async_configured_or_moved,
    async_record,
    from_zeroconf,
)
from .printers.settings import PrinterSettings
from .subentries import SUBENTRY_PRINTER

_LOGGER = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0
RESOLVE_TIMEOUT_MS = 3000
_DISCOVERED_PRINTERS: HassKey[dict[str, DiscoveredOttoEject]] = HassKey(
    f"{DOMAIN}_discovered_klipper_printers"
)


@callback
def async_discovered_printers(hass: HomeAssistant) -> list[DiscoveredOttoEject]:
    """Klipper printers announced on the network (for the "Add printer" flow), by name."""
    return sorted(
        hass.data.get(_DISCOVERED_PRINTERS, {}).values(),
        key=lambda found: (found.name.casefold(), found.host),
    )


async def async_probe_kind(hass: HomeAssistant, found: DiscoveredOttoEject) -> MoonrakerDeviceKind:
    """Ask the announced host what it drives (UNKNOWN when it does not answer without a key)."""
    client = MoonrakerClient(
        async_get_clientsession(hass), found.host, found.port, timeout=PROBE_TIMEOUT
    )
    try:
        return device_kind(await client.objects_list())
    except (MoonrakerClientError, ValueError) as err:
        _LOGGER.debug("Moonraker at %s:%s did not say what it is: %s", found.host, found.port, err)
        return MoonrakerDeviceKind.UNKNOWN


async def async_handle_announcement(hass: HomeAssistant, found: DiscoveredOttoEject) -> None:
    """Record one resolved announcement where the right flow offers it."""
    kind = await async_probe_kind(hass, found)
    if kind is MoonrakerDeviceKind.PRINTER:
        if await async_printer_configured_or_moved(hass, found):
            return
        hass.data.setdefault(_DISCOVERED_PRINTERS, {})[found.key] = found
        _LOGGER.debug("Klipper printer announced: %s", found.label)
        return
    # An OttoEject, or a host that needs its API key to say: "Add OttoEject" asks for the key.
    if await async_configured_or_moved(hass, found):
        return
    async_record(hass, found)
    _LOGGER.debug("OttoEject announced: %s", found.label)


async def async_printer_configured_or_moved(
    hass: HomeAssistant, found: DiscoveredOttoEject
) -> bool:
    """Whether the announced printer is already a Klipper printer of the farm (one that
    answers at the announced address with its identity gets the new address)."""
    return await moonraker_identity.async_configured_or_moved(
        hass, found.host, found.port, SUBENTRY_PRINTER, _klipper_address
    )


def _klipper_address(subentry: ConfigSubentry) -> moonraker_identity.MoonrakerAddress | None:
    settings = PrinterSettings.from_subentry(subentry)
    if not settings.is_klipper:
        return None
    # Where its coordinator reaches it (no stored port: Moonraker's default).
    return settings.ip_address, settings.port or DEFAULT_PORT, settings.api_key


class MoonrakerBrowser(ServiceListener):
    """Browses ``_moonraker._tcp.local.`` while the hub is loaded."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._aiozc: AsyncZeroconf | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self._aiozc is not None

    async def async_start(self) -> None:
        if self._aiozc is not None or "zeroconf" not in self._hass.config.components:
            return
        aiozc = await zeroconf.async_get_async_instance(self._hass)
        await aiozc.async_add_service_listener(ZEROCONF_TYPE, self)
        self._aiozc = aiozc

    async def async_stop(self) -> None:
        aiozc, self._aiozc = self._aiozc, None
        if aiozc is not None:
            await aiozc.async_remove_service_listener(self)
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- ServiceListener (called in the event loop by zeroconf) -------------------------------
    @override
    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self._resolve_later(type_, name)

    @override
    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self._resolve_later(type_, name)

    @override
    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        """Announcements going away change nothing: a robot that reboots is still there."""

    def _resolve_later(self, type_: str, name: str) -> None:
        task = self._hass.async_create_background_task(
            self._async_resolve(type_, name), f"ottoengine resolve {name}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _async_resolve(self, type_: str, name: str) -> None:
        if (aiozc := self._aiozc) is None:
            return
        service = await aiozc.async_get_service_info(type_, name, RESOLVE_TIMEOUT_MS)
        info = info_from_service(service) if service is not None else None
        if info is None:
            _LOGGER.debug("Moonraker announcement %s could not be resolved", name)
            return
        await async_handle_announcement(self._hass, from_zeroconf(info))
