"""``GET /api/ottoengine/panel/thumbnails/{print_item_id}``: any logged-in user, 404 if none."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.api.panel_thumbnails import content_type

from ..jobs.helpers import gcode_bytes, upload, upload_item
from ..printfile.builders import make_png
from .helpers import setup_panel_farm

URL = "/api/ottoengine/panel/thumbnails/{}"


async def test_the_largest_thumbnail_is_served_to_any_user(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    await setup_panel_farm(hass)
    admin = await hass_client()
    small, large = make_png(16, 16), make_png(64, 48)
    status, body = await upload(
        admin,
        "benchy.gcode",
        gcode_bytes("thumbs", thumbnails=((16, 16, small), (64, 48, large))),
    )
    assert status == HTTPStatus.OK, body
    item = body["print_item_id"]
    viewer = await hass_client(hass_read_only_access_token)
    response = await viewer.get(URL.format(item))
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    assert await response.read() == large
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(URL.format(item))).status == HTTPStatus.UNAUTHORIZED


async def test_no_thumbnail_or_no_item_is_404(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await setup_panel_farm(hass)
    client = await hass_client()
    item = await upload_item(client, "plain.gcode")
    for path, text in (
        (URL.format(item), f"Print item {item} has no thumbnail"),
        (URL.format(999), "Print item 999 not found"),
        (URL.format("x"), "not found"),
    ):
        response = await client.get(path)
        assert response.status == HTTPStatus.NOT_FOUND, path
        assert text in (await response.json())["message"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert (await client.get(URL.format(item))).status == HTTPStatus.SERVICE_UNAVAILABLE


def test_the_content_type_follows_the_bytes() -> None:
    assert content_type(make_png(2, 2)) == "image/png"
    assert content_type(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    assert content_type(b"GIF89a") == "application/octet-stream"
