"""`/api/print-jobs/items` (an extension): list and delete print items, and their thumbnails."""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web

from ..farm.print_items import PrintItem
from ..runtime import OttoRuntime
from .base import OttoView, parse_id
from .errors import ApiError, conflict, not_found
from .print_jobs_json import print_item_details
from .schema import Arr, Operation, Response
from .shapes import ID, PRINT_ITEM, TEXT, obj, ok


def _item(runtime: OttoRuntime, item_id: str) -> PrintItem:
    item = runtime.state.print_items.get(parse_id(item_id, "Print item"))
    if item is None:
        raise not_found("Print item", item_id)
    return item


class PrintItemsView(OttoView):
    url = "/api/print-jobs/items"
    name = "api:ottoengine:print-jobs:items"
    operations = {
        "get": Operation(
            summary="List print items", responses=ok("The items", Arr(items=PRINT_ITEM))
        )
    }

    async def get(self, request: web.Request) -> web.Response:
        state = self.runtime(request).state
        return self.json(
            [print_item_details(state.print_items[key]) for key in sorted(state.print_items)]
        )


class PrintItemView(OttoView):
    url = "/api/print-jobs/items/{item_id}"
    name = "api:ottoengine:print-jobs:item"
    operations = {
        "get": Operation(summary="A print item", responses=ok("The item", PRINT_ITEM)),
        "delete": Operation(
            summary="Delete a print item and its files",
            responses=ok("Deleted", obj(id=ID, message=TEXT)),
            errors=(409,),
        ),
    }

    async def get(self, request: web.Request, item_id: str) -> web.Response:
        return self.json(print_item_details(_item(self.runtime(request), item_id)))

    async def delete(self, request: web.Request, item_id: str) -> web.Response:
        """Delete the item and its files (409 while a job that has not finished prints it)."""
        runtime = self.runtime(request)
        item = _item(runtime, item_id)
        jobs = runtime.state.unfinished_jobs_of_item(item.id)
        if jobs:
            raise conflict(
                f"Print item {item.id} is used by print jobs that have not finished: "
                + ", ".join(str(job.id) for job in jobs)
            )
        del runtime.state.print_items[item.id]
        runtime.async_state_changed()
        names = [item.thumbnail_name]
        if not runtime.state.stored_name_in_use(item.stored_name):
            names.append(item.stored_name)
        await runtime.hass.async_add_executor_job(runtime.print_files.remove, *names)
        return self.json({"id": item.id, "message": "Print item deleted successfully"})


class PrintItemThumbnailView(OttoView):
    url = "/api/print-jobs/items/{item_id}/thumbnail"
    name = "api:ottoengine:print-jobs:item:thumbnail"
    operations = {
        "get": Operation(
            summary="A print item's thumbnail (PNG)",
            responses={200: Response(description="The thumbnail", content_type="image/png")},
        )
    }

    async def get(self, request: web.Request, item_id: str) -> web.Response:
        runtime = self.runtime(request)
        item = _item(runtime, item_id)
        data = None
        if item.thumbnail_name is not None:
            data = await runtime.hass.async_add_executor_job(
                runtime.print_files.read_file, item.thumbnail_name
            )
        if data is None:
            raise ApiError(HTTPStatus.NOT_FOUND, f"Print item {item.id} has no thumbnail")
        return web.Response(
            body=data, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )
