"""The orchestrator drives a Klipper printer like a Bambu one: the simulated K1C prints a queued
job, its END_PRINT raises the bed, the OttoEject ejects it with the K1C's macros and stores it."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus

from aiohttp import FormData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.farm.job_status import JobStatus

from ..farm_fixtures import FarmHandle, run_farm
from ..orchestrator.farm_setup import events, set_up_farm, wait_until
from ..sim.klipper_helpers import prusa_style_gcode
from .klipper_support import (
    K1C,
    fast_klipper,  # noqa: F401 - a fixture
    klipper_registration,
    wait_klipper_online,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled", "fast_klipper")


@pytest.fixture(autouse=True)
def offline_robots() -> None:
    """The robot and the printer are the simulated farm's (the printers' conftest stops them)."""


@pytest.fixture
def farm_sim() -> Iterator[FarmHandle]:
    with run_farm(printers=0, ejectors=1, shelves=6, klipper_printers=1, time_scale=200) as sim:
        yield sim


async def test_a_queued_job_is_printed_ejected_and_stored(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, farm_sim: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, farm_sim)
    client = farm.client
    response = await client.post("/api/printers", json=klipper_registration(farm_sim))
    assert response.status == HTTPStatus.CREATED, await response.text()
    printer_id = int((await response.json())["id"])
    await wait_klipper_online(farm.entry, printer_id)

    form = FormData()
    form.add_field(
        "file",
        prusa_style_gcode(minutes=20, layers=40, layer_height=0.3).encode(),
        filename="bracket.gcode",
        content_type="application/octet-stream",
    )
    uploaded = await client.post("/api/print-jobs/upload", data=form)
    assert uploaded.status == HTTPStatus.OK, await uploaded.text()
    item_id = int((await uploaded.json())["print_item_id"])
    job_id = await farm.queue(item_id, printer_id=printer_id)

    await wait_until(
        lambda: farm.job_status(job_id) is JobStatus.COMPLETED,
        180,
        "the job COMPLETED",
        interval=0.5,
    )
    truth = await farm.truth()
    assert truth["violations"] == []
    assert len(events(truth, "print_started", device=K1C)) == 1
    ejected = [e["macro"] for e in events(truth, "macro_finished") if e["ok"]]
    assert any(macro.startswith("EJECT_FROM_CREALITY_K_ONE_C") for macro in ejected)
    assert [label.split("@")[0] for label in truth["stored_prints"]] == ["bracket"]
