"""Printer entities against the simulated farm: a print, offline and back, silence, removal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from http import HTTPStatus
import logging
from pathlib import Path
import tempfile

from aiohttp import FormData
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.farm.device_errors import DeviceUnavailableError
from custom_components.ottoengine.farm.ports import CommandResult

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import build_job, coordinator_of, fault, manager_of, register, wait_for, wait_online

pytestmark = pytest.mark.usefixtures("loopback_enabled")

COORDINATOR_LOGGER = "custom_components.ottoengine.printers.coordinator"


@pytest.fixture(scope="module")
def job_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="otto-printer-entities-") as name:
        # 1000 simulated seconds: 5 s at the farm's time scale of 200.
        yield build_job(Path(name), "bracket.gcode.3mf", prediction_s=1000)


def _entity_id(
    entity_registry: er.EntityRegistry, platform: str, entry_id: str, printer_id: int, key: str
) -> str:
    entity_id = entity_registry.async_get_entity_id(
        platform, DOMAIN, f"{entry_id}_printer_{printer_id}_{key}"
    )
    assert entity_id is not None, key
    return entity_id


async def test_entities_follow_a_print(  # noqa: PLR0917
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    job_file: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()

    def entity(platform: str, key: str) -> str:
        return _entity_id(entity_registry, platform, entry.entry_id, printer_id, key)

    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None
    assert device.via_device_id == entry.runtime_data.hub_device_id
    assert device.manufacturer == "Bambu Lab"
    assert device.model == "P1S"
    # 42 of the printer itself (26 sensors, 3 buttons, 2 binary sensors, speed, light, firmware,
    # camera, cover image; a P1S has no chamber or door sensor) and 6 of its AMS unit (4 trays,
    # humidity, temperature), 8 of the orchestrator (phase, current job, counters, needs
    # attention, plate cleared). 10 of them are disabled by default: current file, print length,
    # 4 fans, Wi-Fi, nozzle type and diameter, the AMS temperature.
    assert len(er.async_entries_for_device(entity_registry, device.id)) == 40
    every = er.async_entries_for_device(entity_registry, device.id, include_disabled_entities=True)
    assert len(every) == 50

    status = entity("sensor", "status")
    assert status == "sensor.p1s_1_status"
    assert hass.states.get(status).state == "idle"
    assert hass.states.get(entity("sensor", "stage")).state == "idle"
    assert hass.states.get(entity("sensor", "progress")).state == "0"
    nozzle = hass.states.get(entity("sensor", "nozzle_temperature"))
    assert float(nozzle.state) > 0
    assert nozzle.attributes["unit_of_measurement"] == "°C"
    filament = hass.states.get(entity("sensor", "filament"))
    # The simulated P1S feeds from its AMS's first tray.
    live = coordinator_of(entry, printer_id).data.filament
    assert live is not None
    assert live.source == "ams_1_tray_1"
    assert filament.state == live.material
    assert filament.attributes["source"] == live.source
    assert hass.states.get(entity("binary_sensor", "build_plate")).state == "on"
    nozzle_target = entity_registry.async_get(entity("sensor", "nozzle_target_temperature"))
    assert nozzle_target is not None
    assert nozzle_target.entity_category == "diagnostic"

    seen: list[str] = []

    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and (not seen or seen[-1] != new.state):
            seen.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [status], record)
    form = FormData()
    form.add_field("file", job_file.read_bytes(), filename=job_file.name)
    response = await client.post(f"/api/printers/{printer_id}/upload", data=form)
    assert response.status == HTTPStatus.OK
    response = await client.post(
        f"/api/printers/{printer_id}/start-print", json={"filename": job_file.name}
    )
    assert response.status == HTTPStatus.ACCEPTED

    await wait_for(lambda: hass.states.get(status).state == "running", what="running")
    end_time = await wait_for(
        lambda: (
            (state := hass.states.get(entity("sensor", "end_time")).state) != "unknown" and state
        ),
        what="end time",
    )
    assert datetime.fromisoformat(end_time) > datetime.fromisoformat("2020-01-01T00:00:00+00:00")
    assert int(hass.states.get(entity("sensor", "remaining_time")).state) > 0
    assert hass.states.get(entity("sensor", "stage")).state == "printing"
    # REST and entities show the same live data.
    rest = await (await client.get(f"/api/printers/{printer_id}/status")).json()
    assert rest["status"] in ("RUNNING", "FINISH")

    await wait_for(lambda: hass.states.get(status).state == "finish", 20, "finish")
    # The state is set before its state_changed listeners run: let them run.
    await hass.async_block_till_done()
    unsubscribe()
    assert seen == ["prepare", "running", "finish"]
    assert hass.states.get(entity("sensor", "progress")).state == "100"
    assert hass.states.get(entity("sensor", "end_time")).state == "unknown"
    layer = hass.states.get(entity("sensor", "layer"))
    assert layer.state == str(layer.attributes["total_layers"])


async def test_offline_unavailable_and_recovery(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=COORDINATOR_LOGGER)
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1P")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    status = _entity_id(entity_registry, "sensor", entry.entry_id, printer_id, "status")
    plate = _entity_id(entity_registry, "binary_sensor", entry.entry_id, printer_id, "build_plate")
    caplog.clear()

    await fault(hass, sim_farm, printer["name"], "mqtt_down")
    try:
        await wait_for(lambda: hass.states.get(status).state == STATE_UNAVAILABLE, what="offline")
        # Reconnect attempts keep failing meanwhile; the log says so once.
        await wait_for(
            lambda: coordinator_of(entry, printer_id).client.last_error is not None, what="retry"
        )
        assert hass.states.get(plate).state == "on"  # the farm's record stays available
        response = await client.get(f"/api/printers/{printer_id}/status")
        assert (await response.json())["status"] == "OFFLINE"
    finally:
        await fault(hass, sim_farm, printer["name"], "mqtt_up")
    await wait_for(lambda: hass.states.get(status).state == "idle", what="back online")
    messages = [r.getMessage() for r in caplog.records if r.name == COORDINATOR_LOGGER]
    assert messages == [
        f"Printer {printer['name']} is unavailable: the connection was lost or it stopped reporting",
        f"Printer {printer['name']} is back online",
    ]

    # The broker restarts (every connection drops): the client reconnects by itself.
    caplog.clear()
    client_before = coordinator_of(entry, printer_id).client
    await fault(hass, sim_farm, printer["name"], "mqtt_drop")
    await wait_for(
        lambda: any("back online" in r.getMessage() for r in caplog.records),
        what="reconnected after the broker restart",
    )
    assert coordinator_of(entry, printer_id).client is client_before
    assert hass.states.get(status).state == "idle"


async def test_silence_is_detected(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
) -> None:
    """A printer that keeps the connection but stops reporting goes unavailable, then back."""
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("X1C")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    status = _entity_id(entity_registry, "sensor", entry.entry_id, printer_id, "status")
    await fault(hass, sim_farm, printer["name"], "silent")
    try:
        await wait_for(lambda: hass.states.get(status).state == STATE_UNAVAILABLE, what="silent")
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")
    await wait_for(lambda: hass.states.get(status).state == "idle", what="reporting again")


async def test_buttons(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("A1")
    printer_id = await register(client, printer)
    offline_id = await register(
        client, printer, serial_number="03900A999999999", ip_address="127.0.1.254", name="Gone"
    )
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()

    pause = _entity_id(entity_registry, "button", entry.entry_id, printer_id, "pause")
    for key in ("pause", "resume", "stop"):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": _entity_id(entity_registry, "button", entry.entry_id, printer_id, key)},
            blocking=True,
        )

    # An unavailable button cannot be pressed; should the printer drop right then, it says so.
    offline = _entity_id(entity_registry, "button", entry.entry_id, offline_id, "pause")
    assert hass.states.get(offline).state == STATE_UNAVAILABLE
    button = hass.data["entity_components"]["button"].get_entity(offline)
    with pytest.raises(HomeAssistantError) as raised:
        await button.async_press()
    assert raised.value.translation_key == "printer_offline"

    await fault(hass, sim_farm, printer["name"], "reject_commands", enabled=True)
    try:
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call("button", "press", {"entity_id": pause}, blocking=True)
        assert raised.value.translation_key in ("printer_developer_mode", "printer_command_failed")
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")


async def test_printer_control_removal_unload_and_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()

    # Jobs stop prints through the farm's printer port (the one command path).
    port = entry.runtime_data.printers.printer(printer_id)
    assert port is not None
    assert port is coordinator_of(entry, printer_id).commands
    assert await port.async_stop() in (CommandResult.CONFIRMED, CommandResult.SENT)
    assert entry.runtime_data.printers.printer(99) is None
    await fault(hass, sim_farm, printer["name"], "mqtt_down")
    try:
        await wait_for(lambda: not coordinator_of(entry, printer_id).online, what="offline")
        with pytest.raises(DeviceUnavailableError, match="is not connected"):
            await port.async_stop()
    finally:
        await fault(hass, sim_farm, printer["name"], "mqtt_up")
    await wait_online(entry, printer_id)

    # A manual refresh (homeassistant.update_entity) asks the printer for a full report.
    coordinator = coordinator_of(entry, printer_id)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert coordinator.online

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    assert printer["access_code"] not in text
    assert (
        entry.subentries[coordinator_of(entry, printer_id).subentry_id].data["fingerprint"]
        not in text
    )

    # Removing the subentry (as the UI does) removes the device, its entities and the client.
    coordinator = coordinator_of(entry, printer_id)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None
    status = _entity_id(entity_registry, "sensor", entry.entry_id, printer_id, "status")
    hass.config_entries.async_remove_subentry(entry, coordinator.subentry_id)
    await hass.async_block_till_done()
    assert manager_of(entry).get(printer_id) is None
    assert coordinator.client is None
    assert device_registry.async_get(device.id) is None
    assert hass.states.get(status) is None

    # Unloading the hub disconnects every printer.
    await register(client, printer)
    await wait_online(entry, printer_id + 1)
    remaining = coordinator_of(entry, printer_id + 1)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert remaining.client is None
