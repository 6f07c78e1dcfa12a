"""The P1/A1 chamber camera: TLS on port 6000, an 80-byte auth packet, then JPEG frames each
after a 16-byte header, read by a plain asyncio TLS client as ha-bambulab reads them."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
import socket
import ssl
import struct
from typing import Any

from PIL import Image
import pytest

from ottosim.bambu import camera as camera_module
from ottosim.bambu.camera import CameraServer
from ottosim.bambu.certs import CertificateAuthority
from tests.farm_fixtures import FarmHandle

pytestmark = pytest.mark.usefixtures("loopback_enabled")

TIMEOUT_S = 20.0


def _auth(access_code: str, username: str = "bblp") -> bytes:
    # ChamberImageThread: <I 0x40><I 0x3000><I 0><I 0>, user and code NUL-padded to 32 bytes.
    packet = struct.pack("<IIII", 0x40, 0x3000, 0, 0)
    packet += username.encode().ljust(32, b"\0") + access_code.encode().ljust(32, b"\0")
    assert len(packet) == 80
    return packet


def _context(farm: FarmHandle) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=farm.ca_file)
    context.check_hostname = False
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    return context


async def _frames(farm: FarmHandle, printer: dict[str, Any], count: int) -> list[bytes]:
    reader, writer = await asyncio.open_connection(
        printer["ip"], printer["camera_port"], ssl=_context(farm)
    )
    try:
        writer.write(_auth(printer["access_code"]))
        await writer.drain()
        frames = []
        for _ in range(count):
            header = await reader.readexactly(16)
            size, itrack, flags, reserved = struct.unpack("<IIII", header)
            assert (itrack, flags, reserved) == (0, 1, 0)
            frames.append(await reader.readexactly(size))
        return frames
    finally:
        writer.close()


async def _rejected(farm: FarmHandle, printer: dict[str, Any], packet: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(
        printer["ip"], printer["camera_port"], ssl=_context(farm)
    )
    try:
        writer.write(packet)
        await writer.drain()
        try:
            return await reader.read(4096)
        except ConnectionError, ssl.SSLError:
            return b""
    finally:
        writer.close()


@pytest.mark.parametrize("model", ["P1S", "P1P", "A1"])
def test_camera_streams_changing_jpeg_frames(sim_farm: FarmHandle, model: str) -> None:
    printer = sim_farm.printer(model)
    assert printer["camera_port"] == 6000
    frames = asyncio.run(asyncio.wait_for(_frames(sim_farm, printer, 2), TIMEOUT_S))
    for jpeg in frames:
        assert jpeg[:4] == b"\xff\xd8\xff\xe0"  # what ChamberImageThread checks
        assert jpeg[-2:] == b"\xff\xd9"
        image = Image.open(io.BytesIO(jpeg))
        image.load()
        assert image.format == "JPEG"
        assert image.size[0] > 0
    assert frames[0] != frames[1]  # the frame counter changes the picture
    camera = sim_farm.printer_truth(printer["name"])["camera"]
    assert camera["frames_sent"] >= 2


def test_wrong_access_code_closes_the_connection(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")
    wrong = "00000000" if printer["access_code"] != "00000000" else "11111111"
    before = sim_farm.printer_truth(printer["name"])["camera"]["rejected"]
    data = asyncio.run(asyncio.wait_for(_rejected(sim_farm, printer, _auth(wrong)), TIMEOUT_S))
    assert data == b""
    data = asyncio.run(
        asyncio.wait_for(
            _rejected(sim_farm, printer, _auth(printer["access_code"], "root")), TIMEOUT_S
        )
    )
    assert data == b""
    assert sim_farm.printer_truth(printer["name"])["camera"]["rejected"] == before + 2
    # The access code is in no answer of the farm's control endpoint beyond the description.
    assert wrong not in str(sim_farm.printer_truth(printer["name"])["camera"])


def test_x1c_has_no_tcp_camera(sim_farm: FarmHandle) -> None:
    x1c = sim_farm.printer("X1C")
    assert x1c["camera_port"] is None
    assert sim_farm.printer_truth(x1c["name"])["camera"] is None


def test_header_arrives_alone_as_ha_bambulab_expects(sim_farm: FarmHandle) -> None:
    """ChamberImageThread treats a 16-byte read as the header: it must come in its own record."""
    printer = sim_farm.printer("P1S")
    with (
        socket.create_connection((printer["ip"], printer["camera_port"]), TIMEOUT_S) as raw,
        _context(sim_farm).wrap_socket(raw, server_hostname=printer["ip"]) as tls,
    ):
        tls.sendall(_auth(printer["access_code"]))
        header = tls.recv(4096)
        assert len(header) == 16
        size = int.from_bytes(header[0:3], "little")
        image = bytearray()
        while len(image) < size:
            chunk = tls.recv(4096)
            assert chunk
            image += chunk
        assert len(image) == size
        assert image[:4] == b"\xff\xd8\xff\xe0"


async def test_server_stops_with_clients_connected_and_drops_silent_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process: a client that never authenticates is dropped, ``stop()`` ends live streams."""
    monkeypatch.setattr(camera_module, "AUTH_TIMEOUT_S", 0.3)
    ca = CertificateAuthority.create(tmp_path / "ca")
    cert, key = ca.server_certificate("01P00A000000001")
    server = CameraServer(host="127.0.0.1", port=0, access_code="12345678", cert_file=str(cert),
                          key_file=str(key), caption=lambda: "test", frame_interval_s=0.05)  # fmt: skip
    await server.start()
    context = ssl.create_default_context(cafile=str(ca.cert_file))
    context.check_hostname = False
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    port = server.bound_port
    try:
        silent_reader, silent = await asyncio.open_connection("127.0.0.1", port, ssl=context)
        assert await asyncio.wait_for(silent_reader.read(), 5) == b""  # dropped after timeout
        silent.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
        writer.write(_auth("12345678"))
        for _ in range(3):
            size = struct.unpack("<IIII", await reader.readexactly(16))[0]
            await reader.readexactly(size)
        assert server.clients == 1
    finally:
        await server.stop()
    assert not server.running
    assert server.clients == 0
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
