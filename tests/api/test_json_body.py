"""The JSON body every mutating route reads: anything that is not a JSON object is a 400."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from ..helpers import setup_hub


@pytest.mark.parametrize(
    "raw",
    [b"", b"   ", b"{", b"\xff\xfe", b"[1, 2]", b"[" * 200_000, b'{"a":' * 200_000],
    ids=["empty", "blank", "truncated", "not utf-8", "array", "deep array", "deep object"],
)
async def test_a_body_that_is_not_a_json_object_is_400(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, raw: bytes
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    response = await client.post(
        "/api/ottoracks", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "body"
