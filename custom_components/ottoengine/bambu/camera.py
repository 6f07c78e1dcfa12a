"""The P1/A1 printers' camera: JPEG frames over TLS on port 6000 (HA-free, asyncio).

P1 and A1 printers have no RTSP server; their chamber camera is a small proprietary stream
(the one Bambu Studio and ha-bambulab's ``ChamberImageThread`` read):

1. TLS to port 6000. The certificate is the printer's self-signed one, checked as for MQTT
   (``tls.verify_certificate``: its CN must be the serial; pinned when a fingerprint is given)
   before the access code is sent.
2. The client sends one 80-byte auth packet: ``struct.pack("<IIII", 0x40, 0x3000, 0, 0)``, the
   user name ``bblp`` NUL-padded to 32 bytes, the access code NUL-padded to 32 bytes.
3. The printer then sends frames, about one every 1-2 s: a 16-byte header (little-endian
   ``uint32`` payload size, ``itrack``, ``flags``, reserved) followed by the JPEG payload (starts
   ``FF D8``, ends ``FF D9``). A wrong access code makes the printer close the connection without
   sending anything.

``PrinterCamera`` keeps one shared stream per printer, only while someone watches (plus a short
linger so that periodic snapshots do not reconnect each time), reconnecting with capped
exponential backoff. Errors use the driver's types: ``BambuAuthError`` (access code),
``SerialMismatchError`` / ``CertificateMismatchError`` (certificate) and ``BambuConnectionError``
(refused, unreachable, timed out, a broken stream). The access code never appears in an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass
from enum import StrEnum
import ipaddress
import logging
import ssl
import struct
import time
from typing import Final
from urllib.parse import quote

from .errors import (
    BambuAuthError,
    BambuConnectionError,
    BambuError,
    CertificateMismatchError,
    SerialMismatchError,
)
from .tls import client_context, normalize_fingerprint, verify_certificate

_LOGGER = logging.getLogger(__name__)

CAMERA_PORT: Final = 6000
CAMERA_USERNAME: Final = "bblp"
AUTH_HEADER: Final = struct.pack("<IIII", 0x40, 0x3000, 0, 0)
AUTH_FIELD_SIZE: Final = 32
AUTH_PACKET_SIZE: Final = len(AUTH_HEADER) + 2 * AUTH_FIELD_SIZE  # 80
FRAME_HEADER_SIZE: Final = 16
JPEG_START: Final = b"\xff\xd8"
JPEG_END: Final = b"\xff\xd9"
# A P1/A1 frame is 20-100 kB; anything near this is a broken stream, not a picture.
MAX_FRAME_BYTES: Final = 8 * 1024 * 1024

RTSPS_PORT: Final = 322
RTSPS_PATH: Final = "/streaming/live/1"
# Which models stream how (ha-bambulab's CAMERA_RTSP / CAMERA_IMAGE features).
RTSPS_MODELS: Final = frozenset({"X1", "X1C", "X1E", "X2D", "H2D", "H2D Pro", "H2S", "H2C", "P2S"})
JPEG_MODELS: Final = frozenset({"P1P", "P1S", "A1", "A1 mini", "A2L"})


class CameraKind(StrEnum):
    """How a model's camera is watched."""

    RTSPS = "rtsps"  # X1/H2/P2S: an RTSP-over-TLS server on port 322
    JPEG = "jpeg"  # P1/A1: JPEG frames on port 6000 (``PrinterCamera``)


def camera_kind(model: str | None) -> CameraKind | None:
    """The camera of ``model`` (``None``: unknown model or no camera)."""
    if model in RTSPS_MODELS:
        return CameraKind.RTSPS
    if model in JPEG_MODELS:
        return CameraKind.JPEG
    return None


def rtsps_url(host: str, access_code: str, port: int = RTSPS_PORT) -> str:
    """The X1/H2/P2S live stream URL; it contains the access code: never log or show it."""
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    return f"rtsps://bblp:{quote(access_code, safe='')}@{host}:{port}{RTSPS_PATH}"


# Errors that retrying cannot fix: the user must act (new access code, check the printer).
FATAL_CAMERA_ERRORS = (BambuAuthError, SerialMismatchError, CertificateMismatchError)


class CameraProtocolError(BambuConnectionError):
    """The printer sent something that is not a camera frame (the stream is reconnected)."""


@dataclass(frozen=True, slots=True)
class CameraSettings:
    """How a :class:`PrinterCamera` connects, watches for frames and reconnects."""

    port: int = CAMERA_PORT
    connect_timeout: float = 10.0  # TCP + TLS handshake
    frame_timeout: float = 12.0  # no frame for this long: the stream is dead, reconnect
    backoff_initial: float = 1.0  # first reconnect delay, doubled per failure
    backoff_max: float = 30.0  # reconnect delay cap
    linger: float = 30.0  # keep streaming this long after the last watcher left

    def backoff(self, failures: int) -> float:
        """Delay before the next attempt after ``failures`` consecutive failures (>= 1)."""
        return min(self.backoff_max, self.backoff_initial * 2.0 ** max(0, failures - 1))


