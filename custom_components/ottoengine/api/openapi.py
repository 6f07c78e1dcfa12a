"""The OpenAPI 3.1 document of every route, built from the views' own declarations.

``build_document`` walks the registered views (``api.VIEWS``): their paths (the canonical one;
each is also served with a trailing slash), their methods and, per method, the ``Operation``
that ``json_body`` and the guard validate requests with. So the document cannot drift from the
code: a method without a declaration fails the build (and the tests). Every route needs Home
Assistant authentication (a bearer token); those that change the farm need an administrator.

``GET /api/ottoengine/openapi.json`` serves it (any authenticated user).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
import inspect
import re
from typing import Any, Final

from aiohttp import web

from .base import OttoView
from .schema import Json, Obj, Operation, Response, Str
from .shapes import ERROR, ok

OPENAPI_URL: Final = "/api/ottoengine/openapi.json"
API_VERSION: Final = "0.3.0"
MUTATING: Final = ("post", "put", "patch", "delete")
METHODS: Final = ("get", *MUTATING)
_PARAM = re.compile(r"\{([^}/]+)\}")

_ERROR_TEXT: Final = {
    HTTPStatus.BAD_REQUEST: "A parameter or field is invalid (`field` names it)",
    HTTPStatus.NOT_FOUND: "No such record (an id in the path that does not exist)",
    HTTPStatus.CONFLICT: "The farm's state does not allow it now",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The body is too large",
    HTTPStatus.BAD_GATEWAY: "The device refused or failed the command",
    HTTPStatus.SERVICE_UNAVAILABLE: (
        "OttoEngine is not set up yet, a device cannot be reached, or a change could not be saved"
    ),
}


def _error(status: int) -> Json:
    text = _ERROR_TEXT.get(HTTPStatus(status), HTTPStatus(status).phrase)
    return {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _response(response: Response) -> Json:
    answer: Json = {"description": response.description}
    if response.schema is not None or response.content_type != "application/json":
        media: Json = {}
        if response.schema is not None:
            media["schema"] = response.schema.json_schema()
        answer["content"] = {response.content_type: media}
    return answer


def _operation_id(view: type[OttoView], method: str) -> str:
    name = (getattr(view, "name", None) or view.__name__).removeprefix("api:ottoengine:")
    return f"{method}_" + re.sub(r"[^A-Za-z0-9]+", "_", name)


def _operation(view: type[OttoView], path: str, method: str, operation: Operation) -> Json:
    params = _PARAM.findall(path)
    mutating = method in MUTATING
    parameters: list[Json] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": "a record's id (a positive integer)",
            "schema": {"type": "integer", "minimum": 1},
        }
        for name in params
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": schema.json_schema()}
        for name, schema in operation.query.items()
    ]
    responses: Json = {
        str(status): _response(response) for status, response in operation.responses.items()
    }
    errors = set(operation.errors) | {HTTPStatus.SERVICE_UNAVAILABLE}
    if operation.body is not None or operation.multipart is not None:
        errors.add(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    if params:
        errors.add(HTTPStatus.NOT_FOUND)
    for status in sorted(errors):
        responses.setdefault(str(int(status)), _error(status))
    # Any route: Home Assistant's security filter answers 400 in plain text for unsafe bytes.
    responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    if mutating:
        responses["403"] = {"$ref": "#/components/responses/Forbidden"}
    document: Json = {
        "operationId": _operation_id(view, method),
        "summary": operation.summary,
        "tags": [path.split("/")[2]],
        "responses": dict(sorted(responses.items())),
        "x-ottoengine-admin-only": mutating,
    }
    description = operation.description or inspect.getdoc(getattr(view, method)) or ""
    if mutating:
        description = (description + "\n\nNeeds an administrator.").strip()
    if description:
        document["description"] = description.strip()
    if parameters:
        document["parameters"] = parameters
    if operation.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": operation.body.json_schema()}},
        }
    elif operation.multipart is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": operation.multipart.json_schema()}},
        }
    return document


class MissingOperationError(Exception):
    """A view's method declares no ``Operation``: it could be neither validated nor documented."""


def routes(views: Iterable[type[OttoView]]) -> list[tuple[str, str, type[OttoView]]]:
    """(path, method, view) of every route the views serve, canonical paths only."""
    found = []
    for view in views:
        assert view.url is not None
        for path in (view.url, *view.extra_urls):
            for method in METHODS:
                if getattr(view, method, None) is not None:
                    found.append((path.rstrip("/") or "/", method, view))
    return found


def build_document(views: Iterable[type[OttoView]]) -> Json:
    """The OpenAPI 3.1 document of ``views``; ``MissingOperationError`` if one is undeclared."""
    paths: dict[str, Json] = {}
    for path, method, view in routes(views):
        operation = view.operation(method)
        if operation is None:
            raise MissingOperationError(f"{view.__name__}.{method} ({path}) declares no operation")
        paths.setdefault(path, {})[method] = _operation(view, path, method, operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OttoEngine REST API",
            "version": API_VERSION,
            "description": (
                "The OTTOMAT3D print-farm API (the seed contract v0.3 and OttoEngine's "
                "extensions), served by Home Assistant. Every route needs a Home Assistant "
                "access token (`Authorization: Bearer ...`); routes that change the farm "
                "(POST, PUT, DELETE) need an administrator. Every path is also served with a "
                "trailing slash. Errors answer `{error, message, field?}`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [{"name": tag} for tag in sorted({p.split("/")[2] for p in paths})],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A Home Assistant access token (long-lived or a session's)",
                }
            },
            "schemas": {"Error": ERROR.json_schema()},
            "responses": {
                "BadRequest": {
                    "description": (
                        "A parameter or field is invalid (`field` names it); in plain text: "
                        "Home Assistant's own filter refused unsafe bytes in the path or query"
                    ),
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "Unauthorized": {
                    "description": "No valid Home Assistant access token (Home Assistant's answer)",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                "Forbidden": {
                    "description": "The action changes the farm and needs an administrator",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        },
    }


class OpenApiView(OttoView):
    """This document: every route, what it accepts and what it answers."""

    url = OPENAPI_URL
    name = "api:ottoengine:openapi"
    operations = {
        "get": Operation(
            summary="The OpenAPI 3.1 document of the OttoEngine REST API",
            responses=ok(
                "The document",
                Obj(
                    properties={"openapi": Str(), "info": Obj(), "paths": Obj()},
                    required=("openapi", "info", "paths"),
                ),
            ),
        )
    }
    _document: dict[str, Any] | None = None

    async def get(self, request: web.Request) -> web.Response:
        if OpenApiView._document is None:
            from . import VIEWS  # the document lists every view, this one included

            OpenApiView._document = build_document(VIEWS)
        return self.json(OpenApiView._document)
