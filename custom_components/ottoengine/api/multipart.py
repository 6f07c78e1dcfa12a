"""The one multipart reader of the upload routes: its parts, and a file part streamed to disk
chunk by chunk (never whole into memory).

Both upload routes (print files kept as print items, files sent on to a printer) walk the body
with ``async_iter_parts``, name the file with ``upload_filename`` and read their ``file`` part
with ``async_stream_part``; each decides where the bytes go.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from typing import Final
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from homeassistant.core import HomeAssistant

from ..printfile import PrintFileError, sanitize_filename
from .errors import ApiError, bad_request

READ_CHUNK: Final = 256 * 1024
# Chunks are gathered up to this size before one executor write.
WRITE_BATCH: Final = 4 * 1024 * 1024


async def async_iter_parts(request: web.Request) -> AsyncIterator[BodyPartReader]:
    """The parts of a multipart body in order; a malformed body is a 400 naming ``file``.

    A part the caller does not read must be released (``await part.release()``).
    """
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as err:
        raise bad_request("file", f"the multipart body is malformed ({err})") from None
    while True:
        try:
            part = await reader.next()
        except (ValueError, AssertionError) as err:
            raise bad_request("file", f"the multipart body is malformed ({err})") from None
        if part is None:
            return
        if isinstance(part, BodyPartReader):
            yield part
        else:  # a nested multipart body: nothing of ours is in there
            await part.release()


def upload_filename(raw: str, field: str = "file", *, percent_encoded: bool = True) -> str:
    """The name an uploaded file is kept (and sent to a printer) under, or a 400 naming ``field``.

    aiohttp clients percent-encode a part's file name; browsers and curl send it as it is
    (``percent_encoded=False`` for a name given as a form field's text). A name with a
    folder in it (``../../x.gcode``, ``C:\\x.gcode``, also percent-encoded) or a NUL is refused:
    clients send bare names, so a path is a mistake or an attack, never to be guessed at.
    """
    name = unquote(raw) if percent_encoded else raw
    if "/" in name or "\\" in name or "\x00" in name:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise bad_request(field, f"must be a bare file name, without folders or NUL ({shown!r})")
    try:
        return sanitize_filename(name)
    except PrintFileError as err:
        raise bad_request(field, str(err)) from None


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
