"""A mixed farm: two Bambu printers and a Klipper printer share one OttoEject and one rack.

The issue's proof for Klipper printers: six queued jobs (four Bambu projects, two G-code files
for the Creality K1C) all end COMPLETED, each printed once, ejected with the right printer's
macros and stored, with zero violations in the farm's physical ground truth.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from http import HTTPStatus

from aiohttp import FormData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.farm.job_status import JobStatus

from ..farm_fixtures import FarmHandle, run_farm
from ..printers.klipper_support import (
    K1C,
    fast_klipper,  # noqa: F401 - a fixture
    klipper_registration,
    wait_klipper_online,
)
from ..sim.klipper_helpers import prusa_style_gcode
from .farm_setup import P1_FAMILY, events, set_up_farm, wait_until

pytestmark = pytest.mark.usefixtures("loopback_enabled", "fast_klipper")

BAMBU_JOBS = [("bracket", 20.0), ("clip", 25.0), ("hook", 35.0), ("knob", 40.0)]
KLIPPER_JOBS = [("spacer", 30), ("washer", 36)]  # name, layers of 0.3 mm


@pytest.fixture
def farm_sim() -> Iterator[FarmHandle]:
    with run_farm(
        printers=2, models="P1S,P1P", ejectors=1, shelves=12, klipper_printers=1, time_scale=200
    ) as sim:
        yield sim


async def test_two_bambu_and_a_klipper_printer_complete_six_jobs(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, farm_sim: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, farm_sim)
    client = farm.client
    response = await client.post("/api/printers", json=klipper_registration(farm_sim))
    assert response.status == HTTPStatus.CREATED, await response.text()
    k1c_id = int((await response.json())["id"])
    await wait_klipper_online(farm.entry, k1c_id)

    jobs: list[int] = []
    for name, height in BAMBU_JOBS:
        item = await farm.upload(
            f"{name}.gcode.3mf", height_mm=height, model=P1_FAMILY, seconds=600
        )
        jobs.append(await farm.queue(item))
    for minutes, (name, layers) in enumerate(KLIPPER_JOBS, start=10):
        form = FormData()
        form.add_field(
            "file",
            prusa_style_gcode(minutes=minutes, layers=layers, layer_height=0.3).encode(),
            filename=f"{name}.gcode",
            content_type="application/octet-stream",
        )
        uploaded = await client.post("/api/print-jobs/upload", data=form)
        assert uploaded.status == HTTPStatus.OK, await uploaded.text()
        item = int((await uploaded.json())["print_item_id"])
        jobs.append(await farm.queue(item, printer_id=k1c_id))

    await wait_until(
        lambda: all(farm.job_status(job_id) is JobStatus.COMPLETED for job_id in jobs),
        300,
        "every job COMPLETED",
        interval=0.5,
    )
    truth = await farm.truth()
    assert truth["violations"] == []
    assert len(events(truth, "print_started")) == 6  # each printed once
    names = [name for name, _ in BAMBU_JOBS] + [name for name, _ in KLIPPER_JOBS]
    stored = Counter(label.split("@")[0].split(".")[0] for label in truth["stored_prints"])
    assert stored == Counter(names)
    # The G-code files were printed by the K1C, and the K1C's prints left with its macros.
    k1c_started = events(truth, "print_started", device=K1C)
    assert sorted(e["file"] for e in k1c_started) == ["spacer.gcode", "washer.gcode"]
    ejected = [e["macro"] for e in events(truth, "macro_finished") if e["ok"]]
    assert sum(m.startswith("EJECT_FROM_CREALITY_K_ONE_C") for m in ejected) == 2
    assert sum(m.startswith("EJECT_FROM_BAMBULAB") for m in ejected) == 4
    assert all(event["ok"] for event in events(truth, "macro_finished"))
