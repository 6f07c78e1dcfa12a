"""`/api/ottoeject`: OttoEject robots (HA subentries of the hub), their live status and macros.

Registration creates the same ``ottoeject`` subentry and device as the "Add OttoEject" flow.
The robot is asked for its identity when it answers (the subentry's unique id; a robot that is
already registered under another id is refused with 409); an unreachable robot is registered
anyway, as the seed allowed, and its identity is recorded once it answers.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_KEY, CONF_IP_ADDRESS, CONF_PORT

from ..moonraker import (
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerAuthError,
    MoonrakerClientError,
    MoonrakerConnectionError,
    MoonrakerError,
    build_macro_command,
)
from ..ottoeject.coordinator import OttoEjectCoordinator
from ..ottoeject.identity import async_fetch_identity
from ..ottoeject.settings import (
    CONF_DEVICE_NAME,
    CONF_MACRO_ACK_TIMEOUT,
    MOONRAKER_DEFAULT_PORT,
    OttoEjectSettings,
    address_in_use,
    name_in_use,
    parse_ack_timeout,
    parse_api_key,
    parse_host,
    parse_name,
    parse_port,
)
from ..runtime import OttoRuntime
from ..subentries import CONF_ID, SUBENTRY_OTTOEJECT, DeviceKind, find_subentry
from .base import OttoView, parse_id
from .errors import ApiError, bad_request, conflict, not_found
from .schema import Arr, Obj, Operation
from .shapes import (
    EJECTOR,
    EJECTOR_CREATE,
    EJECTOR_DETAILS,
    EJECTOR_UPDATE,
    MACRO,
    MACRO_SENT,
    MESSAGE,
    TEXT,
    ok,
)

_EJECTOR_ANSWER = Obj(
    properties={**EJECTOR.properties, "message": TEXT}, required=(*EJECTOR.required, "message")
)

KIND = "Ottoeject"
IDENTITY_TIMEOUT = 5.0
PROXY_ERROR = "Macro Execution Proxy Error"


def _coordinator(runtime: OttoRuntime, ottoeject_id: str) -> OttoEjectCoordinator:
    coordinator = runtime.ottoejects.by_id(parse_id(ottoeject_id, KIND))
    if coordinator is None:
        raise not_found(KIND, ottoeject_id)
    return coordinator


def _field(parse: Any, body: dict[str, Any], key: str, default: object) -> Any:
    try:
        return parse(body.get(key, default))
    except ValueError as err:
        raise bad_request(key, str(err)) from None


def _settings(
    entry: ConfigEntry,
    body: dict[str, Any],
    ottoeject_id: int,
    current: OttoEjectSettings | None,
) -> OttoEjectSettings:
    """New settings from a body (register: defaults; update: the current values)."""
    name = _field(parse_name, body, CONF_DEVICE_NAME, current.device_name if current else None)
    host = _field(parse_host, body, CONF_IP_ADDRESS, current.ip_address if current else None)
    port = _field(parse_port, body, CONF_PORT, current.port if current else MOONRAKER_DEFAULT_PORT)
    api_key = _field(parse_api_key, body, CONF_API_KEY, current.api_key if current else None)
    timeout = _field(
        parse_ack_timeout,
        body,
        CONF_MACRO_ACK_TIMEOUT,
        current.macro_ack_timeout if current else None,
    )
    if name_in_use(entry, name, except_id=ottoeject_id):
        raise ApiError(
            HTTPStatus.CONFLICT,
            f"{CONF_DEVICE_NAME}: another Ottoeject is named {name!r}",
            field=CONF_DEVICE_NAME,
        )
    if address_in_use(entry, host, port, except_id=ottoeject_id):
        raise ApiError(
            HTTPStatus.CONFLICT,
            f"{CONF_IP_ADDRESS}: another Ottoeject is registered at {host}:{port}",
            field=CONF_IP_ADDRESS,
        )
    return OttoEjectSettings(ottoeject_id, name, host, port, api_key, timeout)


async def _identity(request: web.Request, settings: OttoEjectSettings) -> str | None:
    """The robot's unique id, or ``None`` while it cannot be reached (400 on a wrong key)."""
    try:
        return await async_fetch_identity(
            OttoView.hass(request),
            settings.ip_address,
            settings.port,
            settings.api_key,
            timeout=IDENTITY_TIMEOUT,
        )
    except MoonrakerAuthError:
        raise bad_request(
            CONF_API_KEY, "Moonraker refused the API key (missing or wrong)"
        ) from None
    except MoonrakerClientError, ValueError:
        return None


