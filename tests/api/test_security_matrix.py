"""The security matrix: every route the integration serves x {no token, a non-admin user, an
administrator}.

The routes are read from the registered views themselves (every path, with and without the
trailing slash, every method), so a route added later is in the matrix without touching this
test. Without a token every route answers 401; a non-admin user may read (never 401/403) but
every route that changes the farm answers 403 and changes nothing; an administrator is let
through (the answer is the route's own: 2xx, or 400/404 for the placeholder ids and bodies used
here, never 401/403 and never a 5xx).
"""

from __future__ import annotations

from http import HTTPStatus
import json
import re
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.api import VIEWS

from ..helpers import setup_hub

MUTATING = ("post", "put", "patch", "delete")
METHODS = ("get", *MUTATING)
# The seed's contract has 35 routes (ottoengine-api-v0.3.md); the extensions add to them.
SEED_ROUTES = 35


def routes() -> list[tuple[str, str]]:
    """(method, path) of every route, path parameters filled with 1."""
    found = []
    for view in VIEWS:
        assert view.url is not None
        paths = [view.url, *view.extra_urls]
        paths += [f"{path}/" for path in paths if not path.endswith("/")]
        for method in METHODS:
            if getattr(view, method, None) is None:
                continue
            found += [(method, re.sub(r"\{[^}]+\}", "1", path)) for path in paths]
    return sorted(set(found))


def distinct_routes() -> set[tuple[str, str]]:
    return {(method, path.rstrip("/")) for method, path in routes()}


async def _call(client: Any, method: str, path: str) -> tuple[int, Any]:
    kwargs = {"json": {}} if method in MUTATING else {}
    response = await client.request(method.upper(), path, **kwargs)
    text = await response.text()
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    return response.status, body


async def test_every_route_is_in_the_matrix() -> None:
    """Every seed route (and each extension) is served, so every one is walked below."""
    assert len(distinct_routes()) >= SEED_ROUTES
    assert all(path.startswith("/api/") for _, path in routes())


async def test_without_a_token_every_route_answers_401(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client_no_auth()
    for method, path in routes():
        status, _ = await _call(client, method, path)
        assert status == HTTPStatus.UNAUTHORIZED, (method, path, status)


async def test_a_non_admin_user_reads_but_changes_nothing(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_read_only_access_token: str
) -> None:
    entry = await setup_hub(hass)
    before = json.dumps(entry.runtime_data.state.as_dict(), sort_keys=True, default=str)
    client = await hass_client(hass_read_only_access_token)
    for method, path in routes():
        status, body = await _call(client, method, path)
        if method in MUTATING:
            assert status == HTTPStatus.FORBIDDEN, (method, path, status)
            assert isinstance(body, dict)
            assert "administrator" in str(body), (method, path, body)
        else:
            assert status not in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN), (path, status)
            assert status < HTTPStatus.INTERNAL_SERVER_ERROR, (path, status, body)
    await hass.async_block_till_done()
    after = json.dumps(entry.runtime_data.state.as_dict(), sort_keys=True, default=str)
    assert after == before


async def test_an_administrator_is_let_through_every_route(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    answered: dict[tuple[str, str], int] = {}
    for method, path in routes():
        status, body = await _call(client, method, path)
        answered[(method, path)] = status
        assert status not in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN), (method, path)
        assert status < HTTPStatus.INTERNAL_SERVER_ERROR, (method, path, status, body)
    # The farm's lists and reports answer 200 to an administrator.
    for path in (
        "/api/printers",
        "/api/ottoeject",
        "/api/ottoracks",
        "/api/print-jobs",
        "/api/orchestration/status",
        "/api/orchestration/health",
    ):
        assert answered[("get", path)] == HTTPStatus.OK, path
