"""`/api/ottoracks`: racks (HA subentries of the hub) and the states of their shelves.

Shelf ids in paths and answers are farm-wide ids (never reused); ``shelf_number`` is the
shelf's position in its rack (1 = bottom). ``ottoeject_id`` names the OttoEject that serves the
rack (null: the farm's only one); an OttoEject that is deleted stays named by its racks (they
then have no OttoEject, see ``RackSettings``) until a PUT sets another one or null.
"""

from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus
from typing import Any

from aiohttp import web
from homeassistant.config_entries import ConfigEntry

from ..farm.racks import (
    DEFAULT_BED_SIZE,
    DEFAULT_SHELF_SPACING_MM,
    DEFAULT_SHELVES,
    InvalidRackError,
    InvalidShelfStateError,
    Rack,
    Shelf,
    ShelfState,
    parse_bed_size,
    parse_name,
    parse_shelf_count,
    parse_spacing,
    shelf_state_from_api,
)
from ..racks.rest_json import rack_details, rack_summary, shelf_state
from ..racks.settings import CONF_OTTOEJECT_ID, RackSettings, name_in_use, parse_ottoeject_id
from ..runtime import OttoRuntime
from ..subentries import (
    SUBENTRY_OTTOEJECT,
    SUBENTRY_RACK,
    DeviceKind,
    find_subentry,
    subentries_by_id,
)
from .base import OttoView, parse_id
from .errors import ApiError, bad_request, conflict, not_found
from .schema import Arr, Obj, Operation
from .shapes import (
    MESSAGE,
    RACK,
    RACK_CREATE,
    RACK_DETAILS,
    RACK_UPDATE,
    SHELF_ANSWER,
    SHELF_UPDATE,
    TEXT,
    ok,
)

_RACK_ANSWER = Obj(
    properties={**RACK_DETAILS.properties, "message": TEXT},
    required=(*RACK_DETAILS.required, "message"),
)


def _rack(runtime: OttoRuntime, rack_id: str) -> Rack:
    rack = runtime.state.racks.get(parse_id(rack_id, "Ottorack"))
    if rack is None:
        raise not_found("Ottorack", rack_id)
    return rack


def _shelf(runtime: OttoRuntime, rack_id: str, shelf_id: str) -> tuple[Rack, Shelf]:
    rack = _rack(runtime, rack_id)
    shelf = rack.shelf_by_id(parse_id(shelf_id, "Shelf"))
    if shelf is None:
        raise not_found(f"Shelf {shelf_id} of Ottorack", rack.id)
    return rack, shelf


def _stored(entry: ConfigEntry, rack: Rack) -> RackSettings:
    subentry = find_subentry(entry, SUBENTRY_RACK, rack.id)
    assert subentry is not None  # records without a subentry are dropped at once
    return RackSettings.from_subentry(subentry)


def _details(runtime: OttoRuntime, rack: Rack) -> dict[str, Any]:
    return rack_details(rack, runtime.state, _stored(runtime.entry, rack).ottoeject_id)


def _settings(
    entry: ConfigEntry, body: dict[str, Any], rack_id: int, current: RackSettings | None
) -> RackSettings:
    """New settings from a body (create: defaults; update: the current values)."""

    def value(key: str, default: object) -> object:
        return body.get(key, default)

    try:
        name = parse_name(value("name", current.name if current else None))
        if CONF_OTTOEJECT_ID in body:
            ejector = parse_ottoeject_id(
                body[CONF_OTTOEJECT_ID], subentries_by_id(entry, SUBENTRY_OTTOEJECT)
            )
        else:  # kept as stored, even one whose OttoEject was deleted since
            ejector = current.ottoeject_id if current else None
        settings = RackSettings(
            rack_id,
            name,
            parse_shelf_count(
                value(
                    "number_of_shelves", current.number_of_shelves if current else DEFAULT_SHELVES
                )
            ),
            parse_spacing(
                value(
                    "shelf_spacing_mm",
                    current.shelf_spacing_mm if current else DEFAULT_SHELF_SPACING_MM,
                )
            ),
            parse_bed_size(value("bed_size", current.bed_size if current else DEFAULT_BED_SIZE)),
            ejector,
        )
    except InvalidRackError as err:
        raise bad_request(err.field, str(err)) from None
    if name_in_use(entry, name, except_id=rack_id):
        raise ApiError(
            HTTPStatus.CONFLICT, f"name: another Ottorack is named {name!r}", field="name"
        )
    return settings


