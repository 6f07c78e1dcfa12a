"""Hostile uploads on both upload routes: a clear 4xx, nothing stored, nothing left on disk.

``POST /api/print-jobs/upload`` keeps a print file as a print item; ``POST
/api/printers/{id}/upload`` sends it on to a printer (here the simulated farm's real vsftpd).
Every hostile body below (oversize, cut-off multipart, names with folders in them, zip bombs,
junk under a print file's name) must be answered with a 4xx that says what is wrong, and leave
no print item, no file in the print-file store, no temporary file and no file on the printer.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
import tempfile
from typing import Any
import uuid

from aiohttp import FormData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from ..printfile.builders import BambuProject, bambu_members, build_bambu_3mf, write_zip
from ..printfile.test_archive_safety import patch_central_entry
from .helpers import register

pytestmark = pytest.mark.usefixtures("loopback_enabled")

MIB = 1024 * 1024
EVIL = f"otto-evil-{uuid.uuid4().hex[:8]}"
PRINT_JOBS = "/api/print-jobs/upload"


def _valid_3mf(directory: Path) -> bytes:
    return build_bambu_3mf(directory / "ok.gcode.3mf", BambuProject()).read_bytes()


def _ratio_bomb(directory: Path) -> bytes:
    """A 3MF whose plate G-code inflates 200 MiB of newlines from a few hundred KiB."""
    members = bambu_members(BambuProject())
    members["Metadata/plate_1.gcode"] += b"\n" * (200 * MIB)
    return write_zip(directory / "bomb.gcode.3mf", members).read_bytes()


def _size_bomb(directory: Path) -> bytes:
    """A small 3MF whose directory claims a 4 GiB plate G-code."""
    data = _valid_3mf(directory)
    return patch_central_entry(data, "Metadata/plate_1.gcode", file_size=0xFFFFFFF0)


def _raw_body(filename: str, content: bytes, *, complete: bool = True) -> bytes:
    """A multipart body written by hand: the file name as a browser sends it (not encoded)."""
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="'
        # A quoted-string: a backslash must be escaped to arrive as one.
        + filename.replace("\\", "\\\\").encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
    )
    return body + b"\r\n--XyZ--\r\n" if complete else body


RAW = {"Content-Type": "multipart/form-data; boundary=XyZ"}


def _form(filename: str, content: bytes) -> FormData:
    form = FormData()
    form.add_field("file", content, filename=filename, content_type="application/octet-stream")
    return form


class Disk:
    """What the hub and the printer hold: compared before and after each hostile upload."""

    def __init__(
        self, hass: HomeAssistant, entry: MockConfigEntry, farm: FarmHandle, printer: str
    ) -> None:
        self._printer = printer
        self._hass = hass
        self._entry = entry
        self._farm = farm
        self._store = Path(hass.config.path("ottoengine", "print_files"))

    async def snapshot(self) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            temp = Path(tempfile.gettempdir())
            return {
                "store": sorted(p.name for p in self._store.iterdir())
                if self._store.exists()
                else [],
                "temp": sorted(p.name for p in temp.glob("ottoengine-printer-upload-*")),
                "printer": sorted(self._farm.printer_truth(self._printer)["files"]),
                "evil": sorted(
                    str(p)
                    for p in (temp, Path(self._hass.config.config_dir))
                    if any(p.glob(f"{EVIL}*"))
                ),
            }

        snapshot = await self._hass.async_add_executor_job(read)
        snapshot["items"] = sorted(self._entry.runtime_data.state.print_items)
        return snapshot


@pytest.fixture(autouse=True)
def config_dir_in_tmp(hass: HomeAssistant, tmp_path: Path) -> None:
    hass.config.config_dir = str(tmp_path)


@pytest.fixture(name="files", scope="module")
def files_fixture() -> Iterator[dict[str, bytes]]:
    with tempfile.TemporaryDirectory(prefix="otto-hostile-") as name:
        directory = Path(name)
        yield {
            "valid": _valid_3mf(directory),
            "ratio bomb": _ratio_bomb(directory),
            "size bomb": _size_bomb(directory),
        }


@pytest.mark.parametrize("route", ["print-jobs", "printer"])
async def test_hostile_uploads_are_refused_and_leave_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    files: dict[str, bytes],
    route: str,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1P")
    printer_id = await register(client, printer)
    url = PRINT_JOBS if route == "print-jobs" else f"/api/printers/{printer_id}/upload"
    disk = Disk(hass, entry, sim_farm, printer["name"])

    async def send(data: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        response = await client.post(url, data=data, headers=headers)
        return response.status, await response.json()

    before = await disk.snapshot()
    valid = files["valid"]
    cases: list[tuple[str, Any, dict[str, str] | None, int, str]] = [
        # (what, body, headers, status, words the message must have)
        ("cut off", _raw_body("cube.gcode.3mf", valid[:5000], complete=False), RAW, 400, "cut off"),
        ("no boundary", b"junk", {"Content-Type": "multipart/form-data"}, 400, "malformed"),
        ("ratio bomb", _form("bomb.gcode.3mf", files["ratio bomb"]), None, 400, "compression"),
        ("size bomb", _form("bomb.gcode.3mf", files["size bomb"]), None, 400, "size"),
        ("junk 3mf", _form("cube.gcode.3mf", b"PK\x03\x04 no archive"), None, 400, "parsed"),
        ("binary gcode", _form("cube.gcode", bytes(range(256)) * 64), None, 400, "parsed"),
        ("not a print file", _form("notes.txt", b"hello"), None, 400, "Unsupported"),
    ]
    for name in (
        f"../../../../../../tmp/{EVIL}.gcode.3mf",
        f"..\\..\\..\\{EVIL}.gcode.3mf",
        f"/tmp/{EVIL}.gcode.3mf",
        f"C:\\Users\\me\\{EVIL}.gcode.3mf",
    ):
        cases.append(("raw name " + name, _raw_body(name, valid), RAW, 400, "bare file name"))
        cases.append(("encoded name " + name, _form(name, valid), None, 400, "bare file name"))
    # Sent as it is, a percent-encoded folder is decoded like aiohttp's encoding is (an aiohttp
    # client would encode the '%' itself, and the name would stay literal and harmless).
    name = f"%2e%2e%2f%2e%2e%2f{EVIL}.gcode.3mf"
    cases.append(("raw name " + name, _raw_body(name, valid), RAW, 400, "bare file name"))
    cases.append(("NUL in name", _raw_body(f"{EVIL}%00.gcode.3mf", valid), RAW, 400, "NUL"))

    for what, data, headers, status, words in cases:
        answer_status, answer = await send(data, headers)
        assert answer_status == status, (what, answer)
        assert answer.get("field") == "file", (what, answer)
        assert words.lower() in answer["message"].lower(), (what, answer)
        assert await disk.snapshot() == before, what

    # Beyond the hub's size limit: 413 with the limit, and nothing kept of the part received.
    hass.config_entries.async_update_entry(entry, options={"max_upload_bytes": 4096})
    answer_status, answer = await send(_form("cube.gcode.3mf", valid + b"\0" * 100_000))
    assert answer_status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, answer
    assert answer["max_upload_bytes"] == 4096
    assert await disk.snapshot() == before
    hass.config_entries.async_update_entry(entry, options={})

    # The route still works for a real print file after all that.
    answer_status, answer = await send(_form("cube.gcode.3mf", valid))
    assert answer_status == HTTPStatus.OK, answer
    after = await disk.snapshot()
    if route == "print-jobs":
        assert after["items"] == [1]
        assert [n for n in after["store"] if not n.endswith(".png")] == ["1_cube.gcode.3mf"]
    else:
        assert set(after["printer"]) - set(before["printer"]) == {"cube.gcode.3mf"}
    assert after["temp"] == before["temp"]
    assert after["evil"] == []
