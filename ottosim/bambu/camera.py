"""The chamber camera of a P1/A1 printer: TLS on port 6000, a JPEG stream after an auth packet.

The protocol (ha-bambulab ``pybambu/bambu_client.py`` ``ChamberImageThread``): the client sends
one 80-byte packet, ``<I 0x40><I 0x3000><I 0><I 0>``, the user name ``bblp`` and the access code
each NUL-padded to 32 bytes. A wrong packet or access code: the printer closes the connection
(the client reads 0 bytes). Otherwise the printer sends a frame about every second: a 16-byte
header ``<I payload size><I itrack 0><I flags 1><I 0>`` in a record of its own, then the JPEG
(``FF D8 FF E0`` ... ``FF D9``). The simulated picture is a small test card with the printer
name, its state and a frame counter, so consecutive frames differ. X1 printers stream RTSP on
322 instead (not simulated).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
import contextlib
import io
import logging
import ssl
import struct

_LOGGER = logging.getLogger(__name__)

CAMERA_PORT = 6000
USERNAME = "bblp"
AUTH_HEADER = struct.pack("<IIII", 0x40, 0x3000, 0, 0)
AUTH_SIZE = 80
FRAME_INTERVAL_S = 1.0
AUTH_TIMEOUT_S = 10.0
FRAME_SIZE = (320, 180)
# Served if Pillow is missing: an 8x8 grey JFIF (every frame the same picture then).
_FALLBACK_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4"
    "UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAAIAAgBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QA"
    "tRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0"
    "NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2"
    "t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/2Q=="
)


def auth_packet(access_code: str, username: str = USERNAME) -> bytes:
    """The packet a client sends first (also what tests send)."""
    return (
        AUTH_HEADER
        + username.encode("ascii").ljust(32, b"\0")
        + access_code.encode("ascii").ljust(32, b"\0")
    )


def frame_header(payload_size: int) -> bytes:
    return struct.pack("<IIII", payload_size, 0, 1, 0)


def render_frame(title: str, counter: int) -> bytes:
    """A JPEG test card showing ``title`` and ``counter``."""
    try:
        from PIL import Image, ImageDraw  # optional: Pillow
    except ImportError:  # pragma: no cover - Pillow is in the toolchain
        return _FALLBACK_JPEG
    shade = 40 + (counter * 23) % 160
    image = Image.new("RGB", FRAME_SIZE, (shade, 60, 255 - shade))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, (counter * 16) % FRAME_SIZE[0], 179), fill=(255, 255, 255))
    draw.text((10, 10), title, fill=(255, 255, 255))
    draw.text((10, 40), f"frame {counter}", fill=(255, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


class CameraServer:
    """``start()`` listens on ``host:port`` with the printer's certificate; ``caption()`` gives
    the text drawn on each frame (e.g. the printer name and its ``gcode_state``)."""

    def __init__(
        self,
        *,
        host: str,
        access_code: str,
        cert_file: str,
        key_file: str,
        caption: Callable[[], str],
        port: int = CAMERA_PORT,
        frame_interval_s: float = FRAME_INTERVAL_S,
    ) -> None:
        self.host = host
        self.port = port
        self._access_code = access_code
        self._caption = caption
        self._interval = frame_interval_s
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert_file, key_file)
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self.frames_sent = 0
        self.rejected = 0

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def bound_port(self) -> int:
        """The port listened on (``port`` 0: the one the system chose)."""
        if self._server is None or not self._server.sockets:
            return self.port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def clients(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._session, self.host, self.port, ssl=self._context, reuse_address=True
            )

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._sessions):
            task.cancel()
        for task in list(self._sessions):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if server is not None:
            await server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            try:
                packet = await asyncio.wait_for(reader.readexactly(AUTH_SIZE), AUTH_TIMEOUT_S)
            except TimeoutError, asyncio.IncompleteReadError, ConnectionError, ssl.SSLError:
                return
            if packet != auth_packet(self._access_code):
                self.rejected += 1  # the access code is never logged
                return
            while True:
                jpeg = await asyncio.to_thread(render_frame, self._caption(), self.frames_sent)
                writer.write(frame_header(len(jpeg)))
                await writer.drain()
                writer.write(jpeg)
                await writer.drain()
                self.frames_sent += 1
                await asyncio.sleep(self._interval)
        except ConnectionError, ssl.SSLError:
            pass
        finally:
            self._sessions.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.CancelledError):
                await writer.wait_closed()