class OttoRacksView(OttoView):
    url = "/api/ottoracks"
    name = "api:ottoengine:ottoracks"
    operations = {
        "get": Operation(summary="List Ottoracks", responses=ok("The racks", Arr(items=RACK))),
        "post": Operation(
            summary="Create an Ottorack (a device of the hub)",
            body=RACK_CREATE,
            responses=ok("The rack", _RACK_ANSWER, 201),
            errors=(409,),
        ),
    }

    async def get(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        racks = runtime.state.racks
        return self.json(
            [
                rack_summary(racks[key], _stored(runtime.entry, racks[key]).ottoeject_id)
                for key in sorted(racks)
            ]
        )

    async def post(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        body = await self.json_body(request)
        entry = runtime.entry
        # Validated before an id is taken: a refused rack uses up no id.
        settings = replace(
            _settings(entry, body, 0, None), id=runtime.state.ids.allocate(DeviceKind.RACK)
        )
        runtime.async_state_changed()
        self.hass(request).config_entries.async_add_subentry(entry, settings.new_subentry())
        await runtime.devices.async_sync()
        rack = runtime.state.racks[settings.id]
        return self.json(
            {**_details(runtime, rack), "message": "Ottorack created successfully"},
            HTTPStatus.CREATED,
        )


class OttoRackView(OttoView):
    url = "/api/ottoracks/{rack_id}"
    name = "api:ottoengine:ottoracks:rack"
    operations = {
        "get": Operation(
            summary="An Ottorack with its shelves", responses=ok("The rack", RACK_DETAILS)
        ),
        "put": Operation(
            summary="Change an Ottorack's settings",
            body=RACK_UPDATE,
            responses=ok("The rack", _RACK_ANSWER),
            errors=(409,),
        ),
        "delete": Operation(
            summary="Delete an Ottorack", responses=ok("Deleted", MESSAGE), errors=(409,)
        ),
    }

    async def get(self, request: web.Request, rack_id: str) -> web.Response:
        runtime = self.runtime(request)
        return self.json(_details(runtime, _rack(runtime, rack_id)))

    async def put(self, request: web.Request, rack_id: str) -> web.Response:
        """Rename the rack or change its spacing, bed size, number of shelves or OttoEject."""
        runtime = self.runtime(request)
        rack = _rack(runtime, rack_id)
        body = await self.json_body(request)
        entry = runtime.entry
        subentry = find_subentry(entry, SUBENTRY_RACK, rack.id)
        assert subentry is not None  # records without a subentry are dropped at once
        settings = _settings(entry, body, rack.id, RackSettings.from_subentry(subentry))
        if any(
            shelf.state is not ShelfState.NO_PLATE
            for shelf in rack.shelves[settings.number_of_shelves :]
        ):
            raise ApiError(
                HTTPStatus.CONFLICT,
                "number_of_shelves: the shelves that would be removed still hold a plate",
                field="number_of_shelves",
            )
        self.hass(request).config_entries.async_update_subentry(
            entry, subentry, title=settings.name, data=settings.as_data()
        )
        await runtime.devices.async_sync()
        return self.json({**_details(runtime, rack), "message": "Ottorack updated successfully"})

    async def delete(self, request: web.Request, rack_id: str) -> web.Response:
        """Remove the rack, its device and its shelf sensors (409 while a job needs it)."""
        runtime = self.runtime(request)
        rack = _rack(runtime, rack_id)
        jobs = runtime.state.unfinished_jobs_of_rack(rack.id)
        if jobs:
            raise conflict(
                f"Ottorack {rack.id} is used by print jobs that have not finished: "
                + ", ".join(str(job.id) for job in jobs)
            )
        entry = runtime.entry
        subentry = find_subentry(entry, SUBENTRY_RACK, rack.id)
        assert subentry is not None
        self.hass(request).config_entries.async_remove_subentry(entry, subentry.subentry_id)
        await runtime.devices.async_sync()
        return self.json({"message": "Ottorack deleted successfully"})


class OttoRackShelfView(OttoView):
    url = "/api/ottoracks/{rack_id}/shelves/{shelf_id}"
    name = "api:ottoengine:ottoracks:shelf"
    operations = {
        "put": Operation(
            summary="Set what a shelf holds",
            body=SHELF_UPDATE,
            responses=ok("The shelf", SHELF_ANSWER),
        )
    }

    async def put(self, request: web.Request, rack_id: str, shelf_id: str) -> web.Response:
        runtime = self.runtime(request)
        rack, shelf = _shelf(runtime, rack_id, shelf_id)
        body = await self.json_body(request)
        if "has_plate" not in body:
            raise bad_request("has_plate", "is required (true or false)")
        try:
            state, job_id = shelf_state_from_api(
                body.get("has_plate"), body.get("plate_state"), body.get("print_job_id")
            )
        except InvalidShelfStateError as err:
            raise bad_request(err.field, str(err)) from None
        if job_id is not None and job_id not in runtime.state.jobs:
            raise bad_request("print_job_id", f"print job {job_id} does not exist")
        runtime.async_set_shelf(rack, shelf, state, job_id, "api")
        return self.json(
            {**shelf_state(shelf), "ottorack_id": rack.id, "message": "Shelf updated successfully"}
        )


class OttoRackShelfResetView(OttoView):
    url = "/api/ottoracks/{rack_id}/shelves/{shelf_id}/reset"
    name = "api:ottoengine:ottoracks:shelf:reset"
    operations = {
        "post": Operation(summary="Empty a shelf", responses=ok("The shelf", SHELF_ANSWER))
    }

    async def post(self, request: web.Request, rack_id: str, shelf_id: str) -> web.Response:
        """The shelf holds nothing any more: no plate, no print."""
        runtime = self.runtime(request)
        rack, shelf = _shelf(runtime, rack_id, shelf_id)
        runtime.async_set_shelf(rack, shelf, ShelfState.NO_PLATE, None, "api")
        return self.json(
            {**shelf_state(shelf), "ottorack_id": rack.id, "message": "Shelf reset successfully"}
        )
