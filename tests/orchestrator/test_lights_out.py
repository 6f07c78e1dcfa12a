"""The lights-out loop on the simulated farm, proven against the farm's physical ground truth.

Three printers (P1S, P1P and the A1 bed slinger), one OttoEject with a rack of 12 shelves:
nine jobs of mixed heights and priorities, no printer chosen. Each is printed exactly once,
ejected, stored where it fits, and the printers get fresh plates while empty plates remain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.farm.job_status import JobStatus

from ..farm_fixtures import FarmHandle, run_farm
from .farm_setup import A1, P1_FAMILY, events, set_up_farm, wait_until

pytestmark = pytest.mark.usefixtures("loopback_enabled")

# name, height (mm), sliced for, priority (1 = most urgent)
JOBS = [
    ("bracket", 20.0, P1_FAMILY, 2),
    ("tower", 150.0, P1_FAMILY, 1),
    ("vase", 60.0, A1, 2),
    ("clip", 25.0, P1_FAMILY, 3),
    ("knob", 40.0, A1, 1),
    ("lamp", 140.0, P1_FAMILY, 2),
    ("hook", 35.0, P1_FAMILY, 1),
    ("gear", 50.0, A1, 3),
    ("spool", 65.0, P1_FAMILY, 2),
]


@pytest.fixture
def farm_sim() -> Iterator[FarmHandle]:
    with run_farm(printers=3, models="P1S,P1P,A1", ejectors=1, shelves=12, time_scale=60) as sim:
        yield sim


async def test_nine_jobs_printed_once_stored_with_clearance_and_plates_reloaded(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, farm_sim: FarmHandle
) -> None:
    farm = await set_up_farm(hass, hass_client, farm_sim)
    start = (await farm.truth())["events"][-1]["t"] if (await farm.truth())["events"] else 0.0
    fired: list[str] = []
    for kind in ("job_started", "job_finished", "job_stored", "queue_empty"):
        hass.bus.async_listen(f"ottoengine_{kind}", lambda event, k=kind: fired.append(k))
    jobs: dict[int, tuple[str, float, str]] = {}
    for name, height, model, priority in JOBS:
        item = await farm.upload(f"{name}.gcode.3mf", height_mm=height, model=model, seconds=600)
        jobs[await farm.queue(item, priority=priority)] = (name, height, model)

    await wait_until(
        lambda: all(farm.job_status(job_id) is JobStatus.COMPLETED for job_id in jobs),
        240,
        "every job COMPLETED",
        interval=0.5,
    )
    truth = await farm.truth(start)

    # The farm's ground truth: nothing impossible happened.
    assert truth["violations"] == []
    started = events(truth, "print_started")
    assert len(started) == len(JOBS)  # each printed once, none twice
    labels = Counter(label.split("@")[0] for label in truth["stored_prints"])
    assert labels == Counter(name for name, *_ in JOBS)
    # A1-sliced files went to the A1, the others to the P1 printers.
    a1_name = next(p["name"] for p in farm_sim.printers if p["model"] == "A1")
    for label in truth["stored_prints"]:
        name, printer = label.split("@")[0], label.split("@")[1].split("#")[0]
        model = next(m for n, _, m, _ in JOBS if n == name)
        assert (printer == a1_name) is (model == A1), label
    # Every print sits on the shelf Home Assistant recorded, and only there.
    runtime = farm.entry.runtime_data
    rack = runtime.state.racks[farm.rack_id]
    on_shelves = {
        int(shelf): plate["print"].split("@")[0]
        for shelf, plate in truth["racks"]["rack-1"].items()
        if plate is not None and plate["print"]
    }
    recorded = {
        shelf.shelf_number: runtime.state.jobs[shelf.print_job_id].filename.split(".")[0]
        for shelf in rack.shelves
        if shelf.print_job_id is not None
    }
    assert recorded == on_shelves
    # Plates were reloaded while empty plates remained: six plates, six grabs and loads.
    grabs = [e for e in events(truth, "macro_finished") if e["macro"].startswith("GRAB_FROM")]
    loads = [e for e in events(truth, "macro_finished") if e["macro"].startswith("LOAD_ONTO")]
    assert len(grabs) == len(loads) == 6
    assert all(event["ok"] for event in events(truth, "macro_finished"))
    # The A1 is a bed slinger: its bed went to Y 170 before each ejection.
    a1_moves = events(truth, "bed_moved", device=a1_name)
    assert a1_moves
    assert all(move["axis"] == "Y" for move in a1_moves)
    # Automations saw the whole story.
    await hass.async_block_till_done()
    assert Counter(fired) >= Counter(
        {"job_started": 9, "job_finished": 9, "job_stored": 9, "queue_empty": 1}
    )