def _field(value: str, what: str) -> bytes:
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError as err:
        raise ValueError(f"the camera {what} must be ASCII") from err
    if len(raw) > AUTH_FIELD_SIZE:
        raise ValueError(f"the camera {what} is longer than {AUTH_FIELD_SIZE} characters")
    return raw.ljust(AUTH_FIELD_SIZE, b"\0")


def auth_packet(access_code: str, username: str = CAMERA_USERNAME) -> bytes:
    """The 80-byte packet the client sends right after the TLS handshake."""
    return AUTH_HEADER + _field(username, "user name") + _field(access_code, "access code")


def frame_header(payload_size: int, *, itrack: int = 0, flags: int = 1) -> bytes:
    """The 16-byte header the printer sends before each JPEG (test servers use it too)."""
    return struct.pack("<IIII", payload_size, itrack, flags, 0)


def payload_size(header: bytes) -> int:
    """The JPEG size a frame header announces (``CameraProtocolError`` if implausible)."""
    if len(header) != FRAME_HEADER_SIZE:
        raise CameraProtocolError(f"camera frame header of {len(header)} bytes")
    size: int = struct.unpack_from("<I", header)[0]
    if not len(JPEG_START) + len(JPEG_END) <= size <= MAX_FRAME_BYTES:
        raise CameraProtocolError(f"camera frame header announces {size} bytes")
    return size


def check_jpeg(payload: bytes) -> bytes:
    """``payload`` if it looks like a whole JPEG (``CameraProtocolError`` otherwise)."""
    if not payload.startswith(JPEG_START) or not payload.endswith(JPEG_END):
        raise CameraProtocolError("camera frame is not a JPEG image")
    return payload


