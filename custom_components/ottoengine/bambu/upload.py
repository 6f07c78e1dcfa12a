"""Upload a file to a printer's SD card over implicit FTPS, streamed, then verified by size.

:func:`upload_file_sync` is blocking and meant for an executor thread; :func:`upload_file` runs
it in one from asyncio and forwards progress to the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
import contextlib
from dataclasses import dataclass
import ftplib
import functools
import os
from pathlib import Path
import threading
import time

from .errors import BambuAuthError, BambuConnectionError, BambuUploadError
from .ftps import FTPS_PORT, ImplicitFtpTls
from .settings import MQTT_USERNAME

ProgressCallback = Callable[[int, int], None]  # (bytes sent, total bytes)

CHUNK_SIZE = 64 * 1024
MIN_TRANSFER_RATE = 25_000  # bytes/s: the transfer deadline is size / this rate...
MIN_TRANSFER_DEADLINE = 600.0  # ...but never shorter than this (seconds)
FINAL_REPLY_TIMEOUT = 90.0  # wait for "226" after the data (H2D can take 30+ s)


@dataclass(frozen=True, slots=True)
class UploadResult:
    """A completed, size-verified upload."""

    remote_path: str  # e.g. "/bracket_v3.gcode.3mf"
    size: int  # bytes, equal on both sides
    elapsed_seconds: float
    certificate_fingerprint: str | None


def remote_path_for(local_path: str | os.PathLike[str], remote_name: str | None) -> str:
    """The absolute FTP path: ``remote_name`` (or the local file name) at the SD card root."""
    name = (remote_name or Path(local_path).name).strip()
    if not name or name.endswith("/") or ".." in name.split("/"):
        raise ValueError(f"invalid remote file name: {name!r}")
    return "/" + name.lstrip("/")


def upload_file_sync(
    host: str,
    access_code: str,
    local_path: str | os.PathLike[str],
    remote_name: str | None = None,
    *,
    serial: str | None = None,
    pinned_fingerprint: str | None = None,
    port: int = FTPS_PORT,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    connect_timeout: float = 20.0,
    chunk_size: int = CHUNK_SIZE,
    data_tls: bool = True,
) -> UploadResult:
    """Upload ``local_path`` to the printer (blocking; run it in an executor).

    The file is read in ``chunk_size`` pieces, never whole. After the data the socket is closed
    without a TLS shutdown (it hangs on P1/A1), the ``226`` is awaited, then ``SIZE`` must equal
    the local size. Raises :class:`BambuConnectionError` (unreachable), :class:`BambuAuthError`
    (access code), :class:`~.errors.SerialMismatchError` / :class:`~.errors.CertificateMismatchError`
    (certificate) or :class:`BambuUploadError` (anything failing during or after the transfer).
    Printers serve one FTP session at a time: callers must not upload to the same printer
    concurrently. The FTPS server's certificate is not necessarily the MQTT broker's: pin the
    ``certificate_fingerprint`` of the first upload's result, not the MQTT fingerprint.
    ``data_tls=False`` sends the data in clear (``PROT C``) with the control channel still
    encrypted: the fallback for A1 / A1 mini firmware whose data-channel TLS times out.
    """
    remote = remote_path_for(local_path, remote_name)
    total = os.stat(local_path).st_size
    started = time.monotonic()
    ftp = ImplicitFtpTls(
        serial=serial, pinned_fingerprint=pinned_fingerprint, timeout=connect_timeout
    )
    try:
        try:
            ftp.connect(host, port)
        except (OSError, EOFError, ftplib.Error) as err:
            raise BambuConnectionError(f"FTPS {host}:{port}: {err}") from err
        try:
            ftp.login(MQTT_USERNAME, access_code)
        except ftplib.error_perm as err:
            if str(err).startswith("530"):
                raise BambuAuthError(f"FTPS {host}: access code rejected") from err
            raise BambuUploadError(f"FTPS {host}: login failed: {err}") from err
        except (OSError, EOFError, ftplib.Error) as err:
            raise BambuConnectionError(f"FTPS {host}: login failed: {err}") from err
        try:
            if data_tls:
                ftp.prot_p()
            else:
                ftp.prot_c()
            ftp.voidcmd("TYPE I")
            _store(
                ftp,
                local_path=local_path,
                remote=remote,
                total=total,
                progress=progress,
                cancel=cancel,
                chunk_size=chunk_size,
            )
            uploaded = ftp.size(remote)
        except (OSError, EOFError, ftplib.Error) as err:
            raise BambuUploadError(f"FTPS {host}: upload of {remote} failed: {err}") from err
        if uploaded != total:
            raise BambuUploadError(
                f"FTPS {host}: {remote} has {uploaded} bytes on the printer, expected {total}"
            )
        with contextlib.suppress(OSError, EOFError, ftplib.Error):
            ftp.quit()
        return UploadResult(remote, total, time.monotonic() - started, ftp.certificate_fingerprint)
    finally:
        ftp.close()


def _store(
    ftp: ImplicitFtpTls,
    *,
    local_path: str | os.PathLike[str],
    remote: str,
    total: int,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    chunk_size: int,
) -> None:
    """STOR the file; a ``426`` after all data was sent is left for the SIZE check to judge."""
    deadline = time.monotonic() + max(MIN_TRANSFER_DEADLINE, total / MIN_TRANSFER_RATE)
    sent = 0
    with open(local_path, "rb") as source:
        conn, _size = ftp.ntransfercmd(f"STOR {remote}")
        try:
            while chunk := source.read(chunk_size):
                if cancel is not None and cancel.is_set():
                    raise BambuUploadError(f"upload of {remote} cancelled")
                if time.monotonic() > deadline:
                    raise BambuUploadError(f"upload of {remote} exceeded its deadline")
                conn.sendall(chunk)
                sent += len(chunk)
                if progress is not None:
                    progress(sent, total)
        finally:
            conn.close()  # no TLS unwrap: it hangs on P1/A1 firmware
    if ftp.sock is not None:
        ftp.sock.settimeout(FINAL_REPLY_TIMEOUT)
    try:
        ftp.voidresp()
    except ftplib.error_temp as err:
        if not str(err).startswith("426"):
            raise
    if sent != total:
        raise BambuUploadError(f"{local_path} changed during the upload")


async def upload_file(
    host: str,
    access_code: str,
    local_path: str | os.PathLike[str],
    remote_name: str | None = None,
    *,
    serial: str | None = None,
    pinned_fingerprint: str | None = None,
    port: int = FTPS_PORT,
    progress: ProgressCallback | None = None,
    executor: Executor | None = None,
    connect_timeout: float = 20.0,
    data_tls: bool = True,
) -> UploadResult:
    """Run :func:`upload_file_sync` in ``executor``; ``progress`` is called on the event loop.

    Cancelling the coroutine aborts the transfer at the next chunk and waits for the thread.
    """
    loop = asyncio.get_running_loop()
    cancel = threading.Event()
    forward: ProgressCallback | None = None
    if progress is not None:
        callback = progress

        def forward(sent: int, total: int) -> None:
            loop.call_soon_threadsafe(callback, sent, total)

    job = functools.partial(
        upload_file_sync,
        host,
        access_code,
        local_path,
        remote_name,
        serial=serial,
        pinned_fingerprint=pinned_fingerprint,
        port=port,
        progress=forward,
        cancel=cancel,
        connect_timeout=connect_timeout,
        data_tls=data_tls,
    )
    future = loop.run_in_executor(executor, job)
    try:
        await asyncio.wait([future])  # unlike awaiting it, cancelling this leaves it running
    except asyncio.CancelledError:
        cancel.set()
        with contextlib.suppress(Exception):  # the transfer's own failure is moot now
            await future
        raise
    return future.result()
