"""Requests the fuzz lane (tests/e2e/test_fuzz.py) found answered wrongly, now regression tests.

- A multipart body whose part headers aiohttp cannot parse (a control byte in a part's name)
  raised ``InvalidHeader`` out of the upload handlers: a 500. It is the client's malformed
  body: a 400 naming ``file``, on both upload routes.
- An integer beyond 64 bits (a job's priority) was accepted: the answer could not be written
  (500) and the farm's state could no longer be saved (every later change 503) until a
  restart. Every integer field is bounded by 2**53 - 1, what every JSON client reads exactly.
- Home Assistant's own security filter answers 400 in plain text for unsafe bytes in the path
  or query, on any route: the document lists that content type for every 400.
"""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.api import VIEWS
from custom_components.ottoengine.api.openapi import build_document

from ..jobs.helpers import create_job, setup_farm, upload_item

BOUNDARY = "a75da4c7f908042d15fa8e81fc7df7e0"
# A part named with a control byte (\x07): its headers are invalid.
BAD_PART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="\xf2\x90\xbb\xb7\x07"\r\n\r\n'
    "null\r\n"
    f"--{BOUNDARY}--\r\n"
).encode("latin-1")


@pytest.mark.parametrize("url", ["/api/print-jobs/upload", "/api/printers/1/upload"])
async def test_a_multipart_part_with_invalid_headers_is_400(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, url: str
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    response = await client.post(
        url,
        data=BAD_PART,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status == HTTPStatus.BAD_REQUEST, await response.text()
    body = await response.json()
    assert body["field"] == "file"
    assert "malformed" in body["message"]


async def test_home_assistants_plain_text_400_is_documented_on_every_route(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    response = await client.get("/api/print-jobs?%0D=1")
    assert response.status == HTTPStatus.BAD_REQUEST
    assert response.content_type == "text/plain"
    document = build_document(VIEWS)
    bad_request = document["components"]["responses"]["BadRequest"]["content"]
    assert set(bad_request) == {"application/json", "text/plain"}
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["responses"]["400"] == {"$ref": "#/components/responses/BadRequest"}


@pytest.mark.parametrize("priority", [2**53, 123859377276768300826624])
async def test_an_integer_too_large_for_json_is_400_and_the_farm_still_saves(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, priority: int
) -> None:
    entry = await setup_farm(hass)
    client = await hass_client()
    job = await create_job(client, print_item_id=await upload_item(client))
    url = f"/api/print-jobs/{job['id']}"
    for method, path, body in (
        ("PUT", url, {"priority": priority}),
        ("POST", "/api/print-jobs", {"print_item_id": job["print_item_id"], "priority": priority}),
    ):
        response = await client.request(method, path, json=body)
        assert response.status == HTTPStatus.BAD_REQUEST, await response.text()
        assert (await response.json())["field"] == "priority"
    largest = await client.put(url, json={"priority": 2**53 - 1})
    assert largest.status == HTTPStatus.OK, await largest.text()
    assert (await (await client.get(url)).json())["priority"] == 2**53 - 1
    assert not entry.runtime_data.store.last_save_failed
