"""The printer's cover image on the simulated farm: no image while idle, the job's plate
thumbnail (the one the panel serves) while the farm runs a job on it, a new image per job."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
import tempfile

from aiohttp import FormData
from homeassistant.components.image import async_get_image
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from ..printfile.builders import BambuPlate, BambuProject, build_bambu_3mf, make_png
from .helpers import register, wait_for, wait_online

pytestmark = pytest.mark.usefixtures("loopback_enabled")


@pytest.fixture(scope="module")
def job_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="otto-cover-image-") as name:
        yield Path(name)


def _job_file(directory: Path, name: str, thumbnail: bytes) -> Path:
    # 600 simulated seconds: 3 s at the farm's time scale of 200.
    plate = BambuPlate(
        prediction_s=600,
        layer_count=50,
        filament_ids=(1,),
        filament_types=("PLA",),
        filament_colors=("#FFFFFF",),
        used_m=(5.12,),
        used_g=(15.32,),
    )
    project = BambuProject(sliced=[plate], thumbnail=thumbnail)
    return build_bambu_3mf(directory / name, project)


def _png(seed: int) -> bytes:
    return make_png(16 + seed, 16 + seed)


async def test_cover_image_follows_the_printer_s_job(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    job_dir: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1P")
    # Cleared by a person: no OttoEject needed for the farm to run jobs on it.
    printer_id = await register(client, printer, clearing_method="manual")
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    entity_id = entity_registry.async_get_entity_id(
        "image", DOMAIN, f"{entry.entry_id}_printer_{printer_id}_cover_image"
    )
    assert entity_id == f"image.{printer['name'].replace('-', '_')}_cover_image"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_UNKNOWN  # idle: no image
    assert "entity_picture" not in state.attributes

    async def run_job(name: str, thumbnail: bytes) -> tuple[int, int]:
        path = _job_file(job_dir, name, thumbnail)
        form = FormData()
        form.add_field("file", path.read_bytes(), filename=path.name)
        response = await client.post("/api/print-jobs/upload", data=form)
        assert response.status == HTTPStatus.OK, await response.text()
        item_id = int((await response.json())["print_item_id"])
        response = await client.post(
            "/api/print-jobs/",
            json={"print_item_id": item_id, "auto_start": True, "printer_id": printer_id},
        )
        assert response.status == HTTPStatus.CREATED, await response.text()
        return item_id, int((await response.json())["id"])

    first_png = _png(1)
    item_id, _job_id = await run_job("first.gcode.3mf", first_png)
    await wait_for(lambda: hass.states.get(entity_id).state != STATE_UNKNOWN, 30, "a cover image")
    state = hass.states.get(entity_id)
    first_updated = state.state
    assert state.attributes["entity_picture"].startswith(f"/api/image_proxy/{entity_id}")
    image = await async_get_image(hass, entity_id)
    assert image.content_type == "image/png"
    # The thumbnail stored at upload, as the farm panel serves it.
    panel = await client.get(f"/api/ottoengine/panel/thumbnails/{item_id}")
    assert panel.status == HTTPStatus.OK
    assert image.content == await panel.read()
    assert image.content.startswith(b"\x89PNG")
    response = await client.get(state.attributes["entity_picture"])
    assert response.status == HTTPStatus.OK
    assert await response.read() == image.content

    # The print ends: with manual clearing the farm's job is over (the printer waits for a
    # person to clear the plate): no image.
    runtime = entry.runtime_data
    await wait_for(
        lambda: (runtime.orchestrator.engine.printer_view(printer_id).attention or "").endswith(
            "cleared"
        ),
        60,
        "waiting for the plate to be cleared",
    )
    await wait_for(lambda: hass.states.get(entity_id).state == STATE_UNKNOWN, 30, "no image")
    assert "entity_picture" not in hass.states.get(entity_id).attributes
    await hass.async_add_executor_job(
        lambda: sim_farm.operator("clear_printer_plate", printer=printer["name"])
    )
    response = await client.post(f"/api/printers/{printer_id}/plate-cleared")
    assert response.status == HTTPStatus.OK

    # The next job: a new image (its own thumbnail), a new update time.
    second_png = _png(2)
    await run_job("second.gcode.3mf", second_png)
    await wait_for(
        lambda: hass.states.get(entity_id).state not in (STATE_UNKNOWN, first_updated),
        30,
        "the second job's cover image",
    )
    second = await async_get_image(hass, entity_id)
    assert second.content != image.content
