"""AMS entities appear with their unit and go unavailable when it is unplugged; the job's
weight and length come from the farm's print file.

The simulated printers have no AMS yet, so these tests feed real-format reports (a full report,
then P1-style deltas) to the printer's client as its MQTT connection would hand them over;
everything from there (merge, status model, coordinator, entities) is the real integration.
"""

from __future__ import annotations

from collections.abc import Iterator
import copy
import json
from typing import Any
from unittest.mock import patch

from homeassistant.const import ATTR_ENTITY_PICTURE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.bambu import BambuPrinterClient
from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.farm.clock import utcnow
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.orchestration.runs import (
    Pause,
    PauseKind,
    Phase,
    Run,
    RunKind,
    Step,
)
from custom_components.ottoengine.farm.print_items import PrintItem

from ..bambu.fake_printer import VERSION_REPLY
from ..bambu.reports import P1S_RUNNING_FULL
from .helpers import coordinator_of

# The hub listens for printer announcements (on loopback in these tests) once it has a printer.
pytestmark = pytest.mark.usefixtures("loopback_enabled")

SERIAL = "01P00A000000000"
SECOND_UNIT = {
    "id": "1",
    "humidity": "2",
    "humidity_raw": "21",
    "temp": "24.5",
    "tray": [
        {"id": "0", "tray_type": "PETG", "tray_sub_brands": "PETG HF", "tray_color": "00AE42FF"},
        {"id": "1"},
        {"id": "2"},
        {"id": "3"},
    ],
}


@pytest.fixture(autouse=True)
def no_connection() -> Iterator[None]:
    """The client never connects: the test delivers its reports."""
    with patch.object(BambuPrinterClient, "start", autospec=True):
        yield


def _deliver(client: BambuPrinterClient, report: dict[str, Any]) -> None:
    client._on_message(f"device/{client.serial}/report", json.dumps(report).encode())


def _delta(**fields: Any) -> dict[str, Any]:
    return {"print": {"command": "push_status", "msg": 1, **fields}}


