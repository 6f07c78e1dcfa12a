"""Event-loop lag probe: a dev-only custom integration (``python -m devstack --loop-probe``).

Never part of OttoEngine: the dev stack links this folder into the Home Assistant config as
``custom_components/loop_probe`` and adds ``loop_probe:`` to ``configuration.yaml`` only when
asked (benchmarks use it to see how late Home Assistant's event loop runs its callbacks).

A callback scheduled with ``loop.call_later(INTERVAL_S)`` measures, every time it runs, how
much later than due it ran (its *lag*: the time the loop spent on other callbacks, I/O and
tasks before it got its turn), then schedules itself again.

Authenticated HTTP views (any user's bearer token):

* ``GET /api/loop_probe``: ``{"samples", "p50_ms", "p99_ms", "max_ms", "mean_ms",
  "over_20ms", "over_100ms", "interval_ms", "since_s"}`` over the samples since the last reset
  (``?reset=1`` resets after answering);
* ``POST /api/loop_probe/reset``: forget the samples;
* ``POST /api/loop_probe/profile`` ``{"seconds": 10, "top": 40}`` (admins): cProfile of the
  process for that long (Python >= 3.12 profiles through ``sys.monitoring``, so executor
  threads are included), answered as the ``pstats`` tables by own time and by cumulative time.
"""

from __future__ import annotations

import asyncio
import cProfile
from http import HTTPStatus
import io
import math
import pstats
import time
from typing import Any

from aiohttp import web
from homeassistant.components.http import KEY_HASS_USER, HomeAssistantView
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
import homeassistant.helpers.config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "loop_probe"
INTERVAL_S = 0.05
MAX_SAMPLES = 200_000  # about 2.8 hours at 20 samples a second
MAX_PROFILE_S = 120.0

CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, math.floor(len(ordered) * fraction))]


class LoopProbe:
    """Measures the lag of a repeating ``call_later`` on the running loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float = INTERVAL_S) -> None:
        self._loop = loop
        self.interval = interval
        self._samples: list[float] = []
        self._since = time.monotonic()
        self._due = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._due = self._loop.time() + self.interval
        self._handle = self._loop.call_later(self.interval, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        now = self._loop.time()
        if len(self._samples) < MAX_SAMPLES:
            self._samples.append(max(0.0, now - self._due))
        self._due = now + self.interval
        self._handle = self._loop.call_later(self.interval, self._tick)

    def reset(self) -> None:
        self._samples = []
        self._since = time.monotonic()

    def stats(self) -> dict[str, Any]:
        ordered = sorted(value * 1000 for value in self._samples)
        found: dict[str, Any] = {
            "samples": len(ordered),
            "interval_ms": self.interval * 1000,
            "since_s": round(time.monotonic() - self._since, 3),
        }
        if ordered:
            found |= {
                "p50_ms": round(_percentile(ordered, 0.5), 3),
                "p99_ms": round(_percentile(ordered, 0.99), 3),
                "max_ms": round(ordered[-1], 3),
                "mean_ms": round(sum(ordered) / len(ordered), 3),
                "over_20ms": sum(1 for value in ordered if value > 20),
                "over_100ms": sum(1 for value in ordered if value > 100),
            }
        return found


class LoopProbeView(HomeAssistantView):
    url = "/api/loop_probe"
    name = "api:loop_probe"
    requires_auth = True

    def __init__(self, probe: LoopProbe) -> None:
        self._probe = probe

    async def get(self, request: web.Request) -> web.Response:
        found = self._probe.stats()
        if request.query.get("reset") in ("1", "true"):
            self._probe.reset()
        return self.json(found)


class LoopProbeResetView(HomeAssistantView):
    url = "/api/loop_probe/reset"
    name = "api:loop_probe:reset"
    requires_auth = True

    def __init__(self, probe: LoopProbe) -> None:
        self._probe = probe

    async def post(self, request: web.Request) -> web.Response:
        self._probe.reset()
        return self.json({"reset": True})


class LoopProbeProfileView(HomeAssistantView):
    url = "/api/loop_probe/profile"
    name = "api:loop_probe:profile"
    requires_auth = True

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def post(self, request: web.Request) -> web.Response:
        if not request[KEY_HASS_USER].is_admin:
            return self.json_message("admin only", HTTPStatus.FORBIDDEN)
        try:
            body = await request.json() if request.can_read_body else {}
            seconds = float(body.get("seconds", 10.0))
            top = int(body.get("top", 40))
        except ValueError, TypeError, AttributeError:
            return self.json_message("body: {seconds: number, top: int}", HTTPStatus.BAD_REQUEST)
        if not 0 < seconds <= MAX_PROFILE_S or top < 1:
            return self.json_message(
                f"seconds must be in (0, {MAX_PROFILE_S}], top >= 1", HTTPStatus.BAD_REQUEST
            )
        if self._lock.locked():
            return self.json_message("a profile is already running", HTTPStatus.CONFLICT)
        async with self._lock:
            profile = cProfile.Profile()
            profile.enable()
            try:
                await asyncio.sleep(seconds)
            finally:
                profile.disable()
        tables = {}
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(key).print_stats(top)
            tables[key] = out.getvalue()
        return self.json({"seconds": seconds, **tables})


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    probe = LoopProbe(hass.loop)
    probe.start()
    hass.http.register_view(LoopProbeView(probe))
    hass.http.register_view(LoopProbeResetView(probe))
    hass.http.register_view(LoopProbeProfileView())

    @callback
    def _stop(_event: Event) -> None:
        probe.stop()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return True