def _identity_owner(entry: ConfigEntry, unique_id: str, except_id: int | None) -> int | None:
    for subentry in entry.subentries.values():
        if (
            subentry.subentry_type == SUBENTRY_OTTOEJECT
            and subentry.unique_id == unique_id
            and int(subentry.data[CONF_ID]) != except_id
        ):
            return int(subentry.data[CONF_ID])
    return None


async def _summary(coordinator: OttoEjectCoordinator) -> dict[str, Any]:
    data = await coordinator.async_live_data()
    return {
        "id": coordinator.settings.id,
        "device_name": coordinator.settings.device_name,
        "status": data.status.value,
    }


class OttoEjectsView(OttoView):
    url = "/api/ottoeject"
    name = "api:ottoengine:ottoeject"
    operations = {
        "get": Operation(
            summary="List OttoEjects with their live status",
            responses=ok("The OttoEjects", Arr(items=EJECTOR)),
        ),
        "post": Operation(
            summary="Register an OttoEject (a device of the hub)",
            body=EJECTOR_CREATE,
            responses=ok("Registered", _EJECTOR_ANSWER, 201),
            errors=(409,),
        ),
    }

    async def get(self, request: web.Request) -> web.Response:
        manager = self.runtime(request).ottoejects
        return self.json([await _summary(c) for c in manager.sorted()])

    async def post(self, request: web.Request) -> web.Response:
        """Register an OttoEject: the same subentry and device as the "Add OttoEject" flow."""
        runtime = self.runtime(request)
        manager = runtime.ottoejects
        body = await self.json_body(request)
        entry = runtime.entry
        settings = _settings(entry, body, 0, None)
        unique_id = await _identity(request, settings)
        if unique_id is not None:
            owner = _identity_owner(entry, unique_id, None)
            if owner is not None:
                raise conflict(f"This OttoEject is already registered as Ottoeject {owner}")
        settings = OttoEjectSettings(
            runtime.state.ids.allocate(DeviceKind.OTTOEJECT),
            settings.device_name,
            settings.ip_address,
            settings.port,
            settings.api_key,
            settings.macro_ack_timeout,
        )
        runtime.async_state_changed()
        self.hass(request).config_entries.async_add_subentry(
            entry, settings.new_subentry(unique_id)
        )
        await runtime.devices.async_sync()
        coordinator = manager.by_id(settings.id)
        assert coordinator is not None
        return self.json(
            {**await _summary(coordinator), "message": "Ottoeject registered successfully"},
            HTTPStatus.CREATED,
        )


class OttoEjectView(OttoView):
    url = "/api/ottoeject/{ottoeject_id}"
    name = "api:ottoengine:ottoeject:device"
    operations = {
        "get": Operation(summary="An OttoEject", responses=ok("The OttoEject", EJECTOR_DETAILS)),
        "put": Operation(
            summary="Rename an OttoEject or change how it is reached",
            body=EJECTOR_UPDATE,
            responses=ok("Updated", _EJECTOR_ANSWER),
            errors=(409,),
        ),
        "delete": Operation(
            summary="Delete an OttoEject", responses=ok("Deleted", MESSAGE), errors=(409,)
        ),
    }

    async def get(self, request: web.Request, ottoeject_id: str) -> web.Response:
        coordinator = _coordinator(self.runtime(request), ottoeject_id)
        return self.json(
            {
                **await _summary(coordinator),
                "ip_address": coordinator.settings.ip_address,
                "port": coordinator.settings.port,
            }
        )

    async def put(self, request: web.Request, ottoeject_id: str) -> web.Response:
        """Rename the OttoEject or change how it is reached (it reconnects)."""
        runtime = self.runtime(request)
        coordinator = _coordinator(runtime, ottoeject_id)
        body = await self.json_body(request)
        entry = runtime.entry
        subentry = entry.subentries[coordinator.subentry_id]
        current = OttoEjectSettings.from_subentry(subentry)
        settings = _settings(entry, body, current.id, current)
        unique_id = subentry.unique_id
        if settings.connection() != current.connection():
            found = await _identity(request, settings)
            if found is not None and unique_id is not None and found != unique_id:
                raise ApiError(
                    HTTPStatus.CONFLICT,
                    f"{CONF_IP_ADDRESS}: another OttoEject answers at "
                    f"{settings.ip_address}:{settings.port}",
                    field=CONF_IP_ADDRESS,
                )
            if found is not None and unique_id is None:
                if _identity_owner(entry, found, current.id) is not None:
                    raise conflict("This OttoEject is already registered under another id")
                unique_id = found
        self.hass(request).config_entries.async_update_subentry(
            entry,
            subentry,
            title=settings.device_name,
            data=settings.as_data(),
            unique_id=unique_id,
        )
        await runtime.devices.async_sync()
        return self.json(
            {**await _summary(coordinator), "message": "Ottoeject updated successfully"}
        )

    async def delete(self, request: web.Request, ottoeject_id: str) -> web.Response:
        """Remove the OttoEject, its device and entities (409 while a job needs it)."""
        runtime = self.runtime(request)
        coordinator = _coordinator(runtime, ottoeject_id)
        item_id = coordinator.settings.id
        jobs = [
            job
            for job in runtime.state.jobs.values()
            if job.settings.ottoeject_id == item_id and not job.status.is_finished
        ]
        if jobs:
            raise conflict(
                f"Ottoeject {item_id} is used by print jobs that have not finished: "
                + ", ".join(str(job.id) for job in sorted(jobs, key=lambda job: job.id))
            )
        entry = runtime.entry
        subentry = find_subentry(entry, SUBENTRY_OTTOEJECT, item_id)
        assert subentry is not None
        self.hass(request).config_entries.async_remove_subentry(entry, subentry.subentry_id)
        await runtime.devices.async_sync()
        return self.json({"message": "Ottoeject deleted successfully"})


