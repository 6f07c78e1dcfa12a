"""The farm's control server: HTTP on 127.0.0.1 for tests and humans.

- ``GET /truth``: ``World.truth()`` (where every plate and print is, ``violations``,
  ``events``) plus ``devices``: each printer's and ejector's simulated status. ``?since=<t>``:
  only the events with ``t`` greater than that (unix seconds).
- ``GET /events?since=<t>``: ``{"events": [...], "events_recorded": n}`` alone.
- ``POST /faults`` with ``{"device": name, "fault": "...", ...params}``: inject a fault
  (400: bad request or unknown fault, 404: unknown device, 409: fault not applicable now).
- ``POST /operator`` with ``{"action": "...", ...params}``: a person moves plates or prints
  (``World.operator``; 400: bad request or unknown action, 404: unknown printer / rack / shelf /
  ejector, 409: not possible now).
- ``POST /reset``: clear every printer's faults (``clear``) and bring stopped servers back; clear
  every ejector's injected macro failures.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ottosim.bambu.printer import FaultError
from ottosim.world import OperatorError

if TYPE_CHECKING:
    from ottosim.farm import Farm

CONTROL_HOST = "127.0.0.1"
FARM_KEY: web.AppKey[Farm] = web.AppKey("farm")


def _since(request: web.Request) -> float | None:
    """The ``since`` query parameter (``HTTPBadRequest`` unless a finite number)."""
    text = request.query.get("since")
    if text is None or text == "":
        return None
    try:
        since = float(text)
    except ValueError:
        since = math.nan
    if not math.isfinite(since):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "since must be a number (unix seconds)"}),
            content_type="application/json",
        )
    return since


async def _truth(request: web.Request) -> web.Response:
    return web.json_response(request.app[FARM_KEY].truth(since=_since(request)))


async def _events(request: web.Request) -> web.Response:
    world = request.app[FARM_KEY].world
    return web.json_response(
        {"events": world.events_since(_since(request)), "events_recorded": world.events_recorded}
    )


async def _operator(request: web.Request) -> web.Response:
    farm = request.app[FARM_KEY]
    try:
        body: Any = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        return web.json_response({"error": "expected {action, ...params}"}, status=400)
    params = dict(body)
    action = params.pop("action")
    try:
        result = farm.operator(action, **params)
    except OperatorError as err:
        return web.json_response({"error": str(err)}, status=err.status)
    return web.json_response({"ok": True, **result})


async def _faults(request: web.Request) -> web.Response:
    farm = request.app[FARM_KEY]
    try:
        body: Any = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("device"), str):
        return web.json_response({"error": "expected {device, fault, ...}"}, status=400)
    params = dict(body)
    device, fault = params.pop("device"), params.pop("fault", None)
    if not isinstance(fault, str):
        return web.json_response({"error": "fault must be a string"}, status=400)
    if device not in farm.device_names:
        return web.json_response({"error": f"no device named {device!r}"}, status=404)
    try:
        await farm.inject_fault(device, fault, **params)
    except FaultError as err:
        status = 409 if fault in farm.fault_names(device) else 400
        return web.json_response({"error": str(err)}, status=status)
    except (ValueError, TypeError, KeyError) as err:
        return web.json_response({"error": str(err)}, status=400)
    return web.json_response({"ok": True, "device": device, "fault": fault})


async def _reset(request: web.Request) -> web.Response:
    await request.app[FARM_KEY].reset()
    return web.json_response({"ok": True})


class ControlServer:
    """Serves the routes above for ``farm`` on ``127.0.0.1:<free port>``."""

    def __init__(self, farm: Farm, port: int = 0) -> None:
        app = web.Application()
        app[FARM_KEY] = farm
        app.router.add_get("/truth", _truth)
        app.router.add_get("/events", _events)
        app.router.add_post("/faults", _faults)
        app.router.add_post("/operator", _operator)
        app.router.add_post("/reset", _reset)
        self._runner = web.AppRunner(app, access_log=None)
        self._port = port
        self.url = ""

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, CONTROL_HOST, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        await self._runner.cleanup()
