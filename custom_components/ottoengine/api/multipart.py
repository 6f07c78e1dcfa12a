"""Streaming a multipart file part to disk: chunk by chunk, never whole into memory.

Both upload routes (print files kept as print items, files sent on to a printer) read their
``file`` part with ``async_stream_part``; each decides where the bytes go.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Final

from aiohttp import BodyPartReader
from homeassistant.core import HomeAssistant

from .errors import ApiError, bad_request

READ_CHUNK: Final = 256 * 1024
# Chunks are gathered up to this size before one executor write.
WRITE_BATCH: Final = 4 * 1024 * 1024


async def async_stream_part(
    hass: HomeAssistant, part: BodyPartReader, write: Callable[[bytes], object], limit: int
) -> int:
    """Pass the part's bytes to ``write`` (in the executor); returns how many there were.

    413 once more than ``limit`` bytes arrived, 400 when the body ends before the part does
    (what was written so far stays: the caller removes it).
    """
    received = 0
    batch = bytearray()
    while chunk := await part.read_chunk(READ_CHUNK):
        received += len(chunk)
        if received > limit:
            raise ApiError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"The file is larger than the {limit} bytes OttoEngine accepts",
                extra={"max_upload_bytes": limit},
            )
        batch += chunk
        if len(batch) >= WRITE_BATCH:
            await hass.async_add_executor_job(write, bytes(batch))
            batch.clear()
    if not part.at_eof():
        # The body ended before the part's closing boundary: the client gave up half-way.
        raise bad_request("file", "the upload was cut off before the end of the file")
    if batch:
        await hass.async_add_executor_job(write, bytes(batch))
    return received
