"""A fixed farm for the snapshot tests, fed from fixture reports instead of real devices.

Nothing connects: the Bambu Lab client and the OttoEject status stream are kept from starting,
and the reports a printer would send over MQTT (``tests/bambu/reports.py``) and the snapshots a
robot's Moonraker stream would derive are delivered to them here. Everything between those
inputs and the entities (status model, coordinators, entities, device registry) is the real
integration, reached through the config entry.

Every patch point of these tests is in this file (``PATCH_*`` and ``_deliver_*``), so that a
module moving in ``custom_components`` changes one line here and none in the snapshots.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from custom_components.ottoengine.bambu import BambuPrinterClient, DiscoveryListener
from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.moonraker import (
    EjectorSnapshot,
    MoonrakerClient,
    MoonrakerStatusStream,
)

from ..bambu.fake_printer import VERSION_REPLY
from ..bambu.reports import P1S_RUNNING_FULL, X1C_IDLE_EXTERNAL_SPOOL

# -- patch points ---------------------------------------------------------------------------------
# The list of platforms the hub forwards to (patched to load one platform per snapshot test).
PATCH_PLATFORMS = "custom_components.ottoengine.PLATFORMS"
# Connecting: the Bambu client's background connect and the Moonraker status stream's start are
# no-ops; a macro sent to a robot is acknowledged at once.
PATCH_BAMBU_START = (BambuPrinterClient, "start")
PATCH_STREAM_START = (MoonrakerStatusStream, "start")
PATCH_RUN_MACRO = (MoonrakerClient, "run_macro")
# The hub's printer discovery (SSDP) does not open its sockets.
PATCH_DISCOVERY_START = (DiscoveryListener, "start")

# -- the farm -------------------------------------------------------------------------------------
ENTRY_ID = "01JSNAPSHOTFARMHUB00000000"
FROZEN_TIME = "2026-03-14T09:26:53+00:00"
ALL_PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.SELECT,
    Platform.LIGHT,
    Platform.UPDATE,
    Platform.CAMERA,
    Platform.IMAGE,
]


@dataclass(frozen=True)
class FixturePrinter:
    id: int
    name: str
    model: str
    serial: str
    ip: str
    # MQTT messages it sends once "connected" (none: it never answers, so it stays offline).
    reports: tuple[dict[str, Any], ...] = ()
    has_build_plate: bool = True


@dataclass(frozen=True)
class FixtureOttoEject:
    id: int
    name: str
    ip: str
    # What its status stream derives from Moonraker (None: unreachable, so offline).
    snapshot: EjectorSnapshot | None = None


@dataclass(frozen=True)
class FixtureRack:
    id: int
    name: str
    shelves: int
    spacing_mm: float = 80.0
    bed_size: str = "256x256"


PRINTERS = (
    # Printing: the version reply and a full report (sw_version, end time, AMS filament).
    FixturePrinter(
        1,
        "Bracket P1S",
        "P1S",
        "01P00A000000000",
        "192.0.2.11",
        reports=(VERSION_REPLY, P1S_RUNNING_FULL),
    ),
    # Idle on an external spool, with an HMS error; its build plate was taken off.
    FixturePrinter(
        2,
        "Lab X1C",
        "X1C",
        "00M09A000000002",
        "192.0.2.12",
        reports=(X1C_IDLE_EXTERNAL_SPOOL,),
        has_build_plate=False,
    ),
    # Never answers: its entities are unavailable (the build plate record is not).
    FixturePrinter(3, "Spare A1", "A1", "03900A000000003", "192.0.2.13"),
)

OTTOEJECTS = (
    FixtureOttoEject(
        1,
        "Eject Left",
        "192.0.2.21",
        EjectorSnapshot(
            reachable=True,
            klippy_connected=True,
            klippy_state="ready",
            state_message="Printer is ready",
            idle_timeout_state="Idle",
            print_stats_state="standby",
        ),
    ),
    FixtureOttoEject(
        2,
        "Eject Right",
        "192.0.2.22",
        EjectorSnapshot(
            reachable=True,
            klippy_connected=True,
            klippy_state="shutdown",
            state_message="Emergency stop",
        ),
    ),
    FixtureOttoEject(3, "Eject Spare", "192.0.2.23"),
)

RACKS = (FixtureRack(1, "Rack A", 3),)


def _subentries() -> list[dict[str, Any]]:
    """The hub's subentries as stored (fixed ids, so snapshots are stable)."""
    printers = [
        {
            "subentry_id": f"01JSNAPSHOTPRINTER{p.id:08d}",
            "subentry_type": "printer",
            "title": p.name,
            "unique_id": p.serial,
            "data": {
                "id": p.id,
                "name": p.name,
                "brand": "Bambu Lab",
                "model": p.model,
                "type": "FDM",
                "ip_address": p.ip,
                "serial_number": p.serial,
                "access_code": "12345678",
                "build_volume": None,
                "filament": None,
                "fingerprint": None,
            },
        }
        for p in PRINTERS
    ]
    ottoejects = [
        {
            "subentry_id": f"01JSNAPSHOTEJECTOR{o.id:08d}",
            "subentry_type": "ottoeject",
            "title": o.name,
            # Known identity: the coordinator does not ask the robot for it.
            "unique_id": f"host:ottoeject-{o.id}",
            "data": {
                "id": o.id,
                "device_name": o.name,
                "ip_address": o.ip,
                "port": 7125,
                "api_key": None,
            },
        }
        for o in OTTOEJECTS
    ]
    racks = [
        {
            "subentry_id": f"01JSNAPSHOTRACK{r.id:011d}",
            "subentry_type": "rack",
            "title": r.name,
            "unique_id": str(r.id),
            "data": {
                "id": r.id,
                "name": r.name,
                "number_of_shelves": r.shelves,
                "shelf_spacing_mm": r.spacing_mm,
                "bed_size": r.bed_size,
            },
        }
        for r in RACKS
    ]
    return [*printers, *ottoejects, *racks]


