"""One discovery for every Moonraker: the hub browses ``_moonraker._tcp.local.`` while loaded.

The zeroconf transport is Home Assistant's test double (multicast is not available to tests);
everything behind it is real: each announcement is resolved into an address, the simulated
farm's OttoEject (real Moonraker) is asked what it is, and the "Add OttoEject" flow offers it.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any
from unittest.mock import MagicMock

from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.klipper.identity import MoonrakerDeviceKind
from custom_components.ottoengine.moonraker_browser import (
    MoonrakerBrowser,
    async_discovered_printers,
    async_probe_kind,
)
from custom_components.ottoengine.ottoeject.discovery import ZEROCONF_TYPE, DiscoveredOttoEject

from ..farm_fixtures import FarmHandle, run_farm
from ..printers.klipper_support import klipper_registration
from ..zeroconf_double import announce
from .robot import setup_hub

pytestmark = pytest.mark.usefixtures("loopback_enabled")

NOBODY = "127.0.2.98"  # an announced address where nothing answers


@pytest.fixture(scope="module")
def moonraker_farm() -> Iterator[FarmHandle]:
    """One OttoEject and one Klipper printer (a K1C), each a real Moonraker."""
    with run_farm(printers=0, ejectors=1, shelves=2, klipper_printers=1) as farm:
        yield farm


async def _announce(
    hass: HomeAssistant, zeroconf: MagicMock, host: str, port: int, *, hostname: str, uuid: str
) -> None:
    await announce(hass, zeroconf, host, port, hostname=hostname, uuid=uuid)


async def _offered(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    """What "Add OttoEject" offers as discovered (none: it goes straight to the form)."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "ottoeject"), context={"source": SOURCE_USER}
    )
    if result["type"] is not FlowResultType.MENU:
        hass.config_entries.subentries.async_abort(result["flow_id"])
        return []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "discovered"}
    )
    options: list[dict[str, Any]] = result["data_schema"].schema["discovered"].config["options"]
    hass.config_entries.subentries.async_abort(result["flow_id"])
    return options


