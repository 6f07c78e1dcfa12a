"""A hub driving a simulated farm through the REST API, as a user would set it up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
import time
from typing import Any

from aiohttp import FormData
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.orchestrator.const import CONF_BED_SETTLE, CONF_START_TIMEOUT

from ..farm_fixtures import FarmHandle
from ..printers.helpers import registration
from ..sim.clients import make_3mf

# Bambu model codes the files are sliced for (slice_info's printer_model_id).
P1_FAMILY = "C12"  # P1S (P1P, X1C share its family)
A1 = "N2S"
START_TIMEOUT_S = 30  # the hub's print start confirmation timeout in these tests
# A print is running once uploaded and reported within the start timeout: as long again for
# the upload on a machine under load.
PRINT_START_S = 2 * START_TIMEOUT_S


@dataclass
class Farm:
    hass: HomeAssistant
    client: Any
    sim: FarmHandle
    entry: MockConfigEntry
    printer_ids: dict[str, int] = field(default_factory=dict)  # sim name -> API id
    rack_id: int = 0  # the first rack
    rack_ids: dict[str, int] = field(default_factory=dict)  # sim rack name -> API id

    async def truth(self, since: float | None = None) -> dict[str, Any]:
        return await self.hass.async_add_executor_job(self.sim.truth, since)

    async def operator(self, action: str, **params: Any) -> Any:
        return await self.hass.async_add_executor_job(lambda: self.sim.operator(action, **params))

    async def fault(self, device: str, name: str, **params: Any) -> Any:
        return await self.hass.async_add_executor_job(
            lambda: self.sim.fault(device, name, **params)
        )

    async def upload(self, name: str, *, height_mm: float, model: str, seconds: int) -> int:
        data = make_3mf(prediction_s=seconds, layers=20, max_z_mm=height_mm, printer_model_id=model)
        form = FormData()
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
        response = await self.client.post("/api/print-jobs/upload", data=form)
        assert response.status == HTTPStatus.OK, await response.text()
        return int((await response.json())["print_item_id"])

    async def queue(self, item_id: int, **body: Any) -> int:
        response = await self.client.post(
            "/api/print-jobs/", json={"print_item_id": item_id, "auto_start": True, **body}
        )
        assert response.status == HTTPStatus.CREATED, await response.text()
        return int((await response.json())["id"])

    async def job(self, job_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/api/print-jobs/{job_id}")
        assert response.status == HTTPStatus.OK
        return await response.json()

    def job_status(self, job_id: int) -> JobStatus:
        return self.entry.runtime_data.state.jobs[job_id].status

    async def mark_shelf(self, shelf: int, state: str, rack_id: int | None = None) -> None:
        """Tell Home Assistant what is on a shelf ("none" or "empty"), as an operator does."""
        body: dict[str, Any] = {"has_plate": state != "none", "plate_state": None}
        if state == "empty":
            body["plate_state"] = "empty"
        rack = self.entry.runtime_data.state.racks[rack_id or self.rack_id]
        found = rack.shelf_by_number(shelf)  # the route takes the shelf's farm-wide id
        assert found is not None
        response = await self.client.put(f"/api/ottoracks/{rack.id}/shelves/{found.id}", json=body)
        assert response.status == HTTPStatus.OK, await response.text()


async def wait_until(
    condition: Callable[[], Any], timeout: float, what: str, *, interval: float = 0.1
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(interval)


async def set_up_farm(
    hass: HomeAssistant,
    client_factory: Callable[[], Any],
    sim: FarmHandle,
    *,
    options: dict[str, Any] | None = None,
    printers: Sequence[str] | None = None,
    printer_settings: dict[str, dict[str, Any]] | None = None,
    rack_ejectors: bool = False,
) -> Farm:
    """An empty hub, then every simulated device registered over REST, shelves as the sim has them."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        options={CONF_START_TIMEOUT: START_TIMEOUT_S, CONF_BED_SETTLE: 0.2, **(options or {})},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await client_factory()
    farm = Farm(hass, client, sim, entry)
    for ejector in sim.ejectors:
        response = await client.post(
            "/api/ottoeject/",
            json={
                "device_name": ejector["name"],
                "ip_address": ejector["ip"],
                "port": ejector["port"],
            },
        )
        assert response.status == HTTPStatus.CREATED, await response.text()
    for printer in sim.printers:
        if printers is not None and printer["name"] not in printers:
            continue
        extra = (printer_settings or {}).get(printer["name"], {})
        response = await client.post("/api/printers/", json=registration(printer, **extra))
        assert response.status == HTTPStatus.CREATED, await response.text()
        farm.printer_ids[printer["name"]] = int((await response.json())["id"])
    for index, rack in enumerate(sim.description["racks"]):
        body = {
            "name": rack["name"],
            "number_of_shelves": rack["number_of_shelves"],
            "shelf_spacing_mm": rack["shelf_spacing_mm"],
            "bed_size": rack["bed_size"],
        }
        if rack_ejectors:  # rack-<j> belongs to ottoeject-<j> (API ids in the same order)
            body["ottoeject_id"] = index + 1
        response = await client.post("/api/ottoracks/", json=body)
        assert response.status == HTTPStatus.CREATED, await response.text()
        farm.rack_ids[rack["name"]] = int((await response.json())["id"])
    farm.rack_id = next(iter(farm.rack_ids.values()))
    truth = await farm.truth()
    for rack_name, rack_id in farm.rack_ids.items():
        for shelf, plate in truth["racks"][rack_name].items():
            if plate is not None:
                await farm.mark_shelf(int(shelf), "empty", rack_id)
    runtime = entry.runtime_data
    await wait_until(
        lambda: (
            all(c.online for c in runtime.printers.coordinators.values())
            and all(
                c.data.status.value == "ONLINE" for c in runtime.ottoejects.coordinators.values()
            )
        ),
        30,
        "every device online",
    )
    return farm


def macros(truth: dict[str, Any], prefix: str = "", **match: Any) -> list[str]:
    """The macros the robots started, in order (``prefix`` filters by name)."""
    return [
        event["macro"]
        for event in events(truth, "macro_started", **match)
        if event["macro"].startswith(prefix)
    ]


def events(truth: dict[str, Any], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [
        event
        for event in truth["events"]
        if event["event"] == kind and all(event.get(k) == v for k, v in match.items())
    ]
