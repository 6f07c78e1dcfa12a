"""A Klipper printer's entities follow a real print on the simulated K1C (real Moonraker)."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from aiohttp import FormData
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from ..sim.klipper_helpers import prusa_style_gcode
from .helpers import fault, wait_for
from .klipper_support import (
    K1C,
    fast_klipper,  # noqa: F401 - a fixture
    klipper_farm_fixture,
    register_k1c,
    wait_klipper_online,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled", "fast_klipper")
klipper_farm = klipper_farm_fixture()

SENSORS = (
    "status",
    "stage",
    "progress",
    "remaining_time",
    "end_time",
    "nozzle_temperature",
    "nozzle_target_temperature",
    "bed_temperature",
    "bed_target_temperature",
    "layer",
    "job_name",
    "current_file",
)
# Only the Bambu printer has them.
BAMBU_ONLY = ("active_tray", "hms_errors", "wifi_signal", "chamber_temperature", "filament")


@pytest.fixture(autouse=True)
def offline_robots() -> None:
    """The Klipper printer's status stream is the real one (the printers' conftest stops it)."""


async def _upload(client: object, path: Path) -> None:
    form = FormData()
    form.add_field("file", path.read_bytes(), filename=path.name)
    response = await client.post("/api/printers/1/upload", data=form)  # type: ignore[attr-defined]
    assert response.status == HTTPStatus.OK, await response.text()


async def test_entities_follow_a_print_and_the_buttons_control_it(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    klipper_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    tmp_path: Path,
) -> None:
    device_registry = dr.async_get(hass)
    entry = await setup_hub(hass)
    client = await hass_client()
    await register_k1c(client, klipper_farm)
    await wait_klipper_online(entry, 1)
    await hass.async_block_till_done()

    def entity(platform: str, key: str) -> str:
        entity_id = entity_registry.async_get_entity_id(
            platform, DOMAIN, f"{entry.entry_id}_printer_1_{key}"
        )
        assert entity_id is not None, key
        return entity_id

    def state(key: str) -> str:
        current = hass.states.get(entity("sensor", key))
        assert current is not None
        return current.state

    # The device: the brand and model from the settings; the core entities, none of the Bambu
    # printer's AMS/HMS/camera ones.
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_1"), entry.entry_id
    )
    assert device is not None
    assert (device.manufacturer, device.model, device.serial_number) == ("Creality", "K1C", None)
    for key in SENSORS:
        entity("sensor", key)
    for key in ("pause", "resume", "stop"):
        entity("button", key)
    for key in BAMBU_ONLY:
        assert (
            entity_registry.async_get_entity_id(
                "sensor", DOMAIN, f"{entry.entry_id}_printer_1_{key}"
            )
            is None
        )
    assert not [
        e for e in er.async_entries_for_device(entity_registry, device.id) if e.domain == "camera"
    ]
    # The orchestrator's per-printer entities come with it.
    entity("sensor", "workflow_phase")
    assert state("status") == "idle"
    assert state("stage") == "idle"
    assert state("progress") == "0"
    assert float(state("bed_temperature")) > 0
    # The farm's build plate record: set over REST, shown at once.
    plate = entity("binary_sensor", "build_plate")
    put = await client.put("/api/printers/1", json={"has_build_plate": False})
    assert put.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert hass.states.get(plate).state == "off"  # type: ignore[union-attr]
    await client.put("/api/printers/1", json={"has_build_plate": True})
    await hass.async_block_till_done()
    assert hass.states.get(plate).state == "on"  # type: ignore[union-attr]
    # A manual refresh answers the printer's current state.
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": entity("sensor", "status")},
        blocking=True,
    )
    assert state("status") == "idle"

    source = tmp_path / "cube.gcode"
    source.write_text(prusa_style_gcode(minutes=300, layers=100, layer_height=0.3))
    await _upload(client, source)
    started = await client.post("/api/printers/1/start-print", json={"filename": "cube.gcode"})
    assert started.status == HTTPStatus.ACCEPTED
    await wait_for(lambda: state("status") in ("prepare", "running"), 30, "started")
    assert state("job_name") == "cube"
    assert float(state("nozzle_target_temperature")) == 215
    await wait_for(lambda: state("status") == "running", 60, "printing")
    assert state("stage") == "printing"
    await wait_for(lambda: int(state("progress")) > 0, 60, "progress")
    await wait_for(lambda: state("layer") not in ("unknown", "0"), 60, "a layer")
    layer = hass.states.get(entity("sensor", "layer"))
    assert layer is not None
    assert layer.attributes["total_layers"] == 100
    assert int(state("remaining_time")) > 0
    assert state("end_time") not in ("unknown", STATE_UNAVAILABLE)

    # Pause, resume and stop with the buttons.
    async def press(key: str) -> None:
        await hass.services.async_call(
            "button", "press", {"entity_id": entity("button", key)}, blocking=True
        )

    await press("pause")
    await wait_for(lambda: state("status") == "pause", 30, "paused")
    assert state("stage") == "paused_user"
    await press("resume")
    await wait_for(lambda: state("status") == "running", 30, "resumed")

    # Moonraker down: the entities and buttons are unavailable.
    await fault(hass, klipper_farm, K1C, "moonraker_down")
    await wait_for(lambda: state("status") == STATE_UNAVAILABLE, 30, "unavailable")
    stop = hass.states.get(entity("button", "stop"))
    assert stop is not None
    assert stop.state == STATE_UNAVAILABLE
    assert hass.states.get(plate).state == "on"  # type: ignore[union-attr]
    await fault(hass, klipper_farm, K1C, "moonraker_up")
    await wait_for(lambda: state("status") == "running", 30, "back")

    await press("stop")
    await wait_for(lambda: state("status") == "failed", 30, "cancelled")
    assert state("end_time") == "unknown"
    await hass.async_add_executor_job(klipper_farm.reset)
    await hass.async_add_executor_job(
        lambda: klipper_farm.operator("clear_printer_plate", printer=K1C)
    )


async def test_a_finished_print(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    klipper_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    tmp_path: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    await register_k1c(client, klipper_farm)
    await wait_klipper_online(entry, 1)
    await hass.async_block_till_done()

    def state(key: str) -> str:
        entity_id = entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}_printer_1_{key}"
        )
        assert entity_id is not None
        current = hass.states.get(entity_id)
        assert current is not None
        return current.state

    # The send_gcode action drives a Klipper printer too.
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_1"), entry.entry_id
    )
    assert device is not None
    await hass.services.async_call(
        DOMAIN,
        "send_gcode",
        {"device_id": device.id, "gcode": "SET_HEATER_TEMPERATURE HEATER=heater_bed TARGET=50"},
        blocking=True,
    )
    await wait_for(lambda: state("bed_target_temperature") == "50.0", 10, "bed target")

    source = tmp_path / "short.gcode"
    source.write_text(prusa_style_gcode(minutes=10, layers=20, layer_height=0.3))
    await _upload(client, source)
    started = await client.post("/api/printers/1/start-print", json={"filename": "short.gcode"})
    assert started.status == HTTPStatus.ACCEPTED
    await wait_for(lambda: state("status") == "finish", 120, "finished")
    assert state("progress") == "100"
    assert state("stage") == "idle"
    assert state("remaining_time") == "0"
    await hass.async_add_executor_job(
        lambda: klipper_farm.operator("clear_printer_plate", printer=K1C)
    )
