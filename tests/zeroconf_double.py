"""Home Assistant's zeroconf, as the hub's Moonraker browser sees it, for tests.

The transport is Home Assistant's test double (multicast is not available to tests); an
announcement is resolved into a real address and port, so everything behind it (asking the
Moonraker what it drives, the flows) runs for real. HA's guard that hands every later
``Zeroconf()`` the shared instance is not installed: the shared instance is a test double, and
the guard would outlive the test (it broke the simulated Moonraker's own zeroconf test).
"""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_address
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.core import HomeAssistant
import pytest
from zeroconf.asyncio import AsyncServiceInfo

from custom_components.ottoengine.ottoeject.discovery import ZEROCONF_TYPE


@pytest.fixture
def zeroconf(hass: HomeAssistant, mock_async_zeroconf: MagicMock) -> Iterator[MagicMock]:
    """Home Assistant's zeroconf integration is running (as with default_config)."""
    hass.config.components.add("zeroconf")
    services: dict[str, AsyncServiceInfo] = {}
    mock_async_zeroconf.services = services

    async def _get_service_info(type_: str, name: str, timeout: int = 3000) -> Any:
        return services.get(name)

    mock_async_zeroconf.async_get_service_info = AsyncMock(side_effect=_get_service_info)
    with patch("homeassistant.components.zeroconf.install_multiple_zeroconf_catcher"):
        yield mock_async_zeroconf


async def announce(
    hass: HomeAssistant, zeroconf: MagicMock, host: str, port: int, *, hostname: str, uuid: str
) -> None:
    """A Moonraker's announcement, as its zeroconf component sends it, reaches the browser."""
    name = f"Moonraker-{uuid[:8]} @ {hostname}.{ZEROCONF_TYPE}"
    zeroconf.services[name] = AsyncServiceInfo(
        ZEROCONF_TYPE,
        name,
        addresses=[ip_address(host).packed],
        port=port,
        properties={"uuid": uuid, "version": "v0.11.0"},
        server=f"{hostname}.local.",
    )
    (type_, browser), _ = zeroconf.async_add_service_listener.call_args
    assert type_ == ZEROCONF_TYPE
    browser.add_service(zeroconf.zeroconf, ZEROCONF_TYPE, name)
    await hass.async_block_till_done(wait_background_tasks=True)