class CameraConnection:
    """One authenticated camera session: :meth:`read_frame` until it fails, then :meth:`close`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.frames_read = 0

    @classmethod
    async def open(
        cls,
        host: str,
        access_code: str,
        *,
        serial: str | None,
        pinned_fingerprint: str | None = None,
        port: int = CAMERA_PORT,
        context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
    ) -> CameraConnection:
        """Connect, check the certificate, then authenticate.

        Raises :class:`BambuConnectionError` (refused, unreachable, timeout, TLS failure),
        :class:`SerialMismatchError` or :class:`CertificateMismatchError`. A wrong access code
        shows only when the first frame is read (:meth:`read_frame` raises ``BambuAuthError``).
        """
        packet = auth_packet(access_code)
        pinned = normalize_fingerprint(pinned_fingerprint) if pinned_fingerprint else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=context or client_context()
                )
        except TimeoutError as err:
            raise BambuConnectionError(
                f"camera {host}:{port}: no connection within {timeout:g} s"
            ) from err
        except ConnectionRefusedError as err:
            raise BambuConnectionError(f"camera {host}:{port}: connection refused") from err
        except (OSError, ssl.SSLError) as err:
            raise BambuConnectionError(f"camera {host}:{port}: {err}") from err
        connection = cls(reader, writer)
        try:
            ssl_object = writer.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
            verify_certificate(der, serial=serial, pinned_fingerprint=pinned)
            writer.write(packet)
            async with asyncio.timeout(timeout):
                await writer.drain()
        except BaseException as err:
            await connection.close()
            if isinstance(err, (OSError, TimeoutError)):
                raise BambuConnectionError(f"camera {host}:{port}: {err or 'timed out'}") from err
            raise
        return connection

    async def read_frame(self, timeout: float) -> bytes:
        """The next JPEG. Raises ``BambuAuthError`` when the printer closes the session before
        its first frame (it does so for a wrong access code), ``BambuConnectionError`` when no
        frame comes within ``timeout`` or the stream ends, ``CameraProtocolError`` on garbage."""
        try:
            async with asyncio.timeout(timeout):
                size = payload_size(await self._reader.readexactly(FRAME_HEADER_SIZE))
                payload = await self._reader.readexactly(size)
        except asyncio.IncompleteReadError as err:
            if self.frames_read == 0 and not err.partial:
                raise BambuAuthError(
                    "the printer closed the camera connection without a frame: check the "
                    "access code (and that LAN-only liveview is enabled)"
                ) from err
            raise BambuConnectionError("the camera stream ended") from err
        except TimeoutError as err:
            raise BambuConnectionError(f"no camera frame within {timeout:g} s") from err
        except (OSError, ssl.SSLError) as err:
            raise BambuConnectionError(f"camera stream failed: {err}") from err
        self.frames_read += 1
        return check_jpeg(payload)

    async def close(self) -> None:
        """Close the session (without waiting long for a TLS goodbye)."""
        self._writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(2.0):
                await self._writer.wait_closed()


class PrinterCamera:
    """One printer's camera, streamed while watched and shared by every watcher.

    :meth:`watch` starts the stream (if not running) and returns a release function; the
    stream stops ``settings.linger`` seconds after the last release. :meth:`frames` and
    :meth:`snapshot` watch for their own duration. ``context`` replaces the TLS client context
    (tests, a farm with its own CA); ``pinned_fingerprint`` pins the camera's certificate.
    """

    def __init__(
        self,
        host: str,
        access_code: str,
        *,
        serial: str | None,
        pinned_fingerprint: str | None = None,
        settings: CameraSettings | None = None,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.serial = serial
        self._access_code = access_code
        self._pinned = pinned_fingerprint
        self.settings = settings or CameraSettings()
        self._context = context
        self._watchers = 0
        self._task: asyncio.Task[None] | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._waiters: set[asyncio.Future[bytes]] = set()
        self._frame: bytes | None = None
        self._frame_at = 0.0
        self.last_error: BambuError | None = None
        self.connects = 0

    @property
    def streaming(self) -> bool:
        """Whether the stream is running (watched or lingering)."""
        return self._task is not None and not self._task.done()

    @property
    def watchers(self) -> int:
        return self._watchers

    @property
    def latest_frame(self) -> bytes | None:
        """The last JPEG received (``None`` before the first one)."""
        return self._frame

    def fresh_frame(self) -> bytes | None:
        """The last JPEG if the stream is running and it is recent, else ``None``."""
        if not self.streaming or self._frame is None:
            return None
        if time.monotonic() - self._frame_at > self.settings.frame_timeout:
            return None
        return self._frame

    def watch(self) -> Callable[[], None]:
        """Keep the stream running until the returned function is called (once)."""
        self._watchers += 1
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if not self.streaming:
            self.last_error = None
            self._frame_at = -float("inf")  # a frame of an earlier stream is not fresh
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"bambu camera {self.host}"
            )
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._watchers -= 1
            if self._watchers == 0 and self.streaming:
                self._linger = asyncio.get_running_loop().call_later(
                    self.settings.linger, self._stop_unwatched
                )

        return release

    async def next_frame(self, timeout: float) -> bytes:
        """The next frame received (the caller must be watching).

        Raises the stream's error if it stopped for good (access code, certificate), else
        ``BambuConnectionError`` (with the last connection error) when none came in time.
        """
        if self.last_error is not None and not self.streaming:
            raise self.last_error
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiters.add(future)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError as err:
            reason = f": {self.last_error}" if self.last_error is not None else ""
            raise BambuConnectionError(f"no camera image within {timeout:g} s{reason}") from err
        finally:
            self._waiters.discard(future)

    async def snapshot(self, timeout: float | None = None) -> bytes:
        """A current JPEG: the latest frame if fresh, else the next one (connecting if needed)."""
        if (frame := self.fresh_frame()) is not None:
            return frame
        release = self.watch()
        try:
            return await self.next_frame(timeout or self.settings.frame_timeout)
        finally:
            release()

    async def frames(self, timeout: float | None = None) -> AsyncIterator[bytes]:
        """Every frame from now on (the latest fresh one first) until the consumer stops or
        the stream fails (the error is raised, as by :meth:`next_frame`)."""
        release = self.watch()
        try:
            if (frame := self.fresh_frame()) is not None:
                yield frame
            while True:
                yield await self.next_frame(timeout or self.settings.frame_timeout)
        finally:
            release()

    async def close(self) -> None:
        """Stop the stream now; waiters get ``BambuConnectionError``."""
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_waiters(BambuConnectionError("the camera was closed"))

    # -- the stream ------------------------------------------------------------------------------
    def _stop_unwatched(self) -> None:
        self._linger = None
        if self._watchers == 0 and self._task is not None:
            self._task.cancel()
            self._task = None

    def _publish(self, frame: bytes) -> None:
        self._frame = frame
        self._frame_at = time.monotonic()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(frame)
        self._waiters.clear()

    def _fail_waiters(self, err: BambuError) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(err)
        self._waiters.clear()

    async def _run(self) -> None:
        settings = self.settings
        failures = 0
        while True:
            connection: CameraConnection | None = None
            try:
                self.connects += 1
                connection = await CameraConnection.open(
                    self.host,
                    self._access_code,
                    serial=self.serial,
                    pinned_fingerprint=self._pinned,
                    port=settings.port,
                    context=self._context,
                    timeout=settings.connect_timeout,
                )
                while True:
                    frame = await connection.read_frame(settings.frame_timeout)
                    failures = 0
                    self.last_error = None
                    self._publish(frame)
            except FATAL_CAMERA_ERRORS as err:
                _LOGGER.warning("Camera of printer %s stopped: %s", self.serial or self.host, err)
                self.last_error = err
                self._fail_waiters(err)
                return
            except BambuError as err:
                failures += 1
                self.last_error = err
                _LOGGER.debug("Camera %s: %s (attempt %d)", self.host, err, failures)
            finally:
                if connection is not None:
                    await connection.close()
            await asyncio.sleep(settings.backoff(failures))
