"""The P1/A1 camera client against a TLS server speaking the camera protocol (camera_server.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import dataclasses
import socket
import struct

import pytest

from custom_components.ottoengine.bambu import (
    BambuAuthError,
    BambuConnectionError,
    CertificateMismatchError,
    SerialMismatchError,
)
from custom_components.ottoengine.bambu.camera import (
    CameraConnection,
    CameraKind,
    CameraProtocolError,
    CameraSettings,
    PrinterCamera,
    auth_packet,
    camera_kind,
    check_jpeg,
    payload_size,
    rtsps_url,
)
from ottosim.bambu.certs import CertificateAuthority

from .camera_server import CameraServer, jpeg

SERIAL = "01S00C987654321"
ACCESS_CODE = "87654321"
FAST = CameraSettings(
    connect_timeout=2.0, frame_timeout=1.0, backoff_initial=0.05, backoff_max=0.2, linger=0.2
)


@pytest.fixture
async def server(loopback_enabled: None, ca: CertificateAuthority) -> AsyncIterator[CameraServer]:
    cert, key = ca.server_certificate(SERIAL)
    camera_server = CameraServer(cert, key, ACCESS_CODE)
    await camera_server.start()
    yield camera_server
    await camera_server.stop()


def camera_for(
    server: CameraServer, *, access_code: str = ACCESS_CODE, serial: str = SERIAL
) -> PrinterCamera:
    settings = dataclasses.replace(FAST, port=server.port)
    return PrinterCamera(server.host, access_code, serial=serial, settings=settings)


def test_auth_packet_is_ha_bambulab_s_80_bytes() -> None:
    packet = auth_packet("12345678")
    assert len(packet) == 80
    assert packet[:16] == bytes.fromhex("40000000003000000000000000000000")
    assert packet[16:48] == b"bblp" + b"\0" * 28
    assert packet[48:80] == b"12345678" + b"\0" * 24


@pytest.mark.parametrize("code", ["x" * 33, "code\u00e9"])
def test_auth_packet_refuses_an_access_code_it_cannot_send(code: str) -> None:
    with pytest.raises(ValueError, match="access code") as raised:
        auth_packet(code)
    assert code not in str(raised.value)


def test_frame_header_and_payload_checks() -> None:
    assert payload_size(struct.pack("<IIII", 1234, 0, 1, 0)) == 1234
    for header in (struct.pack("<IIII", 0, 0, 1, 0), struct.pack("<IIII", 2**31, 0, 1, 0), b"x"):
        with pytest.raises(CameraProtocolError):
            payload_size(header)
    assert check_jpeg(jpeg(1)) == jpeg(1)
    with pytest.raises(CameraProtocolError):
        check_jpeg(b"\x89PNG....")


async def test_snapshot_authenticates_and_returns_a_jpeg(server: CameraServer) -> None:
    camera = camera_for(server)
    try:
        image = await camera.snapshot(timeout=3)
        assert image.startswith(b"\xff\xd8")
        assert image.endswith(b"\xff\xd9")
        assert image.startswith(jpeg(0)[:4])
        assert server.auth_packets == [auth_packet(ACCESS_CODE)]
        assert camera.latest_frame is not None
        # While the stream lingers, a second snapshot reuses it (no new session).
        await camera.snapshot(timeout=3)
        assert server.sessions == 1
    finally:
        await camera.close()


async def test_one_shared_stream_only_while_watched(server: CameraServer) -> None:
    camera = camera_for(server)
    try:
        release_a = camera.watch()
        release_b = camera.watch()
        first = await camera.next_frame(3)
        second = await camera.next_frame(3)
        assert first != second  # live frames, not the same one again
        assert server.sessions == 1
        assert camera.watchers == 2
        release_a()
        release_a()  # releasing twice counts once
        assert camera.watchers == 1
        await asyncio.sleep(FAST.linger * 2)
        assert camera.streaming
        release_b()
        await _until(lambda: not camera.streaming and server.open_sessions == 0)
        frames_then = server.frames_sent
        await asyncio.sleep(0.2)
        assert server.frames_sent == frames_then  # nobody watches: nothing is streamed
        # Watching again reconnects; the last frame of the earlier stream is not served as new.
        assert camera.latest_frame is not None
        release = camera.watch()
        assert camera.fresh_frame() is None
        release()
        await camera.snapshot(timeout=3)
        assert server.sessions == 2
    finally:
        await camera.close()


async def test_frames_yields_live_frames(server: CameraServer) -> None:
    camera = camera_for(server)
    seen: list[bytes] = []
    try:
        async for frame in camera.frames():
            seen.append(frame)
            if len(seen) == 3:
                break
        assert len(set(seen)) == 3
    finally:
        await camera.close()


async def test_wrong_access_code_is_an_auth_error_and_stops(server: CameraServer) -> None:
    camera = camera_for(server, access_code="00000000")
    try:
        with pytest.raises(BambuAuthError, match="access code") as raised:
            await camera.snapshot(timeout=3)
        assert "00000000" not in str(raised.value)
        await _until(lambda: not camera.streaming)
        sessions = server.sessions
        await asyncio.sleep(0.3)
        assert server.sessions == sessions  # no retrying with a code that cannot work
        with pytest.raises(BambuAuthError):
            await camera.next_frame(1)
    finally:
        await camera.close()


async def test_refused_is_a_clear_connection_error(loopback_enabled: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = dataclasses.replace(FAST, port=port)
    camera = PrinterCamera("127.0.0.1", ACCESS_CODE, serial=SERIAL, settings=settings)
    try:
        with pytest.raises(BambuConnectionError, match="connection refused"):
            await camera.snapshot(timeout=0.5)
        assert camera.streaming  # still retrying with backoff
        assert camera.connects >= 2
    finally:
        await camera.close()
    assert not camera.streaming


async def test_silent_printer_times_out(server: CameraServer) -> None:
    server.silent = True
    connection = await CameraConnection.open(
        server.host, ACCESS_CODE, serial=SERIAL, port=server.port, timeout=2
    )
    try:
        with pytest.raises(BambuConnectionError, match="no camera frame within"):
            await connection.read_frame(0.3)
    finally:
        await connection.close()


async def test_connect_timeout(loopback_enabled: None) -> None:
    # A listening socket that never accepts: TCP connects, the TLS handshake never finishes.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        with pytest.raises(BambuConnectionError, match="no connection within"):
            await CameraConnection.open(
                "127.0.0.1", ACCESS_CODE, serial=SERIAL, port=port, timeout=0.3
            )


async def test_certificate_is_checked_before_the_access_code_is_sent(
    server: CameraServer,
) -> None:
    with pytest.raises(SerialMismatchError):
        await CameraConnection.open(
            server.host, ACCESS_CODE, serial="01P00A000000000", port=server.port
        )
    with pytest.raises(CertificateMismatchError):
        await CameraConnection.open(
            server.host, ACCESS_CODE, serial=SERIAL, pinned_fingerprint="ab" * 32, port=server.port
        )
    await asyncio.sleep(0.1)
    assert server.auth_packets == []


async def test_reconnects_after_the_stream_ends(server: CameraServer) -> None:
    server.drop_after = 1
    camera = camera_for(server)
    release = camera.watch()
    try:
        for _ in range(3):
            await camera.next_frame(3)
        assert server.sessions >= 3
        assert camera.connects >= 3
    finally:
        release()
        await camera.close()


async def test_garbage_is_a_protocol_error_and_reconnects(server: CameraServer) -> None:
    server.garbage = True
    camera = camera_for(server)
    release = camera.watch()
    try:
        await _until(lambda: server.sessions >= 2)
        assert isinstance(camera.last_error, CameraProtocolError)
        with pytest.raises(BambuConnectionError, match="not a JPEG"):
            await camera.next_frame(0.3)
        server.garbage = False
        assert (await camera.next_frame(3)).endswith(b"\xff\xd9")
    finally:
        release()
        await camera.close()


async def test_close_fails_waiters(server: CameraServer) -> None:
    server.silent = True
    camera = camera_for(server)
    release = camera.watch()
    waiter = asyncio.create_task(camera.next_frame(5))
    await asyncio.sleep(0.1)
    await camera.close()
    with pytest.raises(BambuConnectionError, match="closed"):
        await waiter
    release()


async def _until(condition: object, timeout: float = 3.0) -> None:
    assert callable(condition)
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("X1C", CameraKind.RTSPS),
        ("H2D", CameraKind.RTSPS),
        ("P1S", CameraKind.JPEG),
        ("A1 mini", CameraKind.JPEG),
        ("Unknown", None),
        (None, None),
    ],
)
def test_camera_kind(model: str | None, kind: CameraKind | None) -> None:
    assert camera_kind(model) is kind


def test_rtsps_url() -> None:
    assert rtsps_url("192.168.1.20", "12345678") == (
        "rtsps://bblp:12345678@192.168.1.20:322/streaming/live/1"
    )
    assert rtsps_url("fe80::1", "a/b@c") == "rtsps://bblp:a%2Fb%40c@[fe80::1]:322/streaming/live/1"
