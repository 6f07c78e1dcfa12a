"""`/api/print-jobs`: create, list, get, update, cancel, start and complete."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.farm.device_errors import DeviceRefusedError
from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.ports import CommandResult

from .helpers import create_job, setup_farm, upload_item


async def test_create_and_get_like_the_seed(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    item_id = await upload_item(client)
    created = await create_job(
        client, print_item_id=item_id, printer_id=1, ottoeject_id=1, auto_start=True, priority=1
    )
    assert created["id"] == 1
    assert created["status"] == "QUEUED"
    assert created["message"] == "Print job created successfully"
    assert created["job_ids"] == [1]
    assert created["created_at"].endswith("Z")
    assert {key: created[key] for key in ("print_item_id", "printer_id", "ottoeject_id")} == {
        "print_item_id": item_id,
        "printer_id": 1,
        "ottoeject_id": 1,
    }

    job = await (await client.get("/api/print-jobs/1")).json()
    assert job["print_item"] == {
        "id": item_id,
        "filename": "cube.gcode",
        "file_size": job["print_item"]["file_size"],
        "estimated_print_time": 62,
        "layer_count": None,
        "filament_used": "15.3g",
    }
    assert job["printer"] == {"id": 1, "name": "My_P1P", "brand": "Bambu Lab", "model": "P1P"}
    assert job["ottoeject"] == {"id": 1, "device_name": "OttoEject-Mk2"}
    assert (job["status"], job["priority"], job["auto_start"]) == ("QUEUED", 1, True)
    assert (job["progress_percent"], job["estimated_remaining_time"]) == (0, None)
    assert (job["started_at"], job["completed_at"]) == (None, None)
    assert job["history"] == [
        {
            "old_status": None,
            "new_status": "QUEUED",
            "at": job["created_at"],
            "reason": "Print job created",
        }
    ]


async def test_defaults_any_printer_and_new_without_auto_start(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    created = await create_job(client, print_item_id=await upload_item(client))
    assert created["status"] == "NEW"
    assert (created["printer_id"], created["ottoeject_id"], created["priority"]) == (None, None, 1)
    assert created["auto_start"] is False
    assert created["use_ams"] is False
    job = await (await client.get("/api/print-jobs/1/")).json()
    assert (job["printer"], job["ottoeject"]) == (None, None)


async def test_copies_create_several_jobs(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    created = await create_job(client, print_item_id=await upload_item(client), copies=3)
    assert created["id"] == 1
    assert created["job_ids"] == [1, 2, 3]
    assert created["message"] == "3 print jobs created successfully"
    listing = await (await client.get("/api/print-jobs")).json()
    assert [job["id"] for job in listing] == [1, 2, 3]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "print_item_id"),
        ({"print_item_id": 99}, "print_item_id"),
        ({"print_item_id": "1"}, "print_item_id"),
        ({"print_item_id": 1, "printer_id": 2}, "printer_id"),
        ({"print_item_id": 1, "printer_id": 0}, "printer_id"),
        ({"print_item_id": 1, "ottoeject_id": 5}, "ottoeject_id"),
        ({"print_item_id": 1, "rack_id": 5}, "rack_id"),
        ({"print_item_id": 1, "priority": 0}, "priority"),
        ({"print_item_id": 1, "priority": None}, "priority"),
        ({"print_item_id": 1, "priority": 1.5}, "priority"),
        ({"print_item_id": 1, "auto_start": "yes"}, "auto_start"),
        ({"print_item_id": 1, "use_ams": 1}, "use_ams"),
        ({"print_item_id": 1, "copies": 0}, "copies"),
        ({"print_item_id": 1, "copies": 101}, "copies"),
        ({"print_item_id": 1, "store_slot": 1}, "rack_id"),
        ({"print_item_id": 1, "rack_id": 1, "store_slot": 4}, "store_slot"),
        ({"print_item_id": 1, "rack_id": 1, "grab_slot": 0}, "grab_slot"),
        ({"print_item_id": 1, "rack_id": 1, "store_slot": 1, "grab_slot": 1}, "grab_slot"),
        ({"print_item_id": 1, "rack_id": 1, "store_slot": 1, "copies": 2}, "copies"),
    ],
)
async def test_create_refuses_bad_fields(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, body: dict[str, Any], field: str
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    await upload_item(client)
    await client.post("/api/ottoracks", json={"name": "A", "number_of_shelves": 3})
    await client.put("/api/ottoracks/1/shelves/1", json={"has_plate": True, "plate_state": "empty"})
    response = await client.post("/api/print-jobs", json=body)
    assert response.status == HTTPStatus.BAD_REQUEST
    answer = await response.json()
    assert answer["field"] == field
    assert answer["message"].startswith(f"{field}: ")
    assert entry.runtime_data.state.jobs == {}
    assert (await client.post("/api/print-jobs", data=b"[1]")).status == HTTPStatus.BAD_REQUEST


async def test_slot_rules(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> None:
    await setup_farm(hass)
    client = await hass_client()
    item_id = await upload_item(client)
    await client.post("/api/ottoracks", json={"name": "A", "number_of_shelves": 4})
    for shelf in (3, 4):
        await client.put(
            f"/api/ottoracks/1/shelves/{shelf}", json={"has_plate": True, "plate_state": "empty"}
        )
    first = await create_job(
        client, print_item_id=item_id, rack_id=1, store_slot=1, grab_slot=3, auto_start=True
    )
    assert (first["rack_id"], first["store_slot"], first["grab_slot"]) == (1, 1, 3)

    async def refused(body: dict[str, Any]) -> tuple[int, str]:
        response = await client.post("/api/print-jobs", json={"print_item_id": item_id, **body})
        return response.status, (await response.json()).get("field")

    # Another unfinished job's slots, a shelf with a plate, a shelf without one.
    assert await refused({"rack_id": 1, "store_slot": 1}) == (409, "store_slot")
    assert await refused({"rack_id": 1, "grab_slot": 3}) == (409, "grab_slot")
    assert await refused({"rack_id": 1, "store_slot": 3}) == (409, "store_slot")
    assert await refused({"rack_id": 1, "grab_slot": 2}) == (409, "grab_slot")
    second = await create_job(client, print_item_id=item_id, rack_id=1, store_slot=2, grab_slot=4)
    # A job may keep its own slots when it is updated.
    response = await client.put(f"/api/print-jobs/{second['id']}", json={"priority": 3})
    assert response.status == HTTPStatus.OK
    response = await client.put(f"/api/print-jobs/{second['id']}", json={"store_slot": 1})
    assert response.status == HTTPStatus.CONFLICT
    # Once the first job is cancelled, its slots are free again.
    await client.delete(f"/api/print-jobs/{first['id']}")
    response = await client.put(f"/api/print-jobs/{second['id']}", json={"store_slot": 1})
    assert response.status == HTTPStatus.OK


async def test_list_hides_cancelled_and_filters(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    item_id = await upload_item(client)
    await create_job(client, print_item_id=item_id, copies=3, auto_start=True)
    assert (await client.delete("/api/print-jobs/2")).status == HTTPStatus.OK
    listing = await (await client.get("/api/print-jobs")).json()
    assert [job["id"] for job in listing] == [1, 3]
    assert set(listing[0]) >= {
        "id",
        "print_item_id",
        "printer_id",
        "ottoeject_id",
        "status",
        "priority",
        "progress_percent",
        "estimated_remaining_time",
        "created_at",
        "started_at",
    }
    cancelled = await (await client.get("/api/print-jobs?status=cancelled")).json()
    assert [job["id"] for job in cancelled] == [2]
    both = await (await client.get("/api/print-jobs?status=QUEUED,CANCELLED")).json()
    assert [job["id"] for job in both] == [1, 2, 3]
    response = await client.get("/api/print-jobs?status=DONE")
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "status"
    # A cancelled job is still there, with its history.
    job = await (await client.get("/api/print-jobs/2")).json()
    assert job["status"] == "CANCELLED"
    assert [change["new_status"] for change in job["history"]] == ["QUEUED", "CANCELLED"]


async def test_update_while_waiting_only(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    await create_job(client, print_item_id=await upload_item(client))
    response = await client.put("/api/print-jobs/1", json={"priority": 2})
    assert response.status == HTTPStatus.OK
    body = await response.json()
    assert (body["id"], body["priority"], body["status"]) == (1, 2, "NEW")
    assert body["message"] == "Print job updated successfully"

    response = await client.put(
        "/api/print-jobs/1", json={"auto_start": True, "printer_id": 1, "use_ams": True}
    )
    body = await response.json()
    assert (body["status"], body["printer_id"], body["use_ams"]) == ("QUEUED", 1, True)
    body = await (await client.put("/api/print-jobs/1", json={"auto_start": False})).json()
    assert body["status"] == "NEW"
    assert (await client.put("/api/print-jobs/1", json={})).status == HTTPStatus.BAD_REQUEST
    response = await client.put("/api/print-jobs/1", json={"priority": -1})
    assert (await response.json())["field"] == "priority"

    runtime = entry.runtime_data
    job = runtime.state.jobs[1]
    runtime.async_transition_job(job, JobStatus.QUEUED, "test")
    runtime.async_transition_job(job, JobStatus.PRINTING, "test")
    response = await client.put("/api/print-jobs/1", json={"priority": 5})
    assert response.status == HTTPStatus.CONFLICT
    assert (await response.json())["current_status"] == "PRINTING"
    assert job.settings.priority == 2
    assert (await client.put("/api/print-jobs/7", json={"priority": 1})).status == 404


async def test_start_and_complete(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    events = []
    hass.bus.async_listen("ottoengine_job_status_changed", events.append)
    await create_job(client, print_item_id=await upload_item(client), printer_id=1)

    # A job that never printed cannot be completed.
    response = await client.post("/api/print-jobs/1/complete")
    assert response.status == HTTPStatus.CONFLICT
    body = await response.json()
    assert (body["current_status"], body["refused_status"]) == ("NEW", "COMPLETED")

    response = await client.post("/api/print-jobs/1/start")
    assert response.status == HTTPStatus.OK
    assert (await response.json())["status"] == "QUEUED"
    assert (await client.post("/api/print-jobs/1/start")).status == HTTPStatus.CONFLICT

    runtime = entry.runtime_data
    job = runtime.state.jobs[1]
    runtime.async_transition_job(job, JobStatus.PRINTING, "Print started on My_P1P")
    job.set_progress(50)
    listing = await (await client.get("/api/print-jobs")).json()
    assert listing[0]["estimated_remaining_time"] == 31
    assert listing[0]["started_at"].endswith("Z")

    response = await client.post("/api/print-jobs/1/complete")
    assert response.status == HTTPStatus.OK
    body = await response.json()
    assert (body["id"], body["status"]) == (1, "COMPLETED")
    assert body["completed_at"].endswith("Z")
    assert body["message"] == "Print job marked as completed"
    assert runtime.processing.statistics.jobs_completed == 1
    assert (await client.delete("/api/print-jobs/1")).status == HTTPStatus.CONFLICT
    await hass.async_block_till_done()
    assert [(e.data["old_status"], e.data["new_status"]) for e in events] == [
        ("NEW", "QUEUED"),
        ("QUEUED", "PRINTING"),
        ("PRINTING", "COMPLETED"),
    ]
    assert events[1].data == {
        "job_id": 1,
        "old_status": "QUEUED",
        "new_status": "PRINTING",
        "reason": "Print started on My_P1P",
        "printer_id": 1,
    }


class FakePrinterPort:
    """Printer 1 as the farm's printer port sees it: stops or refuses to."""

    def __init__(self, error: str | None = None) -> None:
        self.stopped = 0
        self.error = error

    async def async_stop(self) -> CommandResult:
        if self.error:
            raise DeviceRefusedError("printer 1", self.error)
        self.stopped += 1
        return CommandResult.CONFIRMED


