"""The OpenAPI 3.1 document (``GET /api/ottoengine/openapi.json``) and the request schemas it is
built from.

The document must list exactly the routes the integration registers on Home Assistant's HTTP
server (so a new view without a declared schema fails here), say which ones need an
administrator as the security matrix does, and every body schema in it must be the one that
validates requests: a wrong type for any field of any body is a 400 naming that field.
"""

from __future__ import annotations

from http import HTTPStatus
import re
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.api import VIEWS
from custom_components.ottoengine.api.openapi import (
    OPENAPI_URL,
    MissingOperationError,
    build_document,
)
from custom_components.ottoengine.api.schema import (
    AnyOf,
    AnyValue,
    Arr,
    Binary,
    Bool,
    Int,
    Num,
    Obj,
    Schema,
    Str,
)

from ..helpers import setup_hub
from .test_security_matrix import MUTATING, distinct_routes

# The integration's route prefixes on Home Assistant's server (the seed's and its own).
PREFIXES = (
    "/api/printers",
    "/api/print-jobs",
    "/api/ottoracks",
    "/api/ottoeject",
    "/api/orchestration",
    "/api/ottoengine",
)
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _document() -> dict[str, Any]:
    return build_document(VIEWS)


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def _resolve(document: dict[str, Any], node: Any) -> None:
    """Every ``$ref`` in ``node`` points into the document."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/"), ref
            target: Any = document
            for part in ref[2:].split("/"):
                assert part in target, ref
                target = target[part]
        for value in node.values():
            _resolve(document, value)
    elif isinstance(node, list):
        for value in node:
            _resolve(document, value)


def test_the_document_is_openapi_3_1() -> None:
    document = _document()
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    _resolve(document, document)
    operation_ids = []
    for (_method, path), operation in _operations(document).items():
        assert operation["summary"], path
        operation_ids.append(operation["operationId"])
        assert operation["responses"], path
        assert all(re.fullmatch(r"[1-5]\d\d", code) for code in operation["responses"]), path
        assert any(code.startswith("2") for code in operation["responses"]), path
        declared = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        assert declared == re.findall(r"\{([^}]+)\}", path), path
        for response in operation["responses"].values():
            assert "description" in response or "$ref" in response, path
        body = operation.get("requestBody")
        if body is not None:
            (media,) = body["content"]
            assert media in ("application/json", "multipart/form-data"), path
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


async def test_the_document_lists_exactly_the_registered_routes(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Both ways: every route on the server is documented, every documented one is served."""
    await setup_hub(hass)
    await hass_client()
    served: set[tuple[str, str]] = set()
    for route in hass.http.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("formatter") or info.get("path") or "")
        method = route.method.lower()
        if method in HTTP_METHODS and path.startswith(PREFIXES):
            served.add((method, path))
    documented = set(_operations(_document()))
    assert {(method, path.rstrip("/")) for method, path in served} == documented
    # Each documented path is the canonical one; its trailing-slash twin is served too.
    for method, path in documented:
        assert (method, path) in served, (method, path)
        assert (method, f"{path}/") in served, (method, path)


def test_a_view_without_declared_operations_fails_the_build() -> None:
    from custom_components.ottoengine.api.base import OttoView

    class Undeclared(OttoView):
        url = "/api/ottoengine/undeclared"
        name = "api:ottoengine:undeclared"

        async def get(self, request: Any) -> Any:
            raise NotImplementedError

    with pytest.raises(MissingOperationError, match=r"Undeclared\.get"):
        build_document([*VIEWS, Undeclared])


def test_the_security_matrix_is_documented() -> None:
    """Every route needs a token (401); those that change the farm need an administrator (403)."""
    operations = _operations(_document())
    matrix = {(method, re.sub(r"\{[^}]+\}", "1", path)) for method, path in operations}
    assert matrix == distinct_routes()
    for (method, path), operation in operations.items():
        assert "401" in operation["responses"], (method, path)
        assert operation.get("security", [{"bearer": []}]) == [{"bearer": []}]
        admin = method in MUTATING
        assert operation["x-ottoengine-admin-only"] is admin, (method, path)
        assert ("403" in operation["responses"]) is admin, (method, path)


async def test_the_document_is_served_to_any_user(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    await setup_hub(hass)
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(OPENAPI_URL)).status == HTTPStatus.UNAUTHORIZED
    reader = await hass_client(hass_read_only_access_token)
    for url in (OPENAPI_URL, f"{OPENAPI_URL}/"):
        response = await reader.get(url)
        assert response.status == HTTPStatus.OK, url
        document = await response.json()
        assert document == _document()
        assert OPENAPI_URL in document["paths"]


# --- every body schema validates requests -----------------------------------------------------


def _wrong_value(schema: Schema) -> Any:
    """A JSON value of the wrong type for ``schema``."""
    for candidate in ({"unexpected": [1]}, True, 12345, "not a valid value", [], 0.5):
        if schema.problem(candidate) is not None:
            return candidate
    raise AssertionError(f"no wrong value for {schema}")


def _body_fields() -> list[Any]:
    cases = []
    for path, item in _document()["paths"].items():
        for method in item:
            view = next(
                v
                for v in VIEWS
                if path in {(u.rstrip("/") or "/") for u in (v.url or "", *v.extra_urls)}
            )
            operation = view.operation(method)
            assert operation is not None
            if operation.body is None:
                continue
            for name, schema in operation.body.properties.items():
                if isinstance(schema, AnyValue | Binary):
                    continue
                cases.append(pytest.param(method, path, name, schema, id=f"{method} {path} {name}"))
    return cases


BODY_FIELDS = _body_fields()


def test_every_kind_of_body_field_is_exercised() -> None:
    kinds = {type(case.values[3]) for case in BODY_FIELDS}
    assert {Str, Int, Num, Bool, Obj, Arr, AnyOf} <= kinds
    assert len(BODY_FIELDS) >= 60


@pytest.mark.parametrize(("method", "path", "name", "schema"), BODY_FIELDS)
async def test_a_wrong_type_in_any_body_field_is_400_naming_it(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    *,
    method: str,
    path: str,
    name: str,
    schema: Schema,
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = await client.request(method.upper(), url, json={name: _wrong_value(schema)})
    assert response.status == HTTPStatus.BAD_REQUEST, await response.text()
    body = await response.json()
    assert body["field"] == name
    assert body["message"].startswith(f"{name}: ")
    assert body["error"] == "Bad Request"


async def test_a_wrong_query_parameter_is_400_naming_it(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    response = await client.get("/api/print-jobs", params={"status": "SOMETIMES"})
    assert response.status == HTTPStatus.BAD_REQUEST
    assert (await response.json())["field"] == "status"
