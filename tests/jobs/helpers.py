"""Helpers of the print-job tests: a farm with a printer and an OttoEject, uploads."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import FormData
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE

from ..printfile.builders import PrusaGcode, prusa_gcode

PRINTER = ConfigSubentryData(
    data={
        "id": 1,
        "name": "My_P1P",
        "brand": "Bambu Lab",
        "model": "P1P",
        "type": "FDM",
        "ip_address": "127.0.0.1",
        "serial_number": "01S00A000000001",
        "access_code": "12345678",
        "build_volume": None,
        "filament": None,
    },
    subentry_type="printer",
    title="My_P1P",
    unique_id="01S00A000000001",
)
OTTOEJECT = ConfigSubentryData(
    data={
        "id": 1,
        "device_name": "OttoEject-Mk2",
        "ip_address": "127.0.0.1",
        "port": 7125,
        "api_key": None,
    },
    subentry_type="ottoeject",
    title="OttoEject-Mk2",
    unique_id="ottoeject-1",
)


async def setup_farm(
    hass: HomeAssistant,
    *,
    options: dict[str, Any] | None = None,
    subentries: list[ConfigSubentryData] | None = None,
) -> MockConfigEntry:
    """The hub with one printer and one OttoEject (as their subentries)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        options=options or {},
        subentries_data=[PRINTER, OTTOEJECT] if subentries is None else subentries,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def gcode_bytes(seed: str = "", **spec: Any) -> bytes:
    """A small PrusaSlicer G-code file: 1h 2m 3s, 15.28 g; ``seed`` makes its content unique."""
    return (prusa_gcode(PrusaGcode(**spec)) + f"; {seed}\n").encode()


async def upload(client: Any, filename: str, data: bytes) -> tuple[int, dict[str, Any]]:
    form = FormData()
    form.add_field("file", data, filename=filename, content_type="application/octet-stream")
    response = await client.post("/api/print-jobs/upload", data=form)
    return response.status, await response.json()


async def upload_item(client: Any, filename: str = "cube.gcode", seed: str = "") -> int:
    status, body = await upload(client, filename, gcode_bytes(seed))
    assert status == HTTPStatus.OK, body
    return int(body["print_item_id"])


async def create_job(client: Any, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/print-jobs/", json=body)
    assert response.status == HTTPStatus.CREATED, await response.text()
    return await response.json()
