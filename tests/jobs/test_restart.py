"""Print items, jobs (with their history) and racks' shelves survive a restart unchanged."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import STORAGE_KEY
from custom_components.ottoengine.farm.job_status import JobStatus

from .helpers import create_job, setup_farm, upload_item


async def test_everything_survives_a_restart(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    item_id = await upload_item(client)
    await client.post("/api/ottoracks", json={"name": "A", "number_of_shelves": 3})
    await client.put("/api/ottoracks/1/shelves/2", json={"has_plate": True, "plate_state": "empty"})
    await create_job(
        client,
        print_item_id=item_id,
        printer_id=1,
        rack_id=1,
        store_slot=1,
        grab_slot=2,
        auto_start=True,
        priority=2,
    )
    await create_job(client, print_item_id=item_id)
    runtime = entry.runtime_data
    runtime.async_transition_job(runtime.state.jobs[1], JobStatus.PRINTING, "print started")
    runtime.state.jobs[1].set_progress(30)
    runtime.async_state_changed()
    await client.put(
        "/api/ottoracks/1/shelves/3",
        json={"has_plate": True, "plate_state": "with_print", "print_job_id": 2},
    )
    before = {
        path: await (await client.get(path)).json()
        for path in (
            "/api/print-jobs",
            "/api/print-jobs/1",
            "/api/print-jobs/items",
            "/api/ottoracks",
            "/api/ottoracks/1",
            "/api/orchestration/active-jobs",
        )
    }
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert [job["id"] for job in hass_storage[STORAGE_KEY]["data"]["jobs"]] == [1, 2]
    assert (await client.get("/api/print-jobs")).status == HTTPStatus.SERVICE_UNAVAILABLE
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data is not runtime

    for path, answer in before.items():
        assert await (await client.get(path)).json() == answer, path
    assert hass.states.get("sensor.a_shelf_3").state == "with_print"
    assert hass.states.get("sensor.a_shelf_2").state == "empty_plate"
    # Ids go on where they stopped.
    assert (await create_job(client, print_item_id=item_id))["id"] == 3
