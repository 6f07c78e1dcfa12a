"""A small asyncio TLS server speaking the P1/A1 camera protocol, for the camera client's tests.

The protocol this server assumes (the one ``bambu/camera.py`` documents, from ha-bambulab's
``ChamberImageThread``), which the farm's stream server on port 6000 should speak too:

- TLS with the printer's certificate (CN = serial);
- the client sends 80 bytes: ``struct.pack("<IIII", 0x40, 0x3000, 0, 0)`` + ``bblp`` NUL-padded
  to 32 bytes + the access code NUL-padded to 32 bytes;
- a wrong packet: the server closes the connection without sending anything;
- a right one: every ``interval`` seconds a 16-byte header (little-endian uint32 payload size,
  itrack 0, flags 1, reserved 0) then the JPEG (``FF D8 ... FF D9``).

Knobs for failure tests: ``silent`` (authenticate, then send nothing), ``drop_after`` (close the
session after that many frames), ``garbage`` (send a header announcing a non-JPEG payload).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import ssl

from custom_components.ottoengine.bambu.camera import (
    AUTH_PACKET_SIZE,
    auth_packet,
    frame_header,
)


def jpeg(number: int) -> bytes:
    """A tiny fake JPEG (right start and end markers) that says which frame it is."""
    return b"\xff\xd8\xff\xe0" + f"frame {number}".encode() + b"\xff\xd9"


@dataclass
class CameraServer:
    """Serve the camera protocol on ``host`` (port 0: any free port) with ``cert``/``key``."""

    cert_file: Path
    key_file: Path
    access_code: str
    host: str = "127.0.0.1"
    interval: float = 0.05
    silent: bool = False
    drop_after: int | None = None
    garbage: bool = False
    port: int = 0
    sessions: int = 0
    open_sessions: int = 0
    auth_packets: list[bytes] = field(default_factory=list)
    frames_sent: int = 0
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        self._server = await asyncio.start_server(self._serve, self.host, self.port, ssl=context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.close_clients()
        for handler in list(self._handlers):
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.sessions += 1
        self.open_sessions += 1
        try:
            packet = await reader.readexactly(AUTH_PACKET_SIZE)
            self.auth_packets.append(packet)
            if packet != auth_packet(self.access_code):
                return
            sent = 0
            while not self.silent and (self.drop_after is None or sent < self.drop_after):
                if self.garbage:
                    writer.write(frame_header(4) + b"nope")
                else:
                    image = jpeg(self.frames_sent)
                    writer.write(frame_header(len(image)) + image)
                await writer.drain()
                sent += 1
                self.frames_sent += 1
                await asyncio.sleep(self.interval)
            if self.silent:
                await reader.read()  # until the client leaves
        except OSError, asyncio.IncompleteReadError, ssl.SSLError:
            pass
        finally:
            self._handlers.discard(task)
            self.open_sessions -= 1
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
                async with asyncio.timeout(1):
                    await writer.wait_closed()
