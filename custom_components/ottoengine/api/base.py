"""The base of every OttoEngine REST view.

Views are registered once, in ``async_setup`` (aiohttp routes cannot be removed), and look up
the loaded hub entry on every request: while none is loaded they answer 503. Every route needs
Home Assistant authentication; routes that change things (POST, PUT, PATCH, DELETE) also need
an administrator, and are answered 2xx only once the farm's state is saved. Handlers raise
``ApiError`` for anything the client did wrong or the farm
cannot do; it is answered as JSON with the right status.

Each view declares what it accepts and answers per method (``operations``, see ``schema.py``):
the guard checks the query parameters and the JSON body against it before the handler runs (a
400 naming the field), ``json_body`` hands the checked body over, and ``openapi.py`` documents
the same declarations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import functools
from http import HTTPStatus
import json
import logging
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from ..const import DOMAIN
from ..runtime import OttoRuntime
from .errors import ApiError, bad_request
from .printers_schema import OPERATIONS
from .schema import Operation, SchemaError

_LOGGER = logging.getLogger(__name__)

_MUTATING = ("post", "put", "patch", "delete")
_METHODS = ("get", *_MUTATING)
MAX_JSON_BODY = 1024 * 1024
# Where the guard keeps the checked JSON body for ``json_body``.
_BODY = "ottoengine_body"

type Handler = Callable[..., Awaitable[web.StreamResponse]]


class OttoView(HomeAssistantView):
    """A view answering JSON, with auth, admin checks and errors handled uniformly."""

    requires_auth = True
    # What each method accepts and answers ("get", "post", ...): every method has one.
    operations: ClassVar[Mapping[str, Operation]] = {}

    @classmethod
    def operation(cls, method: str) -> Operation | None:
        """The declared operation of ``method`` (any case), if any."""
        method = method.lower()
        declared = cls.operations or OPERATIONS.get(getattr(cls, "name", None) or "", {})
        return declared.get(method)

    def register(
        self, hass: HomeAssistant, app: web.Application, router: web.UrlDispatcher
    ) -> None:
        for method in _METHODS:
            handler = getattr(self, method, None)
            if handler is not None:
                setattr(self, method, self._guard(handler, admin_only=method in _MUTATING))
        # Like the seed's Express routes, every path answers with and without a trailing slash.
        assert self.url is not None
        urls = [self.url, *self.extra_urls]
        self.extra_urls = [*self.extra_urls, *(f"{u}/" for u in urls if not u.endswith("/"))]
        super().register(hass, app, router)

    def _guard(self, handler: Handler, *, admin_only: bool) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request, **match_info: str) -> web.StreamResponse:
            try:
                if admin_only:
                    user = request.get("hass_user")
                    if user is None or not user.is_admin:
                        raise ApiError(
                            HTTPStatus.FORBIDDEN,
                            "This action changes the farm and needs an administrator",
                        )
                await self._async_check_request(request)
                response = await handler(request, **match_info)
                if admin_only and response.status < HTTPStatus.MULTIPLE_CHOICES:
                    await self._async_commit(request)
            except ApiError as err:
                return self.json(err.body(), err.status)
            except HttpProcessingError as err:
                # A body aiohttp cannot parse (a multipart part with invalid headers, ...): the
                # client's fault, answered like any other malformed body.
                operation = self.operation(request.method)
                field = "file" if operation is not None and operation.multipart else "body"
                error = bad_request(field, f"the request body is malformed ({err.message})")
                return self.json(error.body(), error.status)
            return response

        return guarded

    @classmethod
    async def _async_commit(cls, request: web.Request) -> None:
        """A change is answered 2xx only once the farm's state is on disk."""
        entries = cls.hass(request).config_entries.async_loaded_entries(DOMAIN)
        if entries and not await entries[0].runtime_data.async_commit():
            raise ApiError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "The change was made but the farm's state could not be saved (see Home "
                "Assistant's log): it may be lost at the next restart",
            )

    @staticmethod
    def hass(request: web.Request) -> HomeAssistant:
        return request.app[KEY_HASS]

    @classmethod
    def runtime(cls, request: web.Request) -> OttoRuntime:
        """The loaded hub's runtime, or 503 while OttoEngine is not set up."""
        entries = cls.hass(request).config_entries.async_loaded_entries(DOMAIN)
        if not entries:
            raise ApiError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "OttoEngine is not set up: add the OttoEngine farm under Settings → Devices & "
                "services, or wait until it has started",
            )
        runtime: OttoRuntime = entries[0].runtime_data
        return runtime

    async def json_body(self, request: web.Request) -> dict[str, Any]:
        """The request's JSON object, already checked by the guard against the method's
        declared body schema (anything wrong with it was a 400 naming the field)."""
        body = request.get(_BODY)
        if body is None:
            body = await self._read_json(request)
        return dict(body)

    @staticmethod
    async def _read_json(request: web.Request) -> dict[str, Any]:
        """The request's JSON object, or 400 naming what is wrong with it (413: too large)."""
        if request.content_length is not None and request.content_length > MAX_JSON_BODY:
            raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The JSON body is too large")
        raw = await request.content.read(MAX_JSON_BODY + 1)
        if len(raw) > MAX_JSON_BODY:
            raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The JSON body is too large")
        if not raw.strip():
            raise bad_request("body", "a JSON object is required")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as err:
            raise bad_request("body", f"invalid JSON ({err})") from None
        except RecursionError:
            raise bad_request("body", "the JSON is nested too deeply") from None
        if not isinstance(data, dict):
            raise bad_request("body", "must be a JSON object")
        return data

    @classmethod
    async def _async_check_request(cls, request: web.Request) -> None:
        """Query parameters and JSON body against the method's declared ``Operation``."""
        operation = cls.operation(request.method)
        if operation is None:
            return
        try:
            operation.check_query(request.query)
            if operation.body is not None:
                body = await cls._read_json(request)
                operation.check_body(body)
                request[_BODY] = body
        except SchemaError as err:
            raise bad_request(err.field, err.message) from None


def parse_id(value: str, kind: str) -> int:
    """A path id: a positive integer, else 404 (no such record can exist)."""
    # isascii: str.isdigit() also accepts digits like "²" that int() refuses.
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ApiError(HTTPStatus.NOT_FOUND, f"{kind} {value!r} not found")
    return int(value)
