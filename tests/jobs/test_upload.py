"""`POST /api/print-jobs/upload` and the print items it creates."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from aiohttp import FormData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.api import multipart

from ..printfile.builders import BambuProject, build_bambu_3mf, make_png
from .helpers import create_job, gcode_bytes, setup_farm, upload


def _files(hass: HomeAssistant) -> list[str]:
    folder = Path(hass.config.path("ottoengine", "print_files"))
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def test_upload_parses_and_stores_gcode(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    data = gcode_bytes()
    status, body = await upload(client, "My Cube?.GCODE", data)
    assert status == HTTPStatus.OK
    assert body["print_item_id"] == 1
    assert body["filename"] == "My Cube_.gcode"
    assert body["estimated_print_time"] == 62
    assert body["filament_used"] == "15.3g"
    assert body["file_size"].endswith(" KB")
    assert body["message"] == "File uploaded and parsed successfully"
    assert body["size_bytes"] == len(data)
    assert body["has_thumbnail"] is False
    stored = Path(hass.config.path("ottoengine", "print_files", "1_My Cube_.gcode"))
    assert stored.read_bytes() == data
    assert _files(hass) == ["1_My Cube_.gcode"]
    item = entry.runtime_data.state.print_items[1]
    assert item.sha256 == body["sha256"]
    assert item.metadata["estimated_print_time_s"] == 3723


async def test_same_content_reuses_the_print_item(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    data = gcode_bytes()
    _, first = await upload(client, "cube.gcode", data)
    status, second = await upload(client, "copy.gcode", data)
    assert status == HTTPStatus.OK
    assert second["print_item_id"] == first["print_item_id"]
    assert second["filename"] == "cube.gcode"
    assert "already uploaded" in second["message"]
    assert _files(hass) == ["1_cube.gcode"]
    _, third = await upload(client, "cube.gcode", gcode_bytes("other"))
    assert third["print_item_id"] == 2
    assert _files(hass) == ["1_cube.gcode", "2_cube.gcode"]


async def test_3mf_with_thumbnail(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, tmp_path: Path
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    png = make_png(8, 8, (255, 0, 0))
    path = build_bambu_3mf(tmp_path / "plate.gcode.3mf", BambuProject(thumbnail=png))
    status, body = await upload(client, "plate.gcode.3mf", path.read_bytes())
    assert status == HTTPStatus.OK, body
    assert body["layer_count"] == 150
    assert body["plate_count"] == 1
    assert body["has_thumbnail"] is True
    response = await client.get(f"/api/print-jobs/items/{body['print_item_id']}/thumbnail")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    assert await response.read() == png


async def test_refused_uploads_leave_no_file(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    status, body = await upload(client, "notes.txt", b"hello")
    assert (status, body["field"]) == (HTTPStatus.BAD_REQUEST, "file")
    assert "Unsupported file type" in body["message"]
    status, body = await upload(client, "broken.gcode.3mf", b"this is no zip archive")
    assert (status, body["field"]) == (HTTPStatus.BAD_REQUEST, "file")
    assert "cannot be parsed" in body["message"]
    status, body = await upload(client, "empty.gcode", b"")
    assert (status, body["field"]) == (HTTPStatus.BAD_REQUEST, "file")

    form = FormData()
    form.add_field("other", b"x", filename="cube.gcode")
    response = await client.post("/api/print-jobs/upload", data=form)
    assert response.status == HTTPStatus.BAD_REQUEST
    assert "'file'" in (await response.json())["message"]
    response = await client.post("/api/print-jobs/upload", json={"file": "cube.gcode"})
    assert response.status == HTTPStatus.BAD_REQUEST
    assert _files(hass) == []
    assert entry.runtime_data.state.print_items == {}


async def test_upload_beyond_the_limit_is_413(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_farm(hass, options={"max_upload_bytes": 2000})
    client = await hass_client()
    status, body = await upload(client, "big.gcode", gcode_bytes() + b";" * 600_000)
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert body["max_upload_bytes"] == 2000
    assert _files(hass) == []
    assert entry.runtime_data.state.print_items == {}


async def test_items_list_get_and_delete(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    _, body = await upload(client, "cube.gcode", gcode_bytes())
    item_id = body["print_item_id"]
    items = await (await client.get("/api/print-jobs/items/")).json()
    assert [item["id"] for item in items] == [item_id]
    assert items[0]["filename"] == "cube.gcode"
    assert items[0]["estimated_print_time"] == 62
    assert items[0]["created_at"].endswith("Z")
    assert items[0]["metadata"]["slicer_name"] == "PrusaSlicer"
    assert (await client.get(f"/api/print-jobs/items/{item_id}")).status == HTTPStatus.OK
    response = await client.get(f"/api/print-jobs/items/{item_id}/thumbnail")
    assert response.status == HTTPStatus.NOT_FOUND

    job = await create_job(client, print_item_id=item_id)
    response = await client.delete(f"/api/print-jobs/items/{item_id}")
    assert response.status == HTTPStatus.CONFLICT
    assert _files(hass) == ["1_cube.gcode"]

    await client.delete(f"/api/print-jobs/{job['id']}")
    response = await client.delete(f"/api/print-jobs/items/{item_id}")
    assert response.status == HTTPStatus.OK
    assert _files(hass) == []
    assert await (await client.get("/api/print-jobs/items")).json() == []
    assert (await client.delete(f"/api/print-jobs/items/{item_id}")).status == 404
    assert (await client.get("/api/print-jobs/items/0/thumbnail")).status == 404


async def test_upload_and_delete_need_an_administrator(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_read_only_access_token: str
) -> None:
    await setup_farm(hass)
    _, body = await upload(await hass_client(), "cube.gcode", gcode_bytes())
    client = await hass_client(hass_read_only_access_token)
    status, _ = await upload(client, "cube.gcode", gcode_bytes("x"))
    assert status == HTTPStatus.FORBIDDEN
    response = await client.delete(f"/api/print-jobs/items/{body['print_item_id']}")
    assert response.status == HTTPStatus.FORBIDDEN
    assert (await client.get("/api/print-jobs/items")).status == HTTPStatus.OK
    assert _files(hass) == ["1_cube.gcode"]


async def test_malformed_multipart_is_400(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    response = await client.post(
        "/api/print-jobs/upload",
        data=b"no boundary here",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "file"


async def test_a_cut_off_upload_is_400_and_keeps_nothing(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """A body that ends before the part's closing boundary is not a complete file."""
    entry = await setup_farm(hass)
    client = await hass_client()
    content = gcode_bytes()
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="cube.gcode"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content[: len(content) // 2]
    )
    response = await client.post(
        "/api/print-jobs/upload",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert response.status == HTTPStatus.BAD_REQUEST
    answer = await response.json()
    assert answer["field"] == "file"
    assert "cut off" in answer["message"]
    assert _files(hass) == []
    assert entry.runtime_data.state.print_items == {}

    # The same file, complete, is accepted.
    status, _ = await upload(client, "cube.gcode", content)
    assert status == HTTPStatus.OK


async def test_large_uploads_are_written_in_batches(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multipart, "WRITE_BATCH", 1000)
    monkeypatch.setattr(multipart, "READ_CHUNK", 700)
    await setup_farm(hass)
    client = await hass_client()
    data = gcode_bytes("batched")
    status, body = await upload(client, "cube.gcode", data)
    assert status == HTTPStatus.OK
    assert body["size_bytes"] == len(data)
    stored = Path(hass.config.path("ottoengine", "print_files", "1_cube.gcode"))
    assert stored.read_bytes() == data