async def test_an_announced_ottoeject_is_offered_by_add_ottoeject(
    hass: HomeAssistant, zeroconf: MagicMock, moonraker_farm: FarmHandle
) -> None:
    robot = moonraker_farm.ejectors[0]
    entry = await setup_hub(hass)
    assert await _offered(hass, entry) == []

    await _announce(
        hass, zeroconf, robot["ip"], robot["port"], hostname=robot["name"], uuid="1a2b3c4d-0000"
    )
    # Nothing answers here: it cannot say what it is, so "Add OttoEject" offers it (with a key).
    await _announce(hass, zeroconf, NOBODY, 7125, hostname="mystery", uuid="ffffffff-0000")
    # The robot announced again (same uuid): replaced, not doubled; a resolve that fails: ignored.
    await _announce(
        hass, zeroconf, robot["ip"], robot["port"], hostname=robot["name"], uuid="1a2b3c4d-0000"
    )
    (_type, browser), _ = zeroconf.async_add_service_listener.call_args
    browser.update_service(zeroconf.zeroconf, ZEROCONF_TYPE, "gone._moonraker._tcp.local.")
    browser.remove_service(zeroconf.zeroconf, ZEROCONF_TYPE, "gone._moonraker._tcp.local.")
    await hass.async_block_till_done(wait_background_tasks=True)

    options = await _offered(hass, entry)
    assert [option["value"] for option in options] == ["ffffffff-0000", "1a2b3c4d-0000"]
    assert options[1]["label"] == f"{robot['name']} ({robot['ip']}:{robot['port']})"
    # Picking it fills in its address; the robot is then added like one entered by hand.
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "ottoeject"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "discovered"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"discovered": "1a2b3c4d-0000"}
    )
    assert result["step_id"] == "connect"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {"device_name": robot["name"], "ip_address": robot["ip"], "port": 7125}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"device_name": robot["name"], "ip_address": robot["ip"], "port": robot["port"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # Added: only the robot nobody could ask is still offered.
    options = await _offered(hass, entry)
    assert [option["value"] for option in options] == ["ffffffff-0000"]
    assert async_discovered_printers(hass) == []
    # The farm's robot told what it is (its OTTOEJECT_HOME macro family, no extruder).
    found = DiscoveredOttoEject("x", robot["name"], robot["ip"], robot["port"])
    assert await async_probe_kind(hass, found) is MoonrakerDeviceKind.OTTOEJECT

    # Unloading the hub stops browsing.
    assert await hass.config_entries.async_unload(entry.entry_id)
    zeroconf.async_remove_service_listener.assert_awaited_once_with(browser)


async def test_an_announced_ottoeject_that_moved_gets_its_new_address(
    hass: HomeAssistant, zeroconf: MagicMock, moonraker_farm: FarmHandle
) -> None:
    """DHCP gave the robot another address (here: port): its announcement updates it."""
    robot = moonraker_farm.ejectors[0]
    entry = await setup_hub(
        hass,
        [
            ConfigSubentryData(
                data={"id": 1, "device_name": "Robot", "ip_address": robot["ip"], "port": 7999},
                subentry_type="ottoeject",
                title="Robot",
                unique_id=f"host:{robot['name']}",
            )
        ],
    )
    await _announce(
        hass, zeroconf, robot["ip"], robot["port"], hostname=robot["name"], uuid="1a2b3c4d-0000"
    )
    (subentry,) = entry.subentries.values()
    assert subentry.data["port"] == robot["port"]
    manager = entry.runtime_data.ottoejects
    assert manager is not None
    coordinator = manager.by_id(1)
    assert coordinator is not None
    assert coordinator.client.port == robot["port"]
    # A configured robot is not offered.
    assert await _offered(hass, entry) == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_an_announced_klipper_printer_is_not_offered_as_an_ottoeject(
    hass: HomeAssistant, zeroconf: MagicMock, moonraker_farm: FarmHandle
) -> None:
    printer = moonraker_farm.description["klipper_printers"][0]
    entry = await setup_hub(hass)
    await _announce(
        hass, zeroconf, printer["ip"], printer["port"], hostname=printer["name"], uuid="k1c00000"
    )
    found = async_discovered_printers(hass)
    assert [(p.name, p.host, p.port) for p in found] == [
        (printer["name"], printer["ip"], printer["port"])
    ]
    assert await async_probe_kind(hass, found[0]) is MoonrakerDeviceKind.PRINTER
    assert await _offered(hass, entry) == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_no_browsing_without_home_assistant_zeroconf(
    hass: HomeAssistant, mock_async_zeroconf: MagicMock
) -> None:
    entry = await setup_hub(hass)
    mock_async_zeroconf.async_add_service_listener.assert_not_called()
    browser = MoonrakerBrowser(hass)
    await browser.async_start()
    assert not browser.running
    await browser.async_stop()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_klipper_printer_that_moved_gets_its_new_address(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    zeroconf: MagicMock,
    moonraker_farm: FarmHandle,
) -> None:
    """DHCP gave the K1C another address (here: port): its announcement updates it."""
    printer = moonraker_farm.description["klipper_printers"][0]
    entry = await setup_hub(hass)
    client = await hass_client()
    response = await client.post("/api/printers", json=klipper_registration(moonraker_farm))
    assert response.status == HTTPStatus.CREATED, await response.text()
    (subentry,) = (s for s in entry.subentries.values() if s.subentry_type == "printer")
    assert subentry.unique_id is not None  # its Moonraker identity
    hass.config_entries.async_update_subentry(entry, subentry, data={**subentry.data, "port": 7999})
    await _announce(
        hass, zeroconf, printer["ip"], printer["port"], hostname=printer["name"], uuid="k1c00000"
    )
    assert entry.subentries[subentry.subentry_id].data["port"] == printer["port"]
    # Configured: not offered as a new printer.
    assert async_discovered_printers(hass) == []
    assert await hass.config_entries.async_unload(entry.entry_id)