def use_printer_port(
    monkeypatch: pytest.MonkeyPatch, runtime: Any, port: FakePrinterPort | None
) -> None:
    monkeypatch.setattr(
        runtime.printers, "printer", lambda printer_id: port if printer_id == 1 else None
    )


async def test_cancel_stops_the_print(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    item_id = await upload_item(client)
    await create_job(client, print_item_id=item_id, printer_id=1, auto_start=True, copies=3)
    runtime = entry.runtime_data
    for job_id in (1, 2, 3):
        runtime.async_transition_job(runtime.state.jobs[job_id], JobStatus.PRINTING, "test")

    # Without the printer in the farm the cancellation is only recorded.
    use_printer_port(monkeypatch, runtime, None)
    response = await client.delete("/api/print-jobs/1")
    assert response.status == HTTPStatus.OK
    assert await response.json() == {
        "id": 1,
        "status": "CANCELLED",
        "message": "Print job cancelled successfully",
    }
    assert "not stopped" in runtime.state.jobs[1].status_message

    use_printer_port(monkeypatch, runtime, FakePrinterPort("printer offline"))
    response = await client.delete("/api/print-jobs/2")
    assert response.status == HTTPStatus.BAD_GATEWAY
    assert "printer offline" in (await response.json())["message"]
    assert runtime.state.jobs[2].status is JobStatus.PRINTING

    port = FakePrinterPort()
    use_printer_port(monkeypatch, runtime, port)
    assert (await client.delete("/api/print-jobs/3")).status == HTTPStatus.OK
    assert port.stopped == 1
    assert "was stopped" in runtime.state.jobs[3].status_message
    assert (await client.delete("/api/print-jobs/3")).status == HTTPStatus.CONFLICT


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/print-jobs"),
        ("put", "/api/print-jobs/1"),
        ("delete", "/api/print-jobs/1"),
        ("post", "/api/print-jobs/1/start"),
        ("post", "/api/print-jobs/1/complete"),
    ],
)
async def test_changes_need_an_administrator(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
    method: str,
    path: str,
) -> None:
    entry = await setup_farm(hass)
    admin = await hass_client()
    await create_job(admin, print_item_id=await upload_item(admin))
    client = await hass_client(hass_read_only_access_token)
    response = await getattr(client, method)(path, json={"print_item_id": 1, "priority": 3})
    assert response.status == HTTPStatus.FORBIDDEN
    assert list(entry.runtime_data.state.jobs) == [1]
    assert entry.runtime_data.state.jobs[1].status is JobStatus.NEW
    assert (await client.get("/api/print-jobs/1")).status == HTTPStatus.OK


async def test_unknown_jobs_are_404(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    for response in (
        await client.get("/api/print-jobs/1"),
        await client.get("/api/print-jobs/abc"),
        await client.delete("/api/print-jobs/1"),
        await client.post("/api/print-jobs/1/complete"),
        await client.post("/api/print-jobs/1/start"),
    ):
        assert response.status == HTTPStatus.NOT_FOUND


async def test_failed_jobs_count_as_failures(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    await create_job(client, print_item_id=await upload_item(client), auto_start=True)
    runtime = entry.runtime_data
    job = runtime.state.jobs[1]
    # Without a slicer estimate there is no remaining time.
    runtime.state.print_items[1].metadata["estimated_print_time_s"] = None
    runtime.async_transition_job(job, JobStatus.PRINTING, "print started")
    assert (await (await client.get("/api/print-jobs/1")).json())[
        "estimated_remaining_time"
    ] is None
    runtime.async_transition_job(job, JobStatus.FAILED, "printer error 0300-4000")
    assert runtime.processing.statistics.jobs_failed == 1
    job_answer = await (await client.get("/api/print-jobs/1")).json()
    assert job_answer["status_message"] == "printer error 0300-4000"
