"""Live OttoEject status over Moonraker's websocket, with polling while it is down."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
import itertools
import json
import logging
from typing import Any

import aiohttp

from .client import STATUS_OBJECTS, MoonrakerClient, snapshot_from_objects
from .envelope import unwrap_jsonrpc
from .errors import MoonrakerAuthError, MoonrakerClientError
from .status import OFFLINE_SNAPSHOT, EjectorSnapshot, EjectorStatus

_LOGGER = logging.getLogger(__name__)

CLIENT_NAME = "ottoengine"
CLIENT_VERSION = "0.1.0"
CALL_TIMEOUT = 10.0


class _StreamLost(Exception):
    """The websocket closed or stopped answering."""


class MoonrakerStatusStream:
    """Keeps ``snapshot`` current and calls ``on_change(snapshot)`` when the status changes.

    Over the websocket: ``server.connection.identify``, ``server.info``, then (Klippy ready)
    ``printer.objects.subscribe`` for webhooks/idle_timeout/print_stats; ``notify_status_update``
    is merged in; ``notify_klippy_shutdown``/``notify_klippy_disconnected`` are applied and the
    subscription is renewed after ``notify_klippy_ready``. While Klippy is not ready, or when the
    socket has been quiet for ``poll_interval``, ``server.info`` is asked again. When the
    websocket is down the status is polled over HTTP every ``poll_interval`` while reconnecting
    with exponential backoff (``reconnect_min`` .. ``reconnect_max``). Only one websocket is
    ever open; ``stop()`` closes it and ends every task.

    A Klipper printer follows more objects: ``objects`` are subscribed to (and queried while
    polling) besides the robot's three, ``objects`` (the property) is their merged status, and
    ``on_update()`` is called after every change of any field or of the connection.
    """

    def __init__(
        self,
        client: MoonrakerClient,
        on_change: Callable[[EjectorSnapshot], None] | None = None,
        *,
        poll_interval: float = 2.0,
        reconnect_min: float = 0.5,
        reconnect_max: float = 30.0,
        objects: Mapping[str, list[str] | None] | None = None,
        on_update: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self._on_change = on_change
        # What to subscribe to: the OttoEject's three objects, or (a Klipper printer) more.
        self._subscribed: dict[str, list[str] | None] = dict(STATUS_OBJECTS)
        for name, fields in (objects or {}).items():
            self._subscribed[name] = None if fields is None else list(fields)
        self._extra_objects = objects is not None
        self._on_update = on_update
        self.poll_interval = poll_interval
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self._snapshot = OFFLINE_SNAPSHOT
        self._known = False  # a poll or the websocket has told something (else: placeholder)
        self._objects: dict[str, dict[str, Any]] = {}
        self._klippy_connected = False
        self._klippy_state: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._remove_listener: Callable[[], None] | None = None
        self.connects = 0  # websocket connections opened so far

    @property
    def snapshot(self) -> EjectorSnapshot:
        return self._snapshot

    @property
    def status(self) -> EjectorStatus:
        return self._snapshot.status

    @property
    def objects(self) -> Mapping[str, Mapping[str, Any]]:
        """The merged status of the subscribed objects (empty while Klippy is not ready)."""
        return self._objects

    @property
    def websocket_connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def start(self) -> None:
        """Start following the robot (returns at once; the first status arrives shortly)."""
        if self._task is not None:
            return
        self._remove_listener = self._client.add_outstanding_listener(self._recompute)
        self._task = asyncio.create_task(self._run(), name=f"moonraker-stream-{self._client.host}")

    async def stop(self) -> None:
        """Stop: the websocket is closed and no task is left."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None

    # -- main loop -----------------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = self.reconnect_min
        while True:
            try:
                await self._follow_websocket()
                backoff = self.reconnect_min
            except MoonrakerAuthError as err:
                _LOGGER.warning("%s: websocket refused: %s", self._client.base_url, err)
            except (aiohttp.ClientError, OSError, TimeoutError, _StreamLost) as err:
                _LOGGER.debug("%s: websocket down: %s", self._client.base_url, err)
            except MoonrakerClientError as err:
                _LOGGER.debug("%s: websocket call failed: %s", self._client.base_url, err)
            if self._ws is not None:
                await self._ws.close()
                self._ws = None
            await self._poll_for(backoff)
            backoff = min(backoff * 2, self.reconnect_max)

    async def _poll_for(self, duration: float) -> None:
        """HTTP polling while the websocket is down (at least one poll)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration
        while True:
            objects: dict[str, dict[str, Any]] = {}
            try:
                snapshot = await self._client.fetch_snapshot()
                if self._extra_objects and snapshot.klippy_state == "ready":
                    queried = await self._client.objects_query(self._subscribed)
                    objects = {name: dict(fields) for name, fields in queried.items()}
            except MoonrakerClientError:
                snapshot = OFFLINE_SNAPSHOT
            self._klippy_connected = snapshot.klippy_connected
            self._klippy_state = snapshot.klippy_state
            self._objects = objects
            self._publish(snapshot)
            self._updated()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(self.poll_interval, remaining))

    async def _follow_websocket(self) -> None:
        # The handshake has a bound of its own: a Moonraker that accepts the connection but never
        # answers the upgrade (starting, stopping, wedged) must not hold the stream for the
        # session's default timeout (minutes), with no polling meanwhile.
        async with asyncio.timeout(CALL_TIMEOUT):
            self._ws = await self._client.session.ws_connect(
                self._client.websocket_url,
                headers=self._client.headers,
                timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
                autoping=True,
            )
        self.connects += 1
        identify: dict[str, Any] = {
            "client_name": CLIENT_NAME,
            "version": CLIENT_VERSION,
            "type": "other",
            "url": "https://github.com/ottoengine",
        }
        if self._client.api_key:
            identify["api_key"] = self._client.api_key
        await self._call("server.connection.identify", identify)
        await self._refresh_server_info()
        while True:
            try:
                message = await self._receive(self.poll_interval)
            except TimeoutError:
                await self._refresh_server_info()  # liveness check, and startup -> ready/error
                continue
            await self._handle_notification(message)

    # -- JSON-RPC ------------------------------------------------------------------------------
    async def _receive(self, timeout: float) -> dict[str, Any]:
        ws = self._ws
        if ws is None:
            raise _StreamLost("no websocket")
        message = await ws.receive(timeout=timeout)
        if message.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}:
            raise _StreamLost("websocket closed")
        if message.type == aiohttp.WSMsgType.ERROR:
            raise _StreamLost(f"websocket error: {ws.exception()}")
        if message.type != aiohttp.WSMsgType.TEXT:
            return {}
        decoded = json.loads(message.data)
        return decoded if isinstance(decoded, dict) else {}

    async def _call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """A JSON-RPC call; notifications arriving meanwhile are handled in order."""
        ws = self._ws
        if ws is None:
            raise _StreamLost("no websocket")
        request_id = next(self._ids)
        request: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": request_id}
        if params is not None:
            request["params"] = params
        await ws.send_str(json.dumps(request))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CALL_TIMEOUT
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise _StreamLost(f"no answer to {method}")
            message = await self._receive(remaining)
            if message.get("id") == request_id:
                return unwrap_jsonrpc(message)
            await self._handle_notification(message)

    async def _refresh_server_info(self) -> None:
        info = await self._call("server.info")
        was_ready = self._klippy_connected and self._klippy_state == "ready"
        self._klippy_connected = bool(info.get("klippy_connected"))
        self._klippy_state = str(info.get("klippy_state") or "") or None
        is_ready = self._klippy_connected and self._klippy_state == "ready"
        if is_ready and (not was_ready or not self._objects):
            await self._subscribe()
        elif not is_ready:
            self._objects = {}
        self._recompute()

    async def _subscribe(self) -> None:
        result = await self._call("printer.objects.subscribe", {"objects": self._subscribed})
        self._objects = {
            name: dict(fields) for name, fields in (result.get("status") or {}).items()
        }
        self._recompute()

    async def _handle_notification(self, message: Mapping[str, Any]) -> None:
        method = message.get("method")
        if method == "notify_status_update":
            params = message.get("params") or [{}]
            for name, fields in (params[0] or {}).items():
                _deep_merge(self._objects.setdefault(name, {}), fields)
            webhooks_state = self._objects.get("webhooks", {}).get("state")
            if webhooks_state:
                self._klippy_state = str(webhooks_state)
            self._recompute()
        elif method == "notify_klippy_ready":
            self._klippy_connected, self._klippy_state = True, "ready"
            await self._subscribe()  # subscriptions are dropped on every Klippy restart
        elif method == "notify_klippy_shutdown":
            self._klippy_state = "shutdown"
            self._recompute()
        elif method == "notify_klippy_disconnected":
            self._klippy_connected, self._klippy_state = False, "disconnected"
            self._objects = {}
            self._recompute()

    # -- status --------------------------------------------------------------------------------
    def _recompute(self) -> None:
        if self._task is None:
            return
        if not self.websocket_connected:
            if not self._known:
                return  # nothing known yet: do not publish the placeholder as OFFLINE
            snapshot = EjectorSnapshot(
                reachable=self._snapshot.reachable,
                klippy_connected=self._snapshot.klippy_connected,
                klippy_state=self._snapshot.klippy_state,
                state_message=self._snapshot.state_message,
                idle_timeout_state=self._snapshot.idle_timeout_state,
                print_stats_state=self._snapshot.print_stats_state,
                macro_outstanding=self._client.macro_outstanding,
            )
        elif self._objects and self._klippy_connected:
            base = snapshot_from_objects(
                self._objects, macro_outstanding=self._client.macro_outstanding
            )
            snapshot = EjectorSnapshot(
                reachable=True,
                klippy_connected=True,
                klippy_state=self._klippy_state,
                state_message=base.state_message,
                idle_timeout_state=base.idle_timeout_state,
                print_stats_state=base.print_stats_state,
                macro_outstanding=base.macro_outstanding,
            )
        else:
            snapshot = EjectorSnapshot(
                reachable=True,
                klippy_connected=self._klippy_connected,
                klippy_state=self._klippy_state,
                macro_outstanding=self._client.macro_outstanding,
            )
        self._publish(snapshot)
        self._updated()

    def _publish(self, snapshot: EjectorSnapshot) -> None:
        self._known = True
        previous, self._snapshot = self._snapshot, snapshot
        if snapshot != previous and self._on_change is not None:
            self._on_change(snapshot)

    def _updated(self) -> None:
        """Tell ``on_update`` that the objects or the connection changed (any field)."""
        if self._on_update is not None and self._task is not None:
            self._on_update()


def _deep_merge(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value
