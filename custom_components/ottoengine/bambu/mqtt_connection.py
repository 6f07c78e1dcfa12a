"""One MQTT session run by paho-mqtt on the asyncio event loop, without threads.

paho's socket is driven by the loop: ``add_reader`` feeds ``loop_read``, ``add_writer`` (only
while paho has queued output) feeds ``loop_write`` and a timer calls ``loop_misc`` for
keepalive. The TLS socket is connected beforehand on the loop (see :mod:`.async_tls`) and
handed to paho, so nothing blocks. One :class:`MqttConnection` is one connection with one
client id; reconnecting means a new instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import ssl
from typing import Any

from paho.mqtt import client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.reasoncodes import ReasonCode

from .errors import BambuConnectionError

_LOGGER = logging.getLogger(__name__)

# MQTT 3.1.1 CONNACK 4/5 and their MQTT 5 reason codes 134/135: wrong user name or password.
AUTH_FAILURE_CODES = frozenset({4, 5, 134, 135})

OnConnected = Callable[[int], None]  # CONNACK return code (0 = accepted)
OnMessage = Callable[[str, bytes], None]
OnClosed = Callable[[], None]


class _PreconnectedClient(paho.Client):
    """A paho client that uses an already connected TLS socket instead of opening one."""

    def __init__(self, sock: ssl.SSLSocket, client_id: str) -> None:
        super().__init__(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=True,
            protocol=paho.MQTTv311,
        )
        self._prepared_socket: ssl.SSLSocket | None = sock

    def _create_socket(self) -> ssl.SSLSocket:
        sock, self._prepared_socket = self._prepared_socket, None
        if sock is None:
            raise ConnectionError("an MqttConnection connects only once")
        return sock


class MqttConnection:
    """A connected MQTT 3.1.1 session over an established TLS socket."""

    def __init__(
        self,
        sock: ssl.SSLSocket,
        *,
        client_id: str,
        username: str,
        password: str,
        on_connected: OnConnected,
        on_message: OnMessage,
        on_closed: OnClosed,
        misc_interval: float = 1.0,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._sock = sock
        self._on_connected = on_connected
        self._on_message_cb = on_message
        self._on_closed = on_closed
        self._misc_interval = misc_interval
        self._misc_handle: asyncio.TimerHandle | None = None
        self._reading = False
        self._writing = False
        self._closed = False
        self._pending: dict[int, asyncio.Future[None]] = {}
        client = _PreconnectedClient(sock, client_id)
        client.username_pw_set(username, password)
        client.on_socket_open = self._socket_open
        client.on_socket_close = self._socket_close
        client.on_socket_register_write = self._register_write
        client.on_socket_unregister_write = self._unregister_write
        client.on_connect = self._connect_callback
        client.on_message = self._message_callback
        client.on_publish = self._publish_callback
        client.on_subscribe = self._subscribe_callback
        client.on_disconnect = self._disconnect_callback
        self._client = client

    @property
    def closed(self) -> bool:
        """Whether the session has ended (by either side)."""
        return self._closed

    def start(self, host: str, port: int, keepalive: int) -> None:
        """Queue the MQTT CONNECT; ``on_connected`` reports the CONNACK."""
        self._client.connect(host, port, keepalive)
        self._misc_handle = self._loop.call_later(self._misc_interval, self._misc)

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> asyncio.Future[None]:
        """Publish; the future completes on PUBACK (QoS 1) or once written (QoS 0)."""
        info = self._client.publish(topic, payload, qos=qos)
        return self._track(info.rc, info.mid)

    def subscribe(self, topic: str, qos: int = 1) -> asyncio.Future[None]:
        """Subscribe; the future completes on SUBACK."""
        rc, mid = self._client.subscribe(topic, qos=qos)
        return self._track(rc, mid)

    def close(self) -> None:
        """Send DISCONNECT if possible and release the socket, timers and pending futures."""
        if self._closed:
            return
        client = self._client
        if client.socket() is not None:
            client.disconnect()
            client.loop_write()  # paho closes the socket once DISCONNECT is written
            if client.socket() is not None:
                client._sock_close()  # the peer is not reading: drop the socket
        self._finish()

    def _track(self, rc: MQTTErrorCode | int, mid: int | None) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self._loop.create_future()
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            future.set_exception(BambuConnectionError(f"MQTT request failed: {rc}"))
        elif self._closed:
            future.set_exception(BambuConnectionError("MQTT connection closed"))
        else:
            self._pending[mid] = future
        return future

    def _resolve(self, mid: int) -> None:
        future = self._pending.pop(mid, None)
        if future is not None and not future.done():
            future.set_result(None)

    def _finish(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._misc_handle is not None:
            self._misc_handle.cancel()
            self._misc_handle = None
        self._unwatch()
        if self._sock.fileno() >= 0:
            self._sock.close()
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(BambuConnectionError("MQTT connection closed"))
                future.exception()  # retrieved: callers may have stopped waiting
        self._on_closed()

    def _unwatch(self) -> None:
        fd = self._sock.fileno()
        if self._reading and fd >= 0:
            self._loop.remove_reader(fd)
        if self._writing and fd >= 0:
            self._loop.remove_writer(fd)
        self._reading = self._writing = False

    # -- event-loop plumbing -----------------------------------------------------------------
    def _readable(self) -> None:
        client = self._client
        client.loop_read()
        # TLS may hold decrypted bytes the selector cannot see: drain them now.
        while client.socket() is self._sock and self._sock.pending() > 0:
            client.loop_read()

    def _writable(self) -> None:
        self._client.loop_write()

    def _misc(self) -> None:
        self._misc_handle = None
        if self._closed:
            return
        self._client.loop_misc()
        if not self._closed:
            self._misc_handle = self._loop.call_later(self._misc_interval, self._misc)

    # -- paho callbacks (all run on the loop thread) -------------------------------------------
    def _socket_open(self, _client: paho.Client, _userdata: Any, sock: Any) -> None:
        self._loop.add_reader(sock.fileno(), self._readable)
        self._reading = True

    def _socket_close(self, _client: paho.Client, _userdata: Any, _sock: Any) -> None:
        self._unwatch()

    def _register_write(self, _client: paho.Client, _userdata: Any, sock: Any) -> None:
        if not self._writing:
            self._loop.add_writer(sock.fileno(), self._writable)
            self._writing = True

    def _unregister_write(self, _client: paho.Client, _userdata: Any, sock: Any) -> None:
        if self._writing:
            fd = sock.fileno()
            if fd >= 0:
                self._loop.remove_writer(fd)
            self._writing = False

    def _connect_callback(
        self,
        _client: paho.Client,
        _userdata: Any,
        _flags: Any,
        reason: ReasonCode,
        _properties: Any,
    ) -> None:
        self._on_connected(int(reason.value))

    def _message_callback(self, _client: paho.Client, _userdata: Any, msg: Any) -> None:
        self._on_message_cb(msg.topic, msg.payload)

    def _publish_callback(
        self, _client: paho.Client, _userdata: Any, mid: int, _reason: Any, _props: Any
    ) -> None:
        self._resolve(mid)

    def _subscribe_callback(
        self, _client: paho.Client, _userdata: Any, mid: int, _reasons: Any, _props: Any
    ) -> None:
        self._resolve(mid)

    def _disconnect_callback(
        self, _client: paho.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        _LOGGER.debug("MQTT session %s ended: %s", self._client._client_id, reason)
        self._finish()
