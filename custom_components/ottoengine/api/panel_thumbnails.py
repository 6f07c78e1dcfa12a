"""`/api/ottoengine/panel/thumbnails/{print_item_id}`: a print item's thumbnail for the farm panel.

The upload keeps one thumbnail per print item: the largest PNG the file embeds
(``printfile.thumbnails``), stored beside the print file. Any logged-in user may read it (the
panel fetches it with the user's token); it is answered with the content type its bytes show,
404 (JSON) when the item does not exist or has none. The file is read in the executor.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from aiohttp import web

from .base import OttoView, parse_id
from .errors import ApiError, not_found
from .schema import Operation, Response

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE: Final = b"\xff\xd8\xff"


def content_type(data: bytes) -> str:
    """The image type ``data`` starts with (thumbnails are stored as PNG)."""
    if data.startswith(PNG_SIGNATURE):
        return "image/png"
    if data.startswith(JPEG_SIGNATURE):
        return "image/jpeg"
    return "application/octet-stream"


class PanelThumbnailView(OttoView):
    url = "/api/ottoengine/panel/thumbnails/{print_item_id}"
    name = "api:ottoengine:panel:thumbnail"
    operations = {
        "get": Operation(
            summary="A print item's largest thumbnail, for the farm panel",
            responses={200: Response(description="The thumbnail", content_type="image/png")},
        )
    }

    async def get(self, request: web.Request, print_item_id: str) -> web.Response:
        runtime = self.runtime(request)
        item = runtime.state.print_items.get(parse_id(print_item_id, "Print item"))
        if item is None:
            raise not_found("Print item", print_item_id)
        data = None
        if item.thumbnail_name is not None:
            data = await runtime.hass.async_add_executor_job(
                runtime.print_files.read_file, item.thumbnail_name
            )
        if data is None:
            raise ApiError(HTTPStatus.NOT_FOUND, f"Print item {item.id} has no thumbnail")
        return web.Response(
            body=data,
            content_type=content_type(data),
            headers={"Cache-Control": "private, max-age=3600"},
        )
