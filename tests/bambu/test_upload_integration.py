"""FTPS uploads against a real vsftpd (implicit TLS on 990, ``require_ssl_reuse=YES``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
import os
from pathlib import Path

import pytest

from custom_components.ottoengine.bambu import (
    BambuAuthError,
    BambuConnectionError,
    BambuUploadError,
    CertificateMismatchError,
    SerialMismatchError,
    upload_file,
)
from ottosim.bambu.ftps import VsftpdServer
from tests.bambu.conftest import ACCESS_CODE, SERIAL

SIZE = 1_000_003  # not a multiple of the chunk size


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bambu-upload")
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
def job_file(tmp_path: Path) -> Path:
    path = tmp_path / "bracket_v3.gcode.3mf"
    path.write_bytes(os.urandom(SIZE))
    return path


async def test_upload_streams_with_progress_and_verifies_size(
    ftps_server: VsftpdServer, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    progress: list[tuple[int, int]] = []
    result = await upload_file(
        ftps_server.host,
        ACCESS_CODE,
        job_file,
        serial=SERIAL,
        port=ftps_server.port,
        progress=lambda sent, total: progress.append((sent, total)),
        executor=executor,
    )
    assert result.remote_path == "/bracket_v3.gcode.3mf"
    assert result.size == SIZE
    assert result.certificate_fingerprint is not None
    assert (ftps_server.root / "bracket_v3.gcode.3mf").read_bytes() == job_file.read_bytes()
    assert len(progress) > 1
    assert progress[-1] == (SIZE, SIZE)
    assert [sent for sent, _ in progress] == sorted(sent for sent, _ in progress)


async def test_upload_with_pinned_fingerprint_and_remote_name(
    ftps_server: VsftpdServer, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    first = await upload_file(
        ftps_server.host,
        ACCESS_CODE,
        job_file,
        "a.gcode.3mf",
        port=ftps_server.port,
        serial=SERIAL,
        executor=executor,
    )
    assert first.certificate_fingerprint is not None
    second = await upload_file(
        ftps_server.host,
        ACCESS_CODE,
        job_file,
        "b.gcode.3mf",
        port=ftps_server.port,
        serial=SERIAL,
        pinned_fingerprint=first.certificate_fingerprint,
        executor=executor,
    )
    assert second.remote_path == "/b.gcode.3mf"
    assert (ftps_server.root / "b.gcode.3mf").stat().st_size == SIZE
    with pytest.raises(CertificateMismatchError):
        await upload_file(
            ftps_server.host,
            ACCESS_CODE,
            job_file,
            port=ftps_server.port,
            pinned_fingerprint="00" * 32,
            executor=executor,
        )


async def test_upload_wrong_access_code(
    ftps_server: VsftpdServer, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    with pytest.raises(BambuAuthError):
        await upload_file(
            ftps_server.host, "00000000", job_file, port=ftps_server.port, executor=executor
        )


async def test_upload_wrong_serial(
    ftps_server: VsftpdServer, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    with pytest.raises(SerialMismatchError):
        await upload_file(
            ftps_server.host,
            ACCESS_CODE,
            job_file,
            serial="01S00C000000000",
            port=ftps_server.port,
            executor=executor,
        )


async def test_upload_unreachable_printer(
    loopback_enabled: None, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    with pytest.raises(BambuConnectionError):
        await upload_file(
            "127.0.1.254", ACCESS_CODE, job_file, port=9, executor=executor, connect_timeout=2
        )


async def test_upload_failing_midway_is_an_upload_error(
    ftps_server: VsftpdServer, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    ftps_server.limit_file_size(100_000)  # like a full SD card
    with pytest.raises(BambuUploadError):
        await upload_file(
            ftps_server.host, ACCESS_CODE, job_file, port=ftps_server.port, executor=executor
        )


async def test_upload_with_clear_data_channel_fallback(
    ftps_server: VsftpdServer, job_file: Path, executor: ThreadPoolExecutor
) -> None:
    result = await upload_file(
        ftps_server.host,
        ACCESS_CODE,
        job_file,
        port=ftps_server.port,
        executor=executor,
        data_tls=False,
    )
    assert result.size == SIZE
    assert (ftps_server.root / job_file.name).stat().st_size == SIZE


async def test_cancelling_an_upload_stops_the_transfer(
    ftps_server: VsftpdServer, tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    big = tmp_path / "big.gcode.3mf"
    big.write_bytes(os.urandom(32 * 1024 * 1024))
    progress: list[int] = []

    def on_progress(sent: int, _total: int) -> None:
        progress.append(sent)
        if len(progress) == 1:
            task.cancel()

    task = asyncio.create_task(
        upload_file(
            ftps_server.host,
            ACCESS_CODE,
            big,
            port=ftps_server.port,
            progress=on_progress,
            executor=executor,
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    # The worker thread has finished (it was awaited) before the cancellation surfaced.
    assert executor.submit(lambda: "free").result(timeout=1) == "free"
    assert progress[-1] < big.stat().st_size