async def _setup(hass: HomeAssistant, *, enable: tuple[str, ...] = ()) -> MockConfigEntry:
    """The hub with one P1S; ``enable``: keys of entities disabled by default to enable."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[  # type: ignore[list-item]
            {
                "subentry_type": "printer",
                "title": "Shelf P1S",
                "unique_id": SERIAL,
                "data": {
                    "id": 1,
                    "name": "Shelf P1S",
                    "brand": "Bambu Lab",
                    "model": "P1S",
                    "type": "FDM",
                    "ip_address": "192.0.2.31",
                    "serial_number": SERIAL,
                    "access_code": "12345678",
                    "build_volume": None,
                    "filament": None,
                    "fingerprint": None,
                },
            }
        ],
    )
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    for key in enable:  # registered enabled before the integration would disable them
        registry.async_get_or_create(
            "sensor", DOMAIN, f"{entry.entry_id}_printer_1_{key}", config_entry=entry
        )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_ams_units_come_and_go(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    entry = await _setup(hass)
    client = coordinator_of(entry, 1).client
    assert client is not None

    def entity_id(key: str) -> str | None:
        return entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}_printer_1_{key}"
        )

    # Booted without an AMS: no AMS entities.
    no_ams = copy.deepcopy(P1S_RUNNING_FULL)
    no_ams["print"]["ams"] = {
        "ams": [],
        "ams_exist_bits": "0",
        "tray_exist_bits": "0",
        "tray_now": "255",
    }
    _deliver(client, VERSION_REPLY)
    _deliver(client, no_ams)
    await hass.async_block_till_done()
    assert entity_id("ams_1_tray_1") is None
    active = entity_id("active_tray")
    assert active is not None
    assert hass.states.get(active).state == "none"

    # An AMS is plugged in: the printer reports it (as a P1 does, in a delta).
    _deliver(client, _delta(ams=P1S_RUNNING_FULL["print"]["ams"]))
    await hass.async_block_till_done()
    trays = [entity_id(f"ams_1_tray_{slot}") for slot in range(1, 5)]
    assert None not in trays
    first = hass.states.get(trays[0])
    assert first.name == "Shelf P1S AMS 1 tray 1"
    assert first.state == "PLA Basic"
    assert (first.attributes["color"], first.attributes["remaining_percent"]) == ("#1A1A1A", 82)
    assert first.attributes["active"] is True
    assert first.attributes[ATTR_ENTITY_PICTURE].startswith("data:image/svg+xml;base64,")
    assert hass.states.get(trays[1]).state == "PETG"  # no sub-brand: the type
    assert hass.states.get(trays[2]).state == "empty"
    assert ATTR_ENTITY_PICTURE not in hass.states.get(trays[2]).attributes
    humidity = entity_id("ams_1_humidity")
    assert humidity is not None
    assert hass.states.get(humidity).state == "4"
    assert hass.states.get(active).state == "ams_1_tray_1"
    temperature = entity_id("ams_1_temperature")
    assert temperature is not None
    registered = entity_registry.async_get(temperature)
    assert registered is not None
    assert registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION

    # A second unit, then the first one is unplugged (only its exist bit goes).
    _deliver(
        client,
        _delta(
            ams={
                "ams": [SECOND_UNIT],
                "ams_exist_bits": "3",
                "tray_exist_bits": "13",  # hex: trays 0 and 1 of the first unit, 0 of the second
                "tray_now": "4",
            }
        ),
    )
    await hass.async_block_till_done()
    second = entity_id("ams_2_tray_1")
    assert second is not None
    assert hass.states.get(second).state == "PETG HF"
    assert hass.states.get(second).attributes["active"] is True
    assert hass.states.get(entity_id("ams_2_humidity")).attributes["humidity_percent"] == 21
    assert hass.states.get(active).state == "ams_2_tray_1"

    # An AMS HT (unit 128, one tray) is named by its own kind.
    ht_unit = {
        "id": "128",
        "humidity": "1",
        "temp": "45.0",
        "tray": [{"id": "0", "tray_type": "PA-CF"}],
    }
    _deliver(client, _delta(ams={"ams": [ht_unit]}))
    await hass.async_block_till_done()
    ht_tray = entity_id("ams_ht_1_tray_1")
    assert ht_tray is not None
    assert hass.states.get(ht_tray).name == "Shelf P1S AMS HT 1 tray 1"
    assert hass.states.get(ht_tray).state == "PA-CF"

    _deliver(client, _delta(ams={"ams_exist_bits": "2"}))
    await hass.async_block_till_done()
    assert hass.states.get(trays[0]).state == STATE_UNAVAILABLE
    assert hass.states.get(humidity).state == STATE_UNAVAILABLE
    assert hass.states.get(second).state == "PETG HF"

    # Plugged back in: the same entities, available again (none added twice).
    before = len(er.async_entries_for_config_entry(entity_registry, entry.entry_id))
    _deliver(client, _delta(ams={"ams_exist_bits": "3"}))
    await hass.async_block_till_done()
    assert hass.states.get(trays[0]).state == "PLA Basic"
    assert len(er.async_entries_for_config_entry(entity_registry, entry.entry_id)) == before

    # Unloading the hub stops following the units.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_print_weight_and_length_of_the_farms_job(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    entry = await _setup(hass, enable=("print_length",))
    client = coordinator_of(entry, 1).client
    assert client is not None
    _deliver(client, VERSION_REPLY)
    _deliver(client, P1S_RUNNING_FULL)
    await hass.async_block_till_done()

    def state(key: str) -> str:
        entity_id = entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}_printer_1_{key}"
        )
        assert entity_id is not None
        return hass.states.get(entity_id).state

    # The print was started elsewhere (Bambu Studio): the farm does not know its file.
    assert state("print_weight") == "unknown"
    assert state("print_length") == "unknown"
    assert state("job_name") == "bracket_v3"

    # The farm's own job on this printer (held by a paused workflow, so nothing moves).
    runtime = entry.runtime_data
    farm = runtime.state
    item = farm.add_print_item(
        PrintItem(
            id=farm.ids.allocate("print_item"),
            filename="bracket_v3.gcode.3mf",
            stored_name="bracket_v3.gcode.3mf",
            size_bytes=1234,
            sha256="0" * 64,
            created_at=utcnow(),
            metadata={"filament_used_g": 8.04, "filament_used_m": 2.69},
        )
    )
    job = farm.create_job(item, JobSettings(auto_start=True), utcnow())
    run = Run(
        id=farm.ids.allocate("run"),
        kind=RunKind.JOB,
        printer_id=1,
        job_id=job.id,
        ejector_id=None,
        phase=Phase.PAUSED,
        steps=[Step.START, Step.EJECT],
        step_index=0,
        pause=Pause(PauseKind.COMMAND_FAILED, Step.START, "test", Phase.PRINTING),
    )
    farm.runs[run.id] = run
    _deliver(client, _delta(mc_percent=38))
    await hass.async_block_till_done()
    assert float(state("print_weight")) == 8.04
    assert float(state("print_length")) == 2.69


async def test_firmware_update_offered_by_the_printer(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    entry = await _setup(hass)
    client = coordinator_of(entry, 1).client
    assert client is not None
    _deliver(client, VERSION_REPLY)
    _deliver(client, P1S_RUNNING_FULL)
    await hass.async_block_till_done()
    firmware = entity_registry.async_get_entity_id(
        "update", DOMAIN, f"{entry.entry_id}_printer_1_firmware"
    )
    assert firmware is not None
    assert hass.states.get(firmware).state == "unknown"
    assert hass.states.get(firmware).attributes["installed_version"] == "01.08.02.00"

    offered = {
        "new_version_state": 1,
        "new_ver_list": [{"name": "ota", "cur_ver": "01.08.02.00", "new_ver": "01.09.00.00"}],
    }
    _deliver(client, _delta(upgrade_state=offered))
    await hass.async_block_till_done()
    state = hass.states.get(firmware)
    assert state.state == "on"
    assert state.attributes["latest_version"] == "01.09.00.00"

    _deliver(client, _delta(upgrade_state={"new_version_state": 2, "new_ver_list": []}))
    await hass.async_block_till_done()
    state = hass.states.get(firmware)
    assert state.state == "off"
    assert state.attributes["latest_version"] == "01.08.02.00"
