"""Bambu Lab printer client: one MQTT-over-TLS connection per printer, on the asyncio loop.

The client keeps the printer's merged report state, reconnects with capped exponential backoff,
watches for silent stalls, and sends commands. Every printer of the farm shares the event loop:
there is no thread per printer, only a supervisor task, a reader/writer registration and a
keepalive timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
import contextlib
import itertools
import json
import logging
import secrets
import ssl
import time
from typing import Any

from . import commands
from .async_tls import open_tls_socket
from .errors import (
    AuthorizationFirmwareError,
    BambuAuthError,
    BambuCommandError,
    BambuConnectionError,
    BambuError,
    CertificateMismatchError,
    PrinterBusyError,
    SerialMismatchError,
)
from .merge import merge_report
from .mqtt_connection import AUTH_FAILURE_CODES, MqttConnection
from .replies import reply_error, reports_authorization_block
from .settings import MQTT_USERNAME, ConnectionSettings
from .status import BUSY_STATES, STARTABLE_STATES, PrinterStatus, signing_required
from .tls import client_context, normalize_fingerprint, verify_peer

_LOGGER = logging.getLogger(__name__)

StatusListener = Callable[[PrinterStatus], None]
ErrorListener = Callable[[BambuError], None]

# Errors that retrying cannot fix: the user must act (new access code, check the printer).
FATAL_ERRORS = (BambuAuthError, SerialMismatchError, CertificateMismatchError)


class BambuPrinterClient:
    """A connection to one Bambu Lab printer's LAN MQTT broker.

    ``pinned_fingerprint`` is the SHA-256 of the certificate trusted on first use; with
    ``None`` any certificate whose CN is ``serial`` is accepted and :meth:`connect` returns its
    fingerprint for the caller to store. ``model`` (name or code) selects the project_file URL
    form and model-specific quirks.
    """

    def __init__(
        self,
        host: str,
        serial: str,
        access_code: str,
        *,
        pinned_fingerprint: str | None = None,
        model: str | None = None,
        settings: ConnectionSettings | None = None,
    ) -> None:
        self.host = host
        self.serial = serial
        self.model = model
        self._access_code = access_code
        self._settings = settings or ConnectionSettings()
        self._fingerprint = (
            normalize_fingerprint(pinned_fingerprint) if pinned_fingerprint else None
        )
        self._context: ssl.SSLContext = client_context()
        self._report_topic = f"device/{serial}/report"
        self._request_topic = f"device/{serial}/request"
        self._sequence = itertools.count(1)

        self._state: dict[str, Any] = {}
        self._version: dict[str, Any] = {}
        self._status_listeners: list[StatusListener] = []
        self._error_listeners: list[ErrorListener] = []
        self._replies: dict[tuple[str, str], tuple[str, asyncio.Future[dict[str, Any]]]] = {}

        self._connection: MqttConnection | None = None
        self._session_ended: asyncio.Event | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._first_result: asyncio.Future[str] | None = None
        self._stopping = False
        self._ready = asyncio.Event()
        self._got_version = False
        self._got_full_report = False
        self._available = False
        self._last_message = 0.0
        self._resync_sent = False
        self._last_forced_reconnect = -float("inf")
        self._authorization_rejected = False
        self._last_error: BambuError | None = None

    # -- public state ------------------------------------------------------------------------
    @property
    def state(self) -> Mapping[str, Any]:
        """The merged ``print`` report object (read-only view; do not mutate)."""
        return self._state

    @property
    def version_info(self) -> Mapping[str, Any]:
        """The last ``get_version`` reply (``{"module": [...], ...}``)."""
        return self._version

    @property
    def firmware_version(self) -> str | None:
        """Firmware version from the ``ota`` module of ``get_version``."""
        return self._module_field("ota", "sw_ver")

    @property
    def product_name(self) -> str | None:
        """Model as the printer names it, e.g. ``"Bambu Lab P1S"``."""
        return self._module_field("ota", "product_name")

    @property
    def status(self) -> PrinterStatus:
        """The normalised status (``OFFLINE`` while not available)."""
        return PrinterStatus.from_report(self._state, online=self._available)

    @property
    def connected(self) -> bool:
        """Whether an MQTT session is established and subscribed."""
        return self._session_ended is not None and not self._session_ended.is_set()

    @property
    def available(self) -> bool:
        """Connected and the printer has reported recently (not silent)."""
        return self._available

    @property
    def ready(self) -> bool:
        """Both a ``get_version`` reply and a full report arrived on this session."""
        return self._ready.is_set()

    @property
    def certificate_fingerprint(self) -> str | None:
        """SHA-256 of the printer's certificate (pinned or first seen), lower-case hex."""
        return self._fingerprint

    @property
    def last_error(self) -> BambuError | None:
        """The last connection or command error reported asynchronously."""
        return self._last_error

    @property
    def authorization_blocked(self) -> bool:
        """Whether the printer requires signed commands (Authorization Control firmware)."""
        return (
            self._authorization_rejected
            or reports_authorization_block(self._state)
            # Read from the state alone: the coordinator asks after every report, and a whole
            # PrinterStatus costs as much again as the one each report already builds.
            or signing_required(self._state) is True
        )

    def add_status_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Call ``listener(status)`` on every state or availability change; returns a remover."""
        self._status_listeners.append(listener)
        return lambda: self._status_listeners.remove(listener)

    def add_error_listener(self, listener: ErrorListener) -> Callable[[], None]:
        """Call ``listener(error)`` for asynchronous errors (auth, certificate, rejections)."""
        self._error_listeners.append(listener)
        return lambda: self._error_listeners.remove(listener)

    # -- lifecycle ---------------------------------------------------------------------------
    async def connect(self) -> str:
        """Connect now, raising on failure; then keep the connection up in the background.

        Returns the certificate fingerprint (store it to pin the printer). Raises
        :class:`BambuConnectionError`, :class:`BambuAuthError`, :class:`SerialMismatchError` or
        :class:`CertificateMismatchError`.
        """
        first = self._begin(raise_first=True)
        try:
            return await first
        except BaseException:
            await self._stop_supervisor()
            raise

    def start(self) -> None:
        """Connect in the background, retrying with backoff until :meth:`close`.

        Fatal errors (access code, serial or certificate mismatch) stop the retries and are
        reported to the error listeners and :attr:`last_error`.
        """
        first = self._begin(raise_first=False)
        first.add_done_callback(lambda f: f.cancelled() or f.exception())

    async def wait_ready(self, timeout: float) -> None:
        """Wait until the printer has sent its version and a full report."""
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError as err:
            raise BambuConnectionError(f"{self.serial}: no full report within {timeout}s") from err

    async def close(self) -> None:
        """Disconnect and stop every task, timer and socket of this client."""
        self._stopping = True
        await self._stop_supervisor()
        self._settle_first(BambuConnectionError(f"{self.serial}: client closed"))
        self._drop_connection()
        self._fail_replies(BambuConnectionError("client closed"))
        self._set_available(False)

    async def __aenter__(self) -> BambuPrinterClient:
        await self.connect()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- commands ----------------------------------------------------------------------------
    async def pause(self, *, reply_timeout: float | None = None) -> dict[str, Any] | None:
        """Pause the print. With ``reply_timeout`` wait for (and check) the printer's reply."""
        return await self._send(commands.pause(), control=True, reply_timeout=reply_timeout)

    async def resume(self, *, reply_timeout: float | None = None) -> dict[str, Any] | None:
        """Resume a paused print."""
        return await self._send(commands.resume(), control=True, reply_timeout=reply_timeout)

    async def stop(self, *, reply_timeout: float | None = None) -> dict[str, Any] | None:
        """Stop (cancel) the print."""
        return await self._send(commands.stop(), control=True, reply_timeout=reply_timeout)

    async def send_gcode(
        self, gcode: str | Sequence[str], *, reply_timeout: float | None = None
    ) -> dict[str, Any] | None:
        """Run G-code lines (a list, or one string with ``\\n`` or escaped ``\\\\n``)."""
        request = commands.gcode_line(gcode)
        return await self._send(request, control=True, reply_timeout=reply_timeout)

    async def start_project_file(
        self,
        filename: str,
        *,
        plate: int = 1,
        use_ams: bool | None = None,
        ams_mapping: Sequence[int] | None = None,
        bed_leveling: bool = True,
        flow_cali: bool = False,
        vibration_cali: bool = True,
        layer_inspect: bool = False,
        timelapse: bool = False,
        bed_type: str = "auto",
        md5: str = "",
        subtask_name: str | None = None,
        url_scheme: commands.UrlScheme | None = None,
        job_ids: commands.JobIds | None = None,
        reply_timeout: float | None = None,
    ) -> dict[str, Any] | None:
        """Start a ``.gcode.3mf`` already uploaded to the printer (see :func:`commands.project_file`).

        ``use_ams`` defaults to whether the printer reports an AMS; ``url_scheme`` to the form
        the model expects. Raises :class:`PrinterBusyError` unless the printer is idle,
        finished or failed.
        """
        self._ensure_startable()
        request = commands.project_file(
            filename,
            plate=plate,
            use_ams=self._has_ams() if use_ams is None else use_ams,
            ams_mapping=ams_mapping,
            bed_leveling=bed_leveling,
            flow_cali=flow_cali,
            vibration_cali=vibration_cali,
            layer_inspect=layer_inspect,
            timelapse=timelapse,
            bed_type=bed_type,
            md5=md5,
            subtask_name=subtask_name,
            url_scheme=url_scheme or commands.url_scheme_for_model(self._model_name()),
            model=self._model_name(),
            job_ids=job_ids,
        )
        return await self._send(request, control=True, reply_timeout=reply_timeout)

    async def start_gcode_file(
        self, filename: str, *, reply_timeout: float | None = None
    ) -> dict[str, Any] | None:
        """Print a plain ``.gcode`` file from the SD card (refused while busy)."""
        self._ensure_startable()
        request = commands.gcode_file(filename)
        return await self._send(request, control=True, reply_timeout=reply_timeout)

    async def set_light(
        self, node: commands.LightNode, mode: commands.LightMode
    ) -> dict[str, Any] | None:
        """Switch a light (works even on Authorization Control firmware)."""
        return await self._send(commands.led_control(node, mode), control=False)

    async def send_request(
        self, request: dict[str, Any], *, reply_timeout: float | None = None
    ) -> dict[str, Any] | None:
        """Send a control request built by ``printer_actions`` (refused on locked firmware)."""
        return await self._send(request, control=True, reply_timeout=reply_timeout)

    async def set_print_speed(
        self, level: int, *, reply_timeout: float | None = None
    ) -> dict[str, Any] | None:
        """Set the speed level 1-4 (silent, standard, sport, ludicrous) of the print."""
        request = commands.print_speed(level)
        return await self._send(request, control=True, reply_timeout=reply_timeout)

    async def request_full_status(self) -> None:
        """Ask for a full report (``pushall``); use sparingly, P1P lags if sent often."""
        await self._send(commands.pushall(), control=False)

    # -- supervisor --------------------------------------------------------------------------
    def _begin(self, *, raise_first: bool) -> asyncio.Future[str]:
        if self._supervisor is not None:
            raise RuntimeError(f"{self.serial}: client already started")
        self._stopping = False
        loop = asyncio.get_running_loop()
        self._first_result = first = loop.create_future()
        self._supervisor = loop.create_task(
            self._supervise(raise_first=raise_first), name=f"bambu-{self.serial}"
        )
        return first

    async def _stop_supervisor(self) -> None:
        task, self._supervisor = self._supervisor, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _supervise(self, *, raise_first: bool) -> None:
        failures = 0
        while not self._stopping:
            try:
                await self._open_session()
            except Exception as unexpected:
                err = (
                    unexpected
                    if isinstance(unexpected, BambuError)
                    else BambuConnectionError(f"{self.serial}: {unexpected!r}")
                )
                if not isinstance(unexpected, BambuError):
                    _LOGGER.exception("%s: unexpected connection failure", self.serial)
                self._report_error(err)
                if raise_first or isinstance(err, FATAL_ERRORS):
                    self._settle_first(err)
                    self._supervisor = None
                    return
                failures += 1
                delay = self._settings.backoff(failures)
                _LOGGER.debug("%s: %s; retrying in %.1fs", self.serial, err, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            raise_first = False
            self._settle_first(None)
            forced = await self._watch_session()
            if not forced and not self._stopping:
                failures = 1
                await asyncio.sleep(self._settings.backoff(failures))

    def _settle_first(self, error: BambuError | None) -> None:
        first, self._first_result = self._first_result, None
        if first is None or first.done():
            return
        if error is None:
            first.set_result(self._fingerprint or "")
        else:
            first.set_exception(error)

    async def _open_session(self) -> None:
        """Connect, verify the certificate, log in, subscribe and request a full report."""
        settings = self._settings
        try:
            sock = await open_tls_socket(
                self.host, settings.port, self._context, timeout=settings.connect_timeout
            )
        except TimeoutError as err:
            raise BambuConnectionError(f"{self.host}: connection timed out") from err
        except OSError as err:  # ssl.SSLError is an OSError
            raise BambuConnectionError(f"{self.host}: {err}") from err
        try:
            self._fingerprint = verify_peer(
                sock, serial=self.serial, pinned_fingerprint=self._fingerprint
            )
        except BaseException:
            sock.close()
            raise

        loop = asyncio.get_running_loop()
        connack: asyncio.Future[int] = loop.create_future()
        ended = asyncio.Event()

        def on_connected(code: int) -> None:
            if not connack.done():
                connack.set_result(code)

        def on_closed() -> None:
            ended.set()
            if not connack.done():
                connack.set_exception(BambuConnectionError("connection closed during login"))
            self._session_closed(connection)

        connection = MqttConnection(
            sock,
            # Fresh per connection (a reused id drops the older session); MQTT 3.1.1 brokers
            # need only accept ids of up to 23 characters.
            client_id=f"otto_{secrets.token_hex(8)}",
            username=MQTT_USERNAME,
            password=self._access_code,
            on_connected=on_connected,
            on_message=self._on_message,
            on_closed=on_closed,
            misc_interval=settings.misc_interval,
        )
        self._connection = connection
        try:
            async with asyncio.timeout(settings.connect_timeout):
                connection.start(self.host, settings.port, settings.keepalive)
                code = await connack
                if code in AUTH_FAILURE_CODES:
                    raise BambuAuthError(f"{self.serial}: access code rejected (CONNACK {code})")
                if code != 0:
                    raise BambuConnectionError(f"{self.serial}: connection refused ({code})")
                await connection.subscribe(self._report_topic)
        except BaseException as err:
            self._drop_connection()
            if isinstance(err, TimeoutError):
                raise BambuConnectionError(f"{self.serial}: MQTT login timed out") from err
            raise
        self._session_ended = ended
        self._got_version = self._got_full_report = False
        self._ready.clear()
        self._last_message = time.monotonic()
        self._resync_sent = False
        self._publish_nowait(commands.get_version())
        self._publish_nowait(commands.pushall())

    async def _watch_session(self) -> bool:
        """Wait for the session to end; returns whether the watchdog ended it."""
        ended = self._session_ended
        assert ended is not None
        interval = self._settings.watch_interval
        while not ended.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await ended.wait()
            if not ended.is_set() and self._check_silence():
                return True
        return False

    def _check_silence(self) -> bool:
        """Resync or force a reconnect after silence; returns whether it forced a reconnect."""
        settings = self._settings
        now = time.monotonic()
        silence = now - self._last_message
        if silence >= settings.offline_after:
            self._set_available(False)
            if now - self._last_forced_reconnect >= settings.reconnect_cooldown:
                _LOGGER.info("%s: silent for %.0fs, reconnecting", self.serial, silence)
                self._last_forced_reconnect = now
                self._drop_connection()
                return True
        elif silence >= settings.resync_after and not self._resync_sent:
            _LOGGER.debug("%s: silent for %.0fs, asking for pushes", self.serial, silence)
            self._resync_sent = True
            self._publish_nowait(commands.start_pushing())
            self._publish_nowait(commands.pushall())
        return False

    def _session_closed(self, connection: MqttConnection) -> None:
        if self._connection is connection:
            self._connection = None
        self._set_available(False)
        self._fail_replies(BambuConnectionError(f"{self.serial}: connection lost"))

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        if self._session_ended is not None:
            self._session_ended.set()

    # -- incoming ----------------------------------------------------------------------------
    def _on_message(self, topic: str, payload: bytes) -> None:
        if topic != self._report_topic:
            return
        self._last_message = time.monotonic()
        self._resync_sent = False
        try:
            message = json.loads(payload)
        except ValueError:
            _LOGGER.debug("%s: ignoring a non-JSON report", self.serial)
            return
        if not isinstance(message, dict):
            return
        changed = not self._available
        self._available = True
        for kind, body in message.items():
            if isinstance(body, dict):
                changed = self._handle_body(kind, body) or changed
        if self._got_version and self._got_full_report:
            self._ready.set()
        if changed:
            self._notify_status()

    def _handle_body(self, kind: str, body: dict[str, Any]) -> bool:
        """Apply one report section; returns whether the cached state changed."""
        command = body.get("command")
        if kind == "print" and command in (None, "push_status"):
            if body.get("msg") == 0:
                self._state = {}
                self._got_full_report = True
            merge_report(self._state, body)
            return True
        if kind == "info" and command == "get_version":
            self._version = body
            self._got_version = True
            self._handle_reply(kind, body)
            return True
        self._handle_reply(kind, body)
        return False

    def _handle_reply(self, kind: str, body: dict[str, Any]) -> None:
        error = reply_error(body)
        if isinstance(error, AuthorizationFirmwareError):
            self._authorization_rejected = True
        waiter = self._replies.pop((kind, str(body.get("sequence_id"))), None)
        if waiter is not None and waiter[0] == body.get("command"):
            future = waiter[1]
            if not future.done():
                if error is None:
                    future.set_result(body)
                else:
                    future.set_exception(error)
            return
        if waiter is not None:  # same sequence id, other command: keep waiting
            self._replies[(kind, str(body.get("sequence_id")))] = waiter
        if error is not None:
            self._report_error(error)

    # -- outgoing ----------------------------------------------------------------------------
    async def _send(
        self, request: dict[str, Any], *, control: bool, reply_timeout: float | None = None
    ) -> dict[str, Any] | None:
        connection = self._connection
        if connection is None or not self.connected:
            raise BambuConnectionError(f"{self.serial}: not connected")
        if control and self.authorization_blocked:
            raise AuthorizationFirmwareError(
                f"{self.serial}: firmware requires signed commands; enable LAN-only mode and "
                "Developer Mode on the printer"
            )
        kind, body = next(iter(request.items()))
        sequence_id = str(next(self._sequence))
        body["sequence_id"] = sequence_id
        key = (kind, sequence_id)
        reply: asyncio.Future[dict[str, Any]] | None = None
        if reply_timeout is not None:
            reply = asyncio.get_running_loop().create_future()
            self._replies[key] = (str(body["command"]), reply)
        try:
            try:
                async with asyncio.timeout(self._settings.publish_timeout):
                    await connection.publish(self._request_topic, json.dumps(request).encode())
            except TimeoutError as err:
                raise BambuConnectionError(f"{self.serial}: command not acknowledged") from err
            if reply is None:
                return None
            try:
                async with asyncio.timeout(reply_timeout):
                    return await reply
            except TimeoutError as err:
                raise BambuCommandError(
                    f"{self.serial}: no reply to {body['command']} within {reply_timeout}s"
                ) from err
        finally:
            self._replies.pop(key, None)

    def _publish_nowait(self, request: dict[str, Any]) -> None:
        """Publish without waiting for PUBACK (handshake and watchdog requests)."""
        connection = self._connection
        if connection is None or connection.closed:
            return
        kind, body = next(iter(request.items()))
        body["sequence_id"] = str(next(self._sequence))
        future = connection.publish(self._request_topic, json.dumps(request).encode())
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        _LOGGER.debug("%s: sent %s.%s", self.serial, kind, body["command"])

    # -- helpers -----------------------------------------------------------------------------
    def _ensure_startable(self) -> None:
        if not self.connected:
            raise BambuConnectionError(f"{self.serial}: not connected")
        state = self.status.status
        if state in STARTABLE_STATES:
            return
        detail = "busy" if state in BUSY_STATES else "not ready"
        raise PrinterBusyError(f"{self.serial}: printer is {detail} ({state.value})")

    def _has_ams(self) -> bool:
        ams = self._state.get("ams")
        return isinstance(ams, dict) and bool(ams.get("ams"))

    def _model_name(self) -> str | None:
        return self.model or self.product_name

    def _module_field(self, module: str, field: str) -> str | None:
        for entry in self._version.get("module") or []:
            if isinstance(entry, dict) and entry.get("name") == module:
                value = entry.get(field)
                return str(value) if value is not None else None
        return None

    def _set_available(self, available: bool) -> None:
        if self._available != available:
            self._available = available
            self._notify_status()

    def _notify_status(self) -> None:
        if not self._status_listeners:
            return
        status = self.status
        for listener in list(self._status_listeners):
            try:
                listener(status)
            except Exception:
                _LOGGER.exception("%s: status listener failed", self.serial)

    def _report_error(self, error: BambuError) -> None:
        self._last_error = error
        for listener in list(self._error_listeners):
            try:
                listener(error)
            except Exception:
                _LOGGER.exception("%s: error listener failed", self.serial)

    def _fail_replies(self, error: BambuError) -> None:
        replies, self._replies = self._replies, {}
        for _command, future in replies.values():
            if not future.done():
                future.set_exception(error)
