"""`POST /api/print-jobs/upload`: stream a print file to disk, parse it, keep it as a print item.

The multipart ``file`` part is read chunk by chunk (never whole into memory) and written, with
its sha256, in the executor. Beyond the hub's ``max_upload_bytes`` (1 GiB by default) the
upload is answered 413 and the partial file removed. A file whose content was uploaded before
reuses that print item.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import BodyPartReader, web

from ..farm.clock import utcnow
from ..farm.print_file_store import UploadWriter
from ..farm.print_items import PrintItem
from ..farm.state import ID_PRINT_ITEM
from ..printfile import PrintFileError, PrintFileInfo, parse_print_file
from ..runtime import OttoRuntime
from .base import OttoView
from .errors import bad_request
from .multipart import async_iter_parts, async_stream_part, upload_filename
from .print_jobs_json import print_item_brief

_LOGGER = logging.getLogger(__name__)


class PrintJobsUploadView(OttoView):
    url = "/api/print-jobs/upload"
    name = "api:ottoengine:print-jobs:upload"

    async def post(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        hass = self.hass(request)
        if not request.content_type.startswith("multipart/"):
            raise bad_request("file", "send the file as multipart/form-data in a part named 'file'")
        part = await _file_part(request)
        filename = upload_filename(part.filename or "")

        upload = await hass.async_add_executor_job(runtime.print_files.start_upload)
        try:
            await async_stream_part(hass, part, upload.write, runtime.max_upload_bytes)
            await hass.async_add_executor_job(upload.close)
            if upload.size == 0:
                raise bad_request("file", "the file is empty")
            existing = runtime.state.print_item_by_sha256(upload.sha256)
            if existing is not None:
                return self.json(
                    _answer(existing, "File already uploaded; the existing print item is reused")
                )
            try:
                info = await hass.async_add_executor_job(parse_print_file, upload.path, filename)
            except PrintFileError as err:
                raise bad_request("file", f"{filename} cannot be parsed: {err}") from None
            item = await self._keep(runtime, upload, filename, info)
        finally:
            # Removes the partial or duplicate upload; a kept one has been renamed already.
            await hass.async_add_executor_job(upload.discard)
        return self.json(_answer(item, "File uploaded and parsed successfully"))

    async def _keep(
        self, runtime: OttoRuntime, upload: UploadWriter, filename: str, info: PrintFileInfo
    ) -> PrintItem:
        hass = runtime.hass
        state = runtime.state
        item_id = state.ids.allocate(ID_PRINT_ITEM)
        stored_name = f"{item_id}_{filename}"
        await hass.async_add_executor_job(runtime.print_files.keep_upload, upload, stored_name)
        thumbnail_name = None
        if info.thumbnail_png is not None:
            thumbnail_name = f"{item_id}_thumbnail.png"
            await hass.async_add_executor_job(
                runtime.print_files.write_file, thumbnail_name, info.thumbnail_png
            )
        item = state.add_print_item(
            PrintItem(
                id=item_id,
                filename=filename,
                stored_name=stored_name,
                size_bytes=upload.size,
                sha256=upload.sha256,
                created_at=utcnow(),
                metadata=info.as_dict(),
                thumbnail_name=thumbnail_name,
            )
        )
        runtime.async_state_changed()
        _LOGGER.debug("Stored print item %s (%s, %s bytes)", item.id, filename, item.size_bytes)
        return item


async def _file_part(request: web.Request) -> BodyPartReader:
    """The multipart part named ``file`` (other parts are skipped)."""
    async for part in async_iter_parts(request):
        if part.name == "file":
            return part
        await part.release()
    raise bad_request("file", "a part named 'file' holding the print file is required")


def _answer(item: PrintItem, message: str) -> dict[str, Any]:
    brief = print_item_brief(item)
    return {
        "print_item_id": item.id,
        **{key: value for key, value in brief.items() if key != "id"},
        "message": message,
        "sha256": item.sha256,
        "size_bytes": item.size_bytes,
        "max_z_height_mm": item.max_z_height_mm,
        "plate_count": item.metadata.get("plate_count"),
        "has_thumbnail": item.thumbnail_name is not None,
    }
