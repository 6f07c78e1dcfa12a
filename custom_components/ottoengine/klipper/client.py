"""Moonraker HTTP calls of a Klipper printer: files, metadata, history and print control.

Built on the OttoEject's ``MoonrakerClient`` (same transport, envelopes, API key and errors).
Uploads stream the file from disk in chunks (the reads run in the executor, never in the event
loop), report their progress and send a sha256 ``checksum`` that Moonraker verifies (422 on a
mismatch). G-code scripts get their own long timeout: Moonraker answers only when Klipper has
processed the whole script (reference sheet §3).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
import hashlib
import logging
from pathlib import Path, PurePosixPath
import re
from typing import Any, BinaryIO, Final

import aiohttp

from ..moonraker.client import MoonrakerClient
from ..moonraker.envelope import unwrap_http
from ..moonraker.errors import MoonrakerConnectionError, MoonrakerError
from .errors import KlipperUploadError, UploadTooLargeError
from .metadata import FileMetadata, metadata_from
from .quirks import HistoryJob

_LOGGER = logging.getLogger(__name__)

CHUNK_SIZE: Final = 256 * 1024
MAX_UPLOAD_BYTES: Final = 1024 * 1024 * 1024  # Moonraker's default max_upload_size (1024 MiB)
UPLOAD_TIMEOUT: Final = 1800.0
GCODE_TIMEOUT: Final = 600.0
METADATA_ATTEMPTS: Final = 10
METADATA_DELAY: Final = 0.5
_BAD_NAME: Final = re.compile(r"[\x00-\x1f\\]")

type UploadProgress = Callable[[int, int], None]  # (bytes sent, total bytes)


@dataclass(frozen=True, slots=True)
class UploadResult:
    """Where Moonraker stored an upload (``path`` is relative to the ``gcodes`` root)."""

    path: str
    size: int
    print_started: bool = False


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file of the printer's ``gcodes`` root."""

    path: str
    size: int
    modified: float


def check_remote_name(name: str) -> str:
    """A safe name relative to ``gcodes`` (sub-folders allowed, no ``..``, no absolute path)."""
    cleaned = name.strip()
    parts = PurePosixPath(cleaned).parts
    if (
        not cleaned
        or cleaned.startswith("/")
        or _BAD_NAME.search(cleaned)
        or any(part in {"..", "."} for part in parts)
    ):
        raise KlipperUploadError(f"invalid file name on the printer: {name!r}")
    return cleaned


