"""Printer cameras: a P1S's JPEG camera (stills and MJPEG) and an X1C's RTSPS stream source.

The printers are the simulated farm's (real MQTT); the P1S's camera is a TLS server speaking
the port-6000 protocol (``tests/bambu/camera_server.py``) on the printer's own address, with a
certificate naming the printer's serial; the last test uses the farm's own port-6000 stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import dataclasses
from pathlib import Path
import tempfile
from types import SimpleNamespace

from homeassistant.components.camera import (
    DATA_COMPONENT as CAMERA_COMPONENT,
    async_get_image,
    async_get_stream_source,
)
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine import camera as camera_platform
from custom_components.ottoengine.bambu.camera import auth_packet
from custom_components.ottoengine.const import DOMAIN
from ottosim.bambu.certs import CertificateAuthority

from ..bambu.camera_server import CameraServer
from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import coordinator_of, register, wait_for, wait_online

pytestmark = pytest.mark.usefixtures("loopback_enabled")


@pytest.fixture
async def p1s_camera(sim_farm: FarmHandle, loopback_enabled: None) -> AsyncIterator[CameraServer]:
    printer = sim_farm.printer("P1S")
    with tempfile.TemporaryDirectory(prefix="otto-camera-") as name:
        ca = CertificateAuthority.create(Path(name))
        cert, key = ca.server_certificate(printer["serial_number"])
        server = CameraServer(cert, key, printer["access_code"], host=printer["ip"])
        await server.start()
        yield server
        await server.stop()


@pytest.fixture
def camera_settings(p1s_camera: CameraServer, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = dataclasses.replace(
        camera_platform.CAMERA_SETTINGS,
        port=p1s_camera.port,
        connect_timeout=3.0,
        frame_timeout=2.0,
        backoff_initial=0.05,
        backoff_max=0.2,
        linger=0.3,
    )
    monkeypatch.setattr(camera_platform, "CAMERA_SETTINGS", settings)


def _camera_id(registry: er.EntityRegistry, entry_id: str, printer_id: int) -> str:
    entity_id = registry.async_get_entity_id(
        "camera", DOMAIN, f"{entry_id}_printer_{printer_id}_camera"
    )
    assert entity_id is not None
    return entity_id


@pytest.mark.usefixtures("camera_settings")
async def test_p1s_camera_stills_and_mjpeg(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    p1s_camera: CameraServer,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    entity_id = _camera_id(entity_registry, entry.entry_id, printer_id)
    assert entity_id == "camera.p1s_1_camera"
    registered = entity_registry.async_get(entity_id)
    assert registered is not None
    assert registered.disabled_by is None  # enabled by default, as in ha-bambulab
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "idle"
    assert printer["access_code"] not in str(state.attributes)
    assert p1s_camera.sessions == 0  # nobody watches: not connected

    image = await async_get_image(hass, entity_id)
    assert image.content_type == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8")
    assert image.content.endswith(b"\xff\xd9")
    assert p1s_camera.auth_packets == [auth_packet(printer["access_code"])]

    # The MJPEG stream relays live frames over the same single connection.
    response = await client.get(f"/api/camera_proxy_stream/{entity_id}")
    assert response.status == 200
    assert response.content_type == "multipart/x-mixed-replace"
    body = b""
    while body.count(b"Content-Type: image/jpeg") < 4:
        body += await response.content.readany()
    response.close()
    frames = {
        part.split(b"\r\n\r\n", 1)[1].split(b"\xff\xd9")[0]
        for part in body.split(b"--frameboundary")
        if b"\r\n\r\n" in part
    }
    assert len(frames) >= 2  # live: different frames
    assert p1s_camera.sessions == 1
    # Nobody watches any more: the printer's camera is let go after the linger.
    await wait_for(lambda: p1s_camera.open_sessions == 0, 5, "camera released")

    # A wrong access code (the printer closes the connection) is a clear error.
    p1s_camera.access_code = "00000000"
    with pytest.raises(HomeAssistantError, match="access code") as raised:
        await async_get_image(hass, entity_id)
    assert "00000000" not in str(raised.value)
    assert printer["access_code"] not in str(raised.value)
    # ... and an MJPEG stream that cannot get frames ends instead of hanging.
    await wait_for(lambda: p1s_camera.open_sessions == 0, 5, "camera released")
    response = await client.get(f"/api/camera_proxy_stream/{entity_id}")
    assert response.status == 200
    async with asyncio.timeout(10):
        assert b"image/jpeg" not in await response.read()


async def test_x1c_camera_is_an_rtsps_stream_source(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("X1C")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    entity_id = _camera_id(entity_registry, entry.entry_id, printer_id)
    code = printer["access_code"]
    assert await async_get_stream_source(hass, entity_id) == (
        f"rtsps://bblp:{code}@{printer['ip']}:322/streaming/live/1"
    )
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "streaming"
    assert code not in str(state.attributes)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert code not in str(diagnostics)

    # A stream playing an outdated URL (address or access code changed) is pointed at the new one.
    camera = hass.data[CAMERA_COMPONENT].get_entity(entity_id)
    assert camera is not None
    updated: list[str] = []
    camera.stream = SimpleNamespace(
        source="rtsps://bblp:old@10.0.0.1:322/x", update_source=updated.append
    )
    coordinator_of(entry, printer_id).async_update_listeners()
    assert updated == [f"rtsps://bblp:{code}@{printer['ip']}:322/streaming/live/1"]
    camera.stream = None

    # Offline: unavailable and no stream source.
    coordinator = coordinator_of(entry, printer_id)
    await coordinator.async_stop_client()
    coordinator.async_set_updated_data(
        dataclasses.replace(coordinator.data, status=coordinator.data.status.OFFLINE)
    )
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert await async_get_stream_source(hass, entity_id) is None


async def test_camera_of_the_simulated_printer(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The farm's P1P serves its own camera on port 6000: stills change as frames come."""
    monkeypatch.setattr(
        camera_platform,
        "CAMERA_SETTINGS",
        dataclasses.replace(camera_platform.CAMERA_SETTINGS, linger=0.3, backoff_max=0.5),
    )
    assert camera_platform.CAMERA_SETTINGS.port == 6000  # what real printers use
    entry = await setup_hub(hass)
    printer_id = await register(await hass_client(), sim_farm.printer("P1P"))
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    entity_id = _camera_id(entity_registry, entry.entry_id, printer_id)

    first = await async_get_image(hass, entity_id)
    assert first.content_type == "image/jpeg"
    assert first.content.startswith(b"\xff\xd8")
    assert first.content.endswith(b"\xff\xd9")
    # A changing test picture: a later still is another frame.
    frames = {first.content}
    async with asyncio.timeout(20):
        while len(frames) < 2:
            await asyncio.sleep(0.5)
            frames.add((await async_get_image(hass, entity_id)).content)