# -- delivering fixture inputs (the only places that reach past the entry's public surface) ------
def _deliver_report(client: BambuPrinterClient, report: dict[str, Any]) -> None:
    """A message on the printer's report topic, as the MQTT connection hands it over."""
    client._on_message(f"device/{client.serial}/report", json.dumps(report).encode())


def _deliver_snapshot(stream: MoonrakerStatusStream, snapshot: EjectorSnapshot) -> None:
    """A status the stream derived from Moonraker, published to its listener."""
    stream._publish(snapshot)


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def no_device_connections() -> Iterator[None]:
    """Nothing connects to a printer or robot; macros are acknowledged at once."""
    with (
        patch.object(*PATCH_BAMBU_START, autospec=True),
        patch.object(*PATCH_STREAM_START, autospec=True),
        patch.object(*PATCH_RUN_MACRO, autospec=True, return_value={"result": "ok"}),
        patch.object(*PATCH_DISCOVERY_START, autospec=True),
    ):
        yield


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Entities disabled by default are registered enabled (snapshots need every state)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


class SnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's serializer (ids and timestamps hidden), files in ``__snapshots__/``."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "__snapshots__")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    # The harness's own ``snapshot`` override (HA's extension) loses to syrupy's plugin here.
    return snapshot.use_extension(SnapshotExtension)


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms the hub loads (each snapshot module loads only its own)."""
    return ALL_PLATFORMS


@dataclass
class Farm:
    hass: HomeAssistant
    entry: MockConfigEntry

    def device(self, kind: str, item_id: int) -> dr.DeviceEntry:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, f"{self.entry.entry_id}_{kind}_{item_id}"), self.entry.entry_id
        )
        assert device is not None, (kind, item_id)
        return device

    def placement(self, domain: str | None = None) -> dict[str, dict[str, str | None]]:
        """Where each device (or each entity of ``domain``) sits: its device, parent, subentry.

        Registry snapshots hide ids (``<ANY>``); this names them, so a device under the wrong
        parent or an entity on the wrong device or subentry shows in a snapshot.
        """
        devices = dr.async_get(self.hass)
        entry_id = self.entry.entry_id
        subentries = self.entry.subentries

        def device_name(device_id: str | None) -> str | None:
            device = devices.async_get(device_id) if device_id else None
            return device.name if device is not None else None

        def subentry_title(subentry_id: str | None) -> str | None:
            return subentries[subentry_id].title if subentry_id else None

        if domain is None:
            return {
                str(device.name): {
                    "via_device": device_name(device.via_device_id),
                    "subentry": subentry_title(device.config_subentry_id),
                }
                for device in dr.async_entries_for_config_entry(devices, entry_id)
            }
        return {
            entity.entity_id: {
                "device": device_name(entity.device_id),
                "subentry": subentry_title(entity.config_subentry_id),
            }
            for entity in er.async_entries_for_config_entry(er.async_get(self.hass), entry_id)
            if entity.domain == domain
        }

    @property
    def hub(self) -> dr.DeviceEntry:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.entry.entry_id), self.entry.entry_id
        )
        assert device is not None
        return device


@pytest.fixture
async def farm(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, platforms: list[Platform]
) -> AsyncIterator[Farm]:
    """The hub with the fixture farm, set up and fed; ``platforms`` loaded."""
    freezer.move_to(FROZEN_TIME)
    with patch(PATCH_PLATFORMS, platforms):
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=HUB_TITLE,
            entry_id=ENTRY_ID,
            data={},
            subentries_data=_subentries(),  # type: ignore[arg-type]
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        runtime = entry.runtime_data

        for printer in PRINTERS:
            coordinator = runtime.printers.get(printer.id)
            assert coordinator is not None
            assert coordinator.client is not None
            for report in printer.reports:
                _deliver_report(coordinator.client, report)
            runtime.printers.async_set_build_plate(printer.id, printer.has_build_plate)

        for ottoeject in OTTOEJECTS:
            coordinator = runtime.ottoejects.by_id(ottoeject.id)
            assert coordinator is not None
            assert coordinator.stream is not None
            if ottoeject.snapshot is not None:
                _deliver_snapshot(coordinator.stream, ottoeject.snapshot)

        await hass.async_block_till_done()
        yield Farm(hass, entry)