class OttoEjectStatusView(OttoView):
    url = "/api/ottoeject/{ottoeject_id}/status"
    name = "api:ottoengine:ottoeject:status"
    operations = {
        "get": Operation(summary="An OttoEject's live status", responses=ok("The status", EJECTOR))
    }

    async def get(self, request: web.Request, ottoeject_id: str) -> web.Response:
        """The live status: ONLINE, EJECTING, OFFLINE or ISSUE."""
        coordinator = _coordinator(self.runtime(request), ottoeject_id)
        return self.json(await _summary(coordinator))


class OttoEjectMacrosView(OttoView):
    url = "/api/ottoeject/{ottoeject_id}/macros"
    name = "api:ottoengine:ottoeject:macros"
    operations = {
        "post": Operation(
            summary="Run a G-code macro on an OttoEject",
            body=MACRO,
            responses=ok("Moonraker acknowledged the macro", MACRO_SENT, 202),
            errors=(502,),
        )
    }

    async def post(self, request: web.Request, ottoeject_id: str) -> web.Response:
        """Run a macro; 202 once Moonraker acknowledged it, 502 when that timed out."""
        runtime = self.runtime(request)
        coordinator = _coordinator(runtime, ottoeject_id)
        body = await self.json_body(request)
        macro = body.get("macro")
        params = body.get("params")
        if not isinstance(macro, str) or not macro.strip():
            raise bad_request("macro", "is required (the name of a G-code macro)")
        if params is not None and not isinstance(params, dict):
            raise bad_request("params", "must be an object of parameter names and values")
        try:
            build_macro_command(macro)
        except InvalidMacroError as err:
            raise bad_request("macro", str(err)) from None
        try:
            script = build_macro_command(macro, params).script
        except InvalidMacroError as err:
            raise bad_request("params", str(err)) from None
        item_id = coordinator.settings.id
        try:
            response = await coordinator.async_run_macro(macro, params)
        except InvalidMacroError as err:
            raise bad_request("macro", str(err)) from None
        except MacroAckTimeout as err:
            raise ApiError(
                HTTPStatus.BAD_GATEWAY,
                f"Command '{script}' sent to Ottoeject, but acknowledgement from device timed "
                "out. External polling for completion is required. Detail: Failed to execute "
                f"G-code: No response from {coordinator.settings.ip_address} within "
                f"{err.timeout:g} s",
                title=PROXY_ERROR,
                extra={"moonraker_details": None},
            ) from None
        except MoonrakerConnectionError as err:
            raise ApiError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"Ottoeject {item_id} cannot be reached: {err}",
            ) from None
        except MoonrakerAuthError:
            raise ApiError(
                HTTPStatus.BAD_GATEWAY,
                f"Ottoeject {item_id} refused the stored API key; update it with PUT",
                title=PROXY_ERROR,
                extra={"moonraker_details": None},
            ) from None
        except MoonrakerError as err:
            status = HTTPStatus.SERVICE_UNAVAILABLE if err.code == 503 else HTTPStatus.BAD_GATEWAY
            raise ApiError(
                status,
                f"Command '{script}' failed on Ottoeject {item_id}: {err.message}",
                title=PROXY_ERROR,
                extra={"moonraker_details": {"code": err.code, "message": err.message}},
            ) from None
        return self.json(
            {
                "message": f"Macro '{script}' command sent to Ottoeject {item_id}.",
                "moonraker_response": response,
            },
            HTTPStatus.ACCEPTED,
        )