def file_sha256(path: Path) -> tuple[str, int]:
    """The sha256 hex digest and the size of a file (blocking: run it in the executor)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _FilePayload(aiohttp.AsyncIterablePayload):
    """A file streamed from disk with a known size (so Moonraker gets a Content-Length)."""

    def __init__(self, chunks: AsyncIterator[bytes], size: int, filename: str) -> None:
        super().__init__(chunks, content_type="application/octet-stream", filename=filename)
        self._size = size


async def _read_chunks(
    handle: BinaryIO, total: int, progress: UploadProgress | None
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    sent = 0
    while chunk := await loop.run_in_executor(None, handle.read, CHUNK_SIZE):
        sent += len(chunk)
        yield chunk
        if progress is not None:
            progress(sent, total)


class KlipperClient(MoonrakerClient):
    """A Klipper printer behind Moonraker (port 7125, optional ``X-Api-Key``)."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES

    # -- files ---------------------------------------------------------------------------------
    async def upload(
        self,
        path: Path,
        remote_name: str,
        *,
        progress: UploadProgress | None = None,
        start: bool = False,
        timeout: float = UPLOAD_TIMEOUT,
    ) -> UploadResult:
        """Upload a local file to ``gcodes/<remote_name>`` (``start``: print it at once).

        Raises ``KlipperUploadError`` (unreadable file, bad name, ``UploadTooLargeError``),
        ``MoonrakerError`` (Moonraker refused it: 422 checksum mismatch, 413 too large, ...),
        ``MoonrakerAuthError`` and ``MoonrakerConnectionError``.
        """
        name = check_remote_name(remote_name)
        folder, _, basename = name.rpartition("/")
        loop = asyncio.get_running_loop()
        try:
            checksum, size = await loop.run_in_executor(None, file_sha256, path)
        except OSError as err:
            raise KlipperUploadError(f"cannot read {path.name}: {err.strerror or err}") from err
        if size > self.max_upload_bytes:
            raise UploadTooLargeError(size, self.max_upload_bytes)
        try:
            handle = await loop.run_in_executor(None, path.open, "rb")
        except OSError as err:
            raise KlipperUploadError(f"cannot read {path.name}: {err.strerror or err}") from err
        try:
            form = aiohttp.FormData()
            form.add_field("root", "gcodes")
            if folder:
                form.add_field("path", folder)
            form.add_field("checksum", checksum)
            if start:
                form.add_field("print", "true")
            form.add_field(
                "file",
                _FilePayload(_read_chunks(handle, size, progress), size, basename),
                filename=basename,
                content_type="application/octet-stream",
            )
            body = await self._post_form("/server/files/upload", form, timeout)
        finally:
            await loop.run_in_executor(None, handle.close)
        item = body.get("item") if isinstance(body, dict) else None
        stored = str(item.get("path")) if isinstance(item, dict) and item.get("path") else name
        return UploadResult(
            path=stored,
            size=size,
            print_started=bool(body.get("print_started")) if isinstance(body, dict) else False,
        )

    async def _post_form(self, path: str, form: aiohttp.FormData, timeout: float) -> Any:
        try:
            async with asyncio.timeout(timeout):
                async with self.session.post(
                    self.base_url + path, data=form, headers=self.headers
                ) as response:
                    try:
                        body: Any = await response.json(content_type=None)
                    except ValueError:
                        body = await response.text()
                    return unwrap_http(response.status, body)
        except TimeoutError as err:
            raise MoonrakerConnectionError(
                f"{self.base_url}: the upload did not finish within {timeout:g} s"
            ) from err
        except aiohttp.ClientError as err:
            raise MoonrakerConnectionError(f"{self.base_url}: upload failed: {err}") from err

    async def list_files(self) -> list[RemoteFile]:
        """The files of the ``gcodes`` root (sub-folders included, paths relative to it)."""
        result = await self.request("GET", "/server/files/list", params={"root": "gcodes"})
        return [
            RemoteFile(
                path=str(item["path"]),
                size=int(item.get("size") or 0),
                modified=float(item.get("modified") or 0.0),
            )
            for item in result or ()
            if isinstance(item, dict) and "path" in item
        ]

    async def metadata(
        self,
        filename: str,
        *,
        attempts: int = METADATA_ATTEMPTS,
        delay: float = METADATA_DELAY,
    ) -> FileMetadata:
        """The slicer metadata of a file, retried while Moonraker is still extracting it.

        Raises ``MoonrakerError`` (404 "Metadata not available") after ``attempts`` tries.
        """
        name = check_remote_name(filename)
        for attempt in range(1, attempts + 1):
            try:
                result = await self.request(
                    "GET", "/server/files/metadata", params={"filename": name}
                )
            except MoonrakerError as err:
                if err.code != 404 or attempt == attempts:
                    raise
                await asyncio.sleep(delay)
                continue
            return metadata_from(result if isinstance(result, dict) else {}, name)
        raise AssertionError("unreachable")  # pragma: no cover

    async def newest_history_job(self) -> HistoryJob | None:
        """The newest job of Moonraker's history (``None``: no job, or no history component)."""
        try:
            result = await self.request(
                "GET", "/server/history/list", params={"limit": "1", "order": "desc"}
            )
        except MoonrakerError as err:
            if err.code == 404:
                return None
            raise
        jobs = result.get("jobs") if isinstance(result, dict) else None
        if not jobs or not isinstance(jobs[0], dict):
            return None
        job = jobs[0]
        return HistoryJob(
            job_id=str(job.get("job_id")),
            filename=str(job["filename"]) if job.get("filename") else None,
            status=str(job.get("status") or ""),
        )

    # -- print control -------------------------------------------------------------------------
    async def start_print(self, filename: str) -> None:
        """``SDCARD_PRINT_FILE`` a file of the ``gcodes`` root (400 "SD busy" while printing)."""
        name = check_remote_name(filename)
        await self.request("POST", "/printer/print/start", params={"filename": name})

    async def pause(self) -> None:
        await self.request("POST", "/printer/print/pause")

    async def resume(self) -> None:
        await self.request("POST", "/printer/print/resume")

    async def cancel(self) -> None:
        await self.request("POST", "/printer/print/cancel")

    async def gcode_script(self, script: str, *, timeout: float = GCODE_TIMEOUT) -> None:
        """Run G-code lines (newline separated); returns when Klipper processed them all."""
        await self.request(
            "POST", "/printer/gcode/script", json={"script": script}, timeout=timeout
        )
