"""A paho-mqtt client driven by the asyncio event loop (no network thread).

Paho's socket is registered with ``loop.add_reader`` / ``loop.add_writer`` and its housekeeping
(keepalive pings, retries) runs from a small task calling ``loop_misc``; so twenty simulated
printers cost twenty sockets, not twenty threads. ``MqttLink.run`` keeps the link up: after
a disconnect (the broker was killed, say) it reconnects with backoff, with a fresh client id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import itertools
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

KEEPALIVE_S = 30
RECONNECT_DELAYS_S = (0.1, 0.25, 0.5, 1.0, 2.0)
_MISC_INTERVAL_S = 1.0

MessageHandler = Callable[[str, bytes], None]


class MqttLink:
    """A client of one broker's Unix-socket listener; calls ``on_message(topic, payload)``."""

    def __init__(
        self,
        *,
        socket_path: Path,
        username: str,
        password: str,
        client_id: str,
        subscriptions: list[str],
        on_message: MessageHandler,
        on_connect: Callable[[], None] | None = None,
    ) -> None:
        self._socket_path = socket_path
        self._username = username
        self._password = password
        self._client_id = client_id
        self._subscriptions = subscriptions
        self._on_message = on_message
        self._on_connect = on_connect
        self._client: mqtt.Client | None = None
        self._misc_task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._attempts = itertools.count(1)
        self.published = 0
        self.last_error: str | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def publish(self, topic: str, payload: str | bytes, qos: int = 0) -> bool:
        """Queue a message; ``False`` when not connected (the message is lost, as on a printer)."""
        if self._client is None or not self.connected:
            return False
        info = self._client.publish(topic, payload, qos=qos)
        if info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
            self.published += 1
            return True
        return False

    async def wait_connected(self, timeout: float) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def run(self) -> None:
        """Stay connected until cancelled."""
        failures = 0
        try:
            while True:
                closed = await self._connect_once()
                if closed is None:
                    failures += 1
                else:
                    failures = 0
                    await closed.wait()
                delay = RECONNECT_DELAYS_S[min(failures, len(RECONNECT_DELAYS_S) - 1)]
                await asyncio.sleep(delay)
        finally:
            self._teardown()

    # -- one connection ----------------------------------------------------------------------------
    async def _connect_once(self) -> asyncio.Event | None:
        """Connect; the returned event is set when this connection ends (``None``: it failed)."""
        loop = asyncio.get_running_loop()
        closed = asyncio.Event()
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"{self._client_id}-{next(self._attempts)}",
            transport="unix",
            protocol=mqtt.MQTTv311,
        )
        client.username_pw_set(self._username, self._password)

        def on_socket_open(_c: mqtt.Client, _u: Any, sock: Any) -> None:
            loop.add_reader(sock, client.loop_read)
            self._misc_task = loop.create_task(self._misc_loop(client))

        def on_socket_close(_c: mqtt.Client, _u: Any, sock: Any) -> None:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(sock)
                loop.remove_writer(sock)
            if self._misc_task is not None:
                self._misc_task.cancel()
            self._connected.clear()
            closed.set()

        def on_register_write(_c: mqtt.Client, _u: Any, sock: Any) -> None:
            loop.add_writer(sock, client.loop_write)

        def on_unregister_write(_c: mqtt.Client, _u: Any, sock: Any) -> None:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_writer(sock)

        def on_connect(_c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
            if reason.is_failure:
                self.last_error = f"CONNACK: {reason}"
                client.disconnect()
                return
            for topic in self._subscriptions:
                client.subscribe(topic, qos=1)
            self._connected.set()
            if self._on_connect is not None:
                self._on_connect()

        def on_message(_c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
            self._on_message(message.topic, message.payload)

        client.on_socket_open = on_socket_open
        client.on_socket_close = on_socket_close
        client.on_socket_register_write = on_register_write
        client.on_socket_unregister_write = on_unregister_write
        client.on_connect = on_connect
        client.on_message = on_message
        try:
            # The port is ignored by the "unix" transport, but paho validates it.
            client.connect(str(self._socket_path), port=1883, keepalive=KEEPALIVE_S)
        except OSError as err:
            self.last_error = f"connect: {err!r}"
            return None
        self._client = client
        return closed

    async def _misc_loop(self, client: mqtt.Client) -> None:
        while True:
            if client.loop_misc() != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return
            await asyncio.sleep(_MISC_INTERVAL_S)

    def _teardown(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.disconnect()
            sock = client.socket()
            if sock is not None:
                loop = asyncio.get_running_loop()
                with contextlib.suppress(ValueError, OSError):
                    loop.remove_reader(sock)
                    loop.remove_writer(sock)
                with contextlib.suppress(OSError):
                    sock.close()
        if self._misc_task is not None:
            self._misc_task.cancel()
        self._connected.clear()
