"""The status stream against a Moonraker that accepts connections but never answers them."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from custom_components.ottoengine.moonraker import (
    EjectorStatus,
    MoonrakerClient,
    MoonrakerStatusStream,
    status_stream,
)

HANDSHAKE_BOUND_S = 0.3


@pytest.mark.usefixtures("socket_enabled")
async def test_a_websocket_handshake_nobody_answers_is_given_up_and_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wedged (or starting, or stopping) Moonraker must not hold the stream for the HTTP
    session's default timeout: the handshake is given up, the robot is polled (OFFLINE), and the
    websocket is tried again."""
    upgrades: list[float] = []
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # the connection stays open; nothing is ever answered
        line = await reader.readline()
        if b"/websocket" in line:
            upgrades.append(time.monotonic())

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(status_stream, "CALL_TIMEOUT", HANDSHAKE_BOUND_S)
    async with aiohttp.ClientSession() as session:
        client = MoonrakerClient(session, "127.0.0.1", port, timeout=HANDSHAKE_BOUND_S)
        stream = MoonrakerStatusStream(
            client, poll_interval=0.1, reconnect_min=0.1, reconnect_max=0.1
        )
        await stream.start()
        try:
            deadline = time.monotonic() + 30
            while len(upgrades) < 3:
                assert time.monotonic() < deadline, f"handshakes tried: {len(upgrades)}"
                await asyncio.sleep(0.05)
            assert stream.status is EjectorStatus.OFFLINE  # polled meanwhile
            assert not stream.websocket_connected
        finally:
            await stream.stop()
            for writer in held:
                writer.close()
            server.close()
            await server.wait_closed()
