"""Status propagation at 1, 20, 100 and 300 printers: report → HA state / REST, loop lag, CPU, RSS.

Home Assistant is a real, separate ``hass`` process: ``python -m devstack --farm FILE
--loop-probe`` (what ``scripts/develop`` runs: onboarded, the OttoEngine hub, the farm's printers
registered), so ``psutil`` on its pid sees Home Assistant alone, not the load generator. It is
started once; the farm grows between sizes (1 → 20 → 100 → 300): the new printers are
registered over ``POST /api/printers``, as a user would add them, and each size is measured once
every printer is online.

**The farm** is this script's own, lighter than ``python -m ottosim``: each printer is a real
TLS Mosquitto broker (``ottosim.bambu.broker.MosquittoBroker``, one process per printer: 300
Mosquitto processes fit this machine, about 14 MB RSS each, most of it shared libraries, and
little CPU: ``brokers_cpu_percent``) on its own loopback address, port 8883,
user ``bblp`` with the printer's access code, a certificate whose CN is the printer's serial
issued by the simulated "BBL CA" (all certificates share one RSA-2048 key, so that 300 printers
do not need 300 key generations; the TLS handshake costs the same). ``ottosim`` does not fit:
its firmware brains report every 0.5-1 s only while printing (2-5 s idle) with their own
scheduling noise, each printer also runs vsftpd (the hub needs FTPS only for uploads), and its
addresses (127.0.1.N) stop at 254, shared with the test suites. Here the addresses come from two
networks of their own, ``127.0.11.N`` and ``127.0.12.N`` (leased with ``ottosim.addresses``'
``flock`` so parallel runs never collide), and one asyncio "firmware" per printer in this
process talks to its broker over the broker's internal Unix-socket listener (a minimal MQTT
3.1.1 client): it answers ``get_version`` and ``pushall`` (a full report: a P1S printing) and
sends the load. The farm description file that ``devstack --farm`` reads has a tiny control
endpoint (``GET /truth``: no racks) served by this script.

**Load**: every printer sends a delta report (``msg: 1``: nozzle and bed temperature, Wi-Fi
signal; the temperature sensors change every time, as on a printing P1S) once a second, each
at its own phase within the second, for the whole run.

**Samples** (one at a time, to a random printer, 50-150 ms apart, for ``--window`` seconds per
size): an extra delta report with a fresh ``mc_percent`` (the printer's *Progress* sensor and
``progress_percent`` of ``GET /api/printers/{id}/status``). From the publish:

* ``state``: until Home Assistant's state machine holds it: the new state's ``last_changed``
  (Home Assistant's clock; the same host clock as the publish time), seen through the
  websocket API's ``subscribe_entities`` restricted to the progress sensors (HA filters
  ``state_changed`` server-side, so the observer does not serialise every temperature change);
* ``state_ws``: until that websocket message arrived here;
* ``rest``: until ``GET /api/printers/{id}/status``, polled back to back, answers with it.

**Loop lag**: the dev-only ``loop_probe`` integration (``devstack/loop_probe``, loaded by
``--loop-probe``, never part of OttoEngine) measures how late a ``call_later`` repeating every
50 ms runs in Home Assistant's event loop; reset at the start of each window, read at its end.
**CPU** (% of one core, user + system over the window, every thread) and **RSS** (MB, at the
end of the window) of ``hass``; the brokers' and this script's CPU are given for comparison.

    scripts/run python -m benchmarks.bench_status [--sizes 1,20,100,300] [--window 40]
        [--workdir DIR] [--profile-size 100]

→ ``benchmarks/results/status.json`` and a table on stdout. ``--workdir`` keeps the farm's and
Home Assistant's files and logs. ``--profile-size N`` adds, after the measured window of size N,
a cProfile of ``hass`` over another window (``loop_probe``'s profile view), kept in the JSON and
the workdir. Not run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
import datetime as dt
import heapq
import itertools
import json
import os
from pathlib import Path
import platform
import random
import shutil
import signal
import struct
import sys
import tempfile
import time
from typing import Any

import aiohttp
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
import psutil

from benchmarks.bench_bambu_driver import latency_summary
from benchmarks.bench_orchestrator import (
    Api,
    Child,
    _arguments,
    _spawn,
    _wait_for_json,
    git_commit,
    hass_log_findings,
    write_report,
)
from ottosim.addresses import AddressLease
from ottosim.bambu.broker import INTERNAL_USER, MQTT_TLS_PORT, MosquittoBroker
from ottosim.bambu.certs import CertificateAuthority
from ottosim.bambu.models import model_spec, serial_number
from ottosim.bambu.status import initial_status

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "status.json"
DOMAIN = "ottoengine"
NETWORKS = ("127.0.11", "127.0.12")  # 254 printers each; not the simulator's 127.0.1
SIZES = (1, 20, 100, 300)
WINDOW_S = 40.0
MODEL = "P1S"
REPORT_HZ = 1.0
SAMPLE_GAP_S = (0.05, 0.15)
SAMPLE_TIMEOUT_S = 10.0
ONLINE_TIMEOUT_S = 180.0
SETTLE_S = 3.0
START_TIMEOUT_S = 300.0
BROKER_BATCH = 20
TARGET_SIZE = 100
TARGET_LATENCY_MS = 100.0
TARGET_LAG_MS = 20.0
HEAVY_SIZE = 300
PROFILE_MAX_S = 50.0  # the REST client waits 60 s at most
MACHINE_NOTE = (
    "2-core machine; the brokers and the load generator run on it beside hass (their CPU "
    "is given per size)"
)


# -- MQTT over the brokers' internal Unix socket ------------------------------------------------


def _remaining_length(length: int) -> bytes:
    encoded = bytearray()
    while True:
        byte, length = length % 128, length // 128
        encoded.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(encoded)


def _string(value: str) -> bytes:
    data = value.encode()
    return struct.pack("!H", len(data)) + data


class BrokerLink:
    """A minimal MQTT 3.1.1 client (QoS 0) of one broker's internal listener: it publishes and
    hands every message of its one subscription to ``on_message(payload)``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        broker: MosquittoBroker,
        client_id: str,
        topic: str,
        on_message: Callable[[bytes], None],
    ) -> BrokerLink:
        reader, writer = await asyncio.open_unix_connection(str(broker.internal_socket))
        # CONNECT: clean session, user and password, keepalive 0 (none: the link is local).
        variable = _string("MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 0)
        body = variable + _string(client_id) + _string(INTERNAL_USER)
        body += _string(broker.internal_password)
        writer.write(bytes([0x10]) + _remaining_length(len(body)) + body)
        connack = await reader.readexactly(4)
        if connack[0] != 0x20 or connack[3] != 0:
            writer.close()
            raise RuntimeError(f"{broker.serial}: internal login refused: {connack!r}")
        subscribe = struct.pack("!H", 1) + _string(topic) + bytes([0])
        writer.write(bytes([0x82]) + _remaining_length(len(subscribe)) + subscribe)
        await writer.drain()
        link = cls(reader, writer)
        link._task = asyncio.create_task(link._read(on_message), name=f"link-{broker.serial}")
        return link

    async def _read(self, on_message: Callable[[bytes], None]) -> None:
        reader = self._reader
        while True:
            first = (await reader.readexactly(1))[0]
            length, shift = 0, 0
            while True:
                byte = (await reader.readexactly(1))[0]
                length |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            body = await reader.readexactly(length)
            if first >> 4 == 3:  # PUBLISH, QoS 0 (the subscription's QoS)
                topic_length = struct.unpack("!H", body[:2])[0]
                offset = 2 + topic_length + (2 if first & 0x06 else 0)
                on_message(body[offset:])

    def publish(self, topic: str, payload: bytes) -> None:
        body = _string(topic) + payload
        self._writer.write(bytes([0x30]) + _remaining_length(len(body)) + body)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(OSError):
            self._writer.write(b"\xe0\x00")  # DISCONNECT
            self._writer.close()
            await self._writer.wait_closed()


# -- the farm -----------------------------------------------------------------------------------


@dataclass
class SimPrinter:
    """One simulated printer: its broker and the firmware side of its reports."""

    index: int
    name: str
    serial: str
    ip: str
    access_code: str
    broker: MosquittoBroker
    phase: float
    link: BrokerLink | None = None
    progress: int = 50
    hub_id: int | None = None
    entity_id: str | None = None
    reports: int = 0
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    @property
    def report_topic(self) -> str:
        return f"device/{self.serial}/report"

    def send(self, message: dict[str, Any]) -> None:
        assert self.link is not None
        self.link.publish(self.report_topic, json.dumps(message, separators=(",", ":")).encode())

    def full_report(self) -> dict[str, Any]:
        status = initial_status(model_spec(MODEL), self.ip)
        status |= {
            "gcode_state": "RUNNING",
            "print_type": "local",
            "subtask_name": f"bench-{self.index}",
            "gcode_file": f"bench-{self.index}.gcode.3mf",
            "mc_percent": self.progress,
            "mc_remaining_time": 90,
            "mc_print_stage": "2",
            "layer_num": 40,
            "total_layer_num": 200,
            "nozzle_temper": 220.0,
            "nozzle_target_temper": 220.0,
            "bed_temper": 55.0,
            "bed_target_temper": 55.0,
        }
        return {
            "print": {
                "command": "push_status",
                "msg": 0,
                "sequence_id": str(next(self.sequence)),
                **status,
            }
        }

    def delta_report(self, rng: random.Random) -> None:
        """The 1 Hz load: what a printing P1S's delta carries second to second."""
        self.reports += 1
        self.send(
            {
                "print": {
                    "command": "push_status",
                    "msg": 1,
                    "sequence_id": str(next(self.sequence)),
                    "nozzle_temper": round(rng.uniform(219.0, 221.0), 2),
                    "bed_temper": round(rng.uniform(54.5, 55.5), 2),
                    "wifi_signal": f"-{rng.randint(48, 55)}dBm",
                }
            }
        )

    def marker_report(self, marker: int) -> None:
        self.progress = marker
        self.send(
            {
                "print": {
                    "command": "push_status",
                    "msg": 1,
                    "sequence_id": str(next(self.sequence)),
                    "mc_percent": marker,
                }
            }
        )

    def on_request(self, payload: bytes) -> None:
        """What the firmware answers: ``get_version`` and ``pushing.pushall`` / ``start``."""
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        for kind, request in message.items():
            if not isinstance(request, dict):
                continue
            command = request.get("command")
            if kind == "pushing" and command in ("pushall", "start"):
                self.send(self.full_report())
            elif kind == "info" and command == "get_version":
                spec = model_spec(MODEL)
                modules = [
                    {
                        "name": "ota",
                        "sw_ver": spec.firmware,
                        "hw_ver": "OTA",
                        "sn": self.serial,
                        "product_name": spec.product_name,
                    },
                    {
                        "name": "mc",
                        "sw_ver": "00.01.32.85",
                        "hw_ver": spec.mc_hw,
                        "sn": self.serial,
                    },
                ]
                reply = {
                    "command": "get_version",
                    "sequence_id": str(request.get("sequence_id", "0")),
                    "module": modules,
                    "result": "success",
                    "reason": "",
                }
                self.send({"info": reply})

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": MODEL,
            "ip": self.ip,
            "serial_number": self.serial,
            "access_code": self.access_code,
            "mqtt_port": MQTT_TLS_PORT,
            "ftps_port": None,
        }


def issue_certificates(ca: CertificateAuthority, serials: list[str]) -> None:
    """Certificates (CN = serial, by the farm's CA) where ``MosquittoBroker`` looks for them,
    all with one key."""
    directory = ca.cert_file.parent / "issued"
    directory.mkdir(parents=True, exist_ok=True)
    shared_key_file = directory / "shared.key"
    if shared_key_file.exists():
        loaded = serialization.load_pem_private_key(shared_key_file.read_bytes(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        key = loaded
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        shared_key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        shared_key_file.chmod(0o600)
    key_pem = shared_key_file.read_bytes()
    ca_cert = x509.load_pem_x509_certificate(ca.cert_file.read_bytes())
    ca_key = serialization.load_pem_private_key(ca.key_file.read_bytes(), password=None)
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    now = dt.datetime.now(dt.UTC)
    for serial in serials:
        cert_file, key_file = directory / f"{serial}.crt", directory / f"{serial}.key"
        if cert_file.exists() and key_file.exists():
            continue
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BBL Technologies Co., Ltd"),
                x509.NameAttribute(NameOID.COMMON_NAME, serial),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .sign(ca_key, hashes.SHA256())
        )
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key_pem)
        key_file.chmod(0o600)


class BenchFarm:
    """The printers (brokers + firmware links), the 1 Hz load and the control endpoint."""

    def __init__(self, workdir: Path, seed: int) -> None:
        self.workdir = workdir
        self.printers: list[SimPrinter] = []
        self.ca = CertificateAuthority.create(workdir / "ca")
        self._leases: list[AddressLease] = []
        self._addresses: list[str] = []
        self._rng = random.Random(seed)
        self._load_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._schedule: list[tuple[float, int]] = []
        self._runner: web.AppRunner | None = None
        self.control_url = ""

    # -- control endpoint (devstack's FarmSetup reads the racks from GET /truth) ---------------
    async def start_control(self) -> None:
        async def truth(_request: web.Request) -> web.Response:
            return web.json_response({"racks": {}, "printers": {}, "violations": []})

        app = web.Application()
        app.router.add_get("/truth", truth)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.control_url = f"http://{host}:{port}"

    def describe(self) -> dict[str, Any]:
        return {
            "printers": [printer.describe() for printer in self.printers],
            "ejectors": [],
            "racks": [],
            "control": self.control_url,
            "ca_file": str(self.ca.cert_file),
            "time_scale": 1.0,
        }

    # -- printers ------------------------------------------------------------------------------
    def reserve(self, count: int) -> None:
        """Lease ``count`` addresses (8883 free there) for the printers, network by network."""
        for network in NETWORKS:
            missing = count - len(self._addresses)
            if missing <= 0:
                break
            lease = AddressLease()
            self._leases.append(lease)
            with contextlib.suppress(RuntimeError):  # fewer here: the next network has more
                lease.take(network, (MQTT_TLS_PORT,), missing)
            self._addresses += lease.addresses
        if len(self._addresses) < count:
            raise RuntimeError(
                f"only {len(self._addresses)} loopback addresses free, {count} needed"
            )

    async def grow(self, size: int) -> list[SimPrinter]:
        """Start printers until there are ``size``; returns the new ones, connected."""
        if size <= len(self.printers):
            return []
        if size > len(self._addresses):
            self.reserve(size)
        spec = model_spec(MODEL)
        new: list[SimPrinter] = []
        for index in range(len(self.printers) + 1, size + 1):
            serial = serial_number(spec, index)
            ip = self._addresses[index - 1]
            access_code = f"{self._rng.randrange(10**8):08d}"
            broker = MosquittoBroker(
                host=ip,
                serial=serial,
                access_code=access_code,
                workdir=self.workdir / "brokers" / f"{index:03d}",
                ca=self.ca,
            )
            new.append(
                SimPrinter(
                    index=index,
                    name=f"bench-p1s-{index}",
                    serial=serial,
                    ip=ip,
                    access_code=access_code,
                    broker=broker,
                    phase=self._rng.random() / REPORT_HZ,
                )
            )
        issue_certificates(self.ca, [printer.serial for printer in new])
        self.printers += new
        for first in range(0, len(new), BROKER_BATCH):
            batch = new[first : first + BROKER_BATCH]
            await asyncio.gather(*(printer.broker.start() for printer in batch))
        for printer in new:
            printer.link = await self._open_link(printer)
        now = time.monotonic()
        for printer in new:
            heapq.heappush(self._schedule, (now + printer.phase, printer.index - 1))
        self._wake.set()
        return new

    async def _open_link(self, printer: SimPrinter) -> BrokerLink:
        for _ in range(100):
            try:
                return await BrokerLink.open(
                    printer.broker,
                    f"bench-{printer.serial}",
                    f"device/{printer.serial}/request",
                    printer.on_request,
                )
            except FileNotFoundError, ConnectionRefusedError:
                await asyncio.sleep(0.05)
        raise RuntimeError(f"{printer.name}: the broker's internal socket never appeared")

    # -- the 1 Hz load ---------------------------------------------------------------------------
    def start_load(self) -> None:
        self._load_task = asyncio.create_task(self._load(), name="load")

    async def _load(self) -> None:
        period = 1.0 / REPORT_HZ
        while True:
            if not self._schedule:
                self._wake.clear()
                await self._wake.wait()
                continue
            due, index = self._schedule[0]
            now = time.monotonic()
            if due > now:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(due - now):
                        await self._wake.wait()
                continue
            heapq.heappop(self._schedule)
            self.printers[index].delta_report(self._rng)
            following = due + period
            if following < now:  # far behind (the loop was blocked): keep the phase, skip
                following += period * ((now - following) // period + 1)
            heapq.heappush(self._schedule, (following, index))

    def reports_sent(self) -> int:
        return sum(printer.reports for printer in self.printers)

    def broker_pids(self) -> list[int]:
        return [pid for printer in self.printers if (pid := printer.broker.pid) is not None]

    async def stop(self) -> None:
        if self._load_task is not None:
            self._load_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._load_task
        for printer in self.printers:
            if printer.link is not None:
                await printer.link.close()
        for first in range(0, len(self.printers), 50):
            batch = self.printers[first : first + 50]
            await asyncio.gather(*(printer.broker.stop() for printer in batch))
        for lease in self._leases:
            lease.release()
        if self._runner is not None:
            await self._runner.cleanup()


# -- Home Assistant -------------------------------------------------------------------------------


async def start_hass(work: Path) -> tuple[Child, dict[str, Any]]:
    """``python -m devstack --farm farm.json --loop-probe``: hass, onboarded, the hub, the farm."""
    stack_file = work / "stack.json"
    stack_file.unlink(missing_ok=True)
    log = work / "develop.log"
    options = {
        "--farm": str(work / "farm.json"),
        "--port": "0",
        "--config": str(work / "config"),
        "--stack-file": str(stack_file),
    }
    develop = await _spawn(
        "python -m devstack",
        [*_arguments("devstack", options), "--loop-probe"],
        log,
        signal.SIGINT,
    )
    try:
        stack = await _wait_for_json(stack_file, develop, log, START_TIMEOUT_S)
    except BaseException:
        await develop.stop()
        raise
    return develop, stack


class HaSocket:
    """Home Assistant's websocket API: commands, and ``subscribe_entities`` updates."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._results: dict[int, asyncio.Future[Any]] = {}
        self._listeners: dict[int, Callable[[dict[str, Any]], None]] = {}
        self._task = asyncio.create_task(self._read(), name="hass-websocket")

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, stack: dict[str, Any]) -> HaSocket:
        ws = await session.ws_connect(f"{stack['base_url']}/api/websocket", max_msg_size=0)
        hello = await ws.receive_json()
        if hello.get("type") != "auth_required":
            raise RuntimeError(f"websocket: {hello}")
        await ws.send_json({"type": "auth", "access_token": stack["admin_token"]})
        answer = await ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise RuntimeError(f"websocket auth: {answer}")
        return cls(ws)

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            for item in data if isinstance(data, list) else [data]:
                if item.get("type") == "result":
                    future = self._results.pop(item["id"], None)
                    if future is not None and not future.done():
                        if item.get("success"):
                            future.set_result(item.get("result"))
                        else:
                            future.set_exception(RuntimeError(f"websocket: {item.get('error')}"))
                elif item.get("type") == "event":
                    listener = self._listeners.get(item["id"])
                    if listener is not None:
                        listener(item["event"])

    async def call(self, command: str, **fields: Any) -> Any:
        message_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command, **fields})
        async with asyncio.timeout(60):
            return await future

    async def subscribe(
        self, command: str, listener: Callable[[dict[str, Any]], None], **fields: Any
    ) -> int:
        message_id = next(self._ids)
        self._listeners[message_id] = listener
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command, **fields})
        async with asyncio.timeout(60):
            await future
        return message_id

    async def unsubscribe(self, subscription: int) -> None:
        self._listeners.pop(subscription, None)
        await self.call("unsubscribe_events", subscription=subscription)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        await self._ws.close()


class StateWatch:
    """The progress sensors' states as ``subscribe_entities`` pushes them."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}
        self._waiting: dict[str, tuple[str, asyncio.Future[tuple[float, float]]]] = {}

    def expect(self, entity_id: str, state: str) -> asyncio.Future[tuple[float, float]]:
        """Resolves with (HA's ``last_changed`` timestamp, arrival ``time.time()``)."""
        future: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
        self._waiting[entity_id] = (state, future)
        return future

    def on_event(self, event: dict[str, Any]) -> None:
        arrived = time.time()
        for entity_id, compressed in event.get("a", {}).items():
            self.states[entity_id] = str(compressed.get("s"))
        for entity_id, diff in event.get("c", {}).items():
            plus = diff.get("+", {})
            if "s" not in plus:
                continue
            state = str(plus["s"])
            self.states[entity_id] = state
            waiting = self._waiting.get(entity_id)
            if waiting is not None and waiting[0] == state:
                del self._waiting[entity_id]
                changed = plus.get("lc", plus.get("lu", arrived))
                if not waiting[1].done():
                    waiting[1].set_result((float(changed), arrived))


# -- measuring -------------------------------------------------------------------------------------


@dataclass
class Samples:
    state: list[float] = field(default_factory=list)
    state_ws: list[float] = field(default_factory=list)
    rest: list[float] = field(default_factory=list)
    lost_state: int = 0
    lost_rest: int = 0
    sent: int = 0


async def register(api: Api, farm: BenchFarm, socket: HaSocket, entry_id: str) -> dict[str, Any]:
    """Register the printers the hub does not know (POST /api/printers), wait until every one
    is online and has its progress sensor; returns timings."""
    began = time.monotonic()
    by_serial = {printer.serial: printer for printer in farm.printers}
    known = {printer.hub_id for printer in farm.printers}
    for summary in await api.call("GET", "/api/printers"):
        if summary["id"] in known:
            continue
        details = await api.call("GET", f"/api/printers/{summary['id']}")
        printer = by_serial.get(details["serial_number"])
        if printer is not None:
            printer.hub_id = int(details["id"])
    for printer in farm.printers:
        if printer.hub_id is not None:
            continue
        created = await api.call(
            "POST",
            "/api/printers",
            {
                "name": printer.name,
                "brand": "Bambu Lab",
                "model": MODEL,
                "type": "FDM",
                "serial_number": printer.serial,
                "ip_address": printer.ip,
                "access_code": printer.access_code,
            },
        )
        printer.hub_id = int(created["id"])
    registered = time.monotonic()
    deadline = began + ONLINE_TIMEOUT_S
    while True:
        summaries = await api.call("GET", "/api/printers")
        offline = [s["id"] for s in summaries if s["status"] != "RUNNING"]
        if len(summaries) >= len(farm.printers) and not offline:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"printers still offline after {ONLINE_TIMEOUT_S:.0f} s: {offline}")
        await asyncio.sleep(0.5)
    online = time.monotonic()
    while True:
        entries = await socket.call("config/entity_registry/list")
        by_unique = {e["unique_id"]: e["entity_id"] for e in entries if e["platform"] == DOMAIN}
        for printer in farm.printers:
            unique = f"{entry_id}_printer_{printer.hub_id}_progress"
            printer.entity_id = by_unique.get(unique)
        if all(printer.entity_id for printer in farm.printers):
            break
        if time.monotonic() > deadline:
            raise RuntimeError("progress sensors missing from the entity registry")
        await asyncio.sleep(0.5)
    return {
        "register_s": round(registered - began, 3),
        "online_s": round(online - registered, 3),
        "entities_s": round(time.monotonic() - online, 3),
    }


async def sample_once(
    api: Api, watch: StateWatch, printer: SimPrinter, rng: random.Random, samples: Samples
) -> None:
    marker = printer.progress
    while marker == printer.progress:
        marker = rng.randint(1, 99)
    assert printer.entity_id is not None
    expected = watch.expect(printer.entity_id, str(marker))
    path = f"/api/printers/{printer.hub_id}/status"
    published = time.time()
    started = time.perf_counter()
    printer.marker_report(marker)
    samples.sent += 1

    async def rest() -> None:
        async with asyncio.timeout(SAMPLE_TIMEOUT_S):
            while True:
                body = await api.call("GET", path)
                if body["progress_percent"] == marker:
                    samples.rest.append(time.perf_counter() - started)
                    return

    async def state() -> None:
        async with asyncio.timeout(SAMPLE_TIMEOUT_S):
            changed, arrived = await expected
        samples.state.append(max(0.0, changed - published))
        samples.state_ws.append(max(0.0, arrived - published))

    rest_result, state_result = await asyncio.gather(rest(), state(), return_exceptions=True)
    if isinstance(rest_result, BaseException):
        if not isinstance(rest_result, TimeoutError):
            raise rest_result
        samples.lost_rest += 1
    if isinstance(state_result, BaseException):
        if not isinstance(state_result, TimeoutError):
            raise state_result
        samples.lost_state += 1


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


async def measure(
    api: Api, watch: StateWatch, farm: BenchFarm, hass: psutil.Process, *, window: float, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    brokers = [psutil.Process(pid) for pid in farm.broker_pids()]
    me = psutil.Process()
    samples = Samples()
    await api.call("POST", "/api/loop_probe/reset")
    reports_before = farm.reports_sent()
    hass_cpu, broker_cpu, own_cpu = _cpu_seconds([hass]), _cpu_seconds(brokers), _cpu_seconds([me])
    began = time.monotonic()
    end = began + window
    while time.monotonic() < end:
        await sample_once(api, watch, rng.choice(farm.printers), rng, samples)
        await asyncio.sleep(rng.uniform(*SAMPLE_GAP_S))
    wall = time.monotonic() - began
    lag = await api.call("GET", "/api/loop_probe")
    hass_cpu = _cpu_seconds([hass]) - hass_cpu
    broker_cpu = _cpu_seconds(brokers) - broker_cpu
    own_cpu = _cpu_seconds([me]) - own_cpu
    reports = farm.reports_sent() - reports_before
    memory = hass.memory_info()
    brokers_rss = 0
    for broker in brokers:
        with contextlib.suppress(psutil.Error):
            brokers_rss += broker.memory_info().rss
    return {
        "printers": len(farm.printers),
        "broker_processes": len(brokers),
        "window_s": round(wall, 2),
        "load_reports": reports,
        "load_reports_per_printer_per_s": round(reports / wall / len(farm.printers), 3),
        "samples_sent": samples.sent,
        "state": latency_summary(samples.state) if samples.state else {"samples": 0},
        "state_ws": latency_summary(samples.state_ws) if samples.state_ws else {"samples": 0},
        "rest": latency_summary(samples.rest) if samples.rest else {"samples": 0},
        "lost": {"state": samples.lost_state, "rest": samples.lost_rest},
        "loop_lag": lag,
        "hass": {
            "cpu_percent": round(hass_cpu / wall * 100, 1),
            "rss_mb": round(memory.rss / 2**20, 1),
            "threads": hass.num_threads(),
        },
        "brokers_cpu_percent": round(broker_cpu / wall * 100, 1),
        "brokers_rss_mb": round(brokers_rss / 2**20, 1),
        "load_generator_cpu_percent": round(own_cpu / wall * 100, 1),
    }


async def profile(api: Api, seconds: float, work: Path, size: int) -> dict[str, Any]:
    answer = await api.call("POST", "/api/loop_probe/profile", {"seconds": seconds, "top": 45})
    (work / f"profile-{size}.txt").write_text(
        f"{answer['tottime']}\n\n{answer['cumulative']}", encoding="utf-8"
    )
    return {"size": size, "seconds": seconds, **answer}


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, task.cancel)
    farm = BenchFarm(work / "farm", args.seed)
    farm.reserve(args.sizes[-1])
    develop: Child | None = None
    results: list[dict[str, Any]] = []
    profiled: dict[str, Any] | None = None
    try:
        await farm.start_control()
        grow_began = time.monotonic()
        await farm.grow(args.sizes[0])
        farm.start_load()
        (work / "farm.json").write_text(json.dumps(farm.describe(), indent=1), encoding="utf-8")
        first_grow = time.monotonic() - grow_began
        print(f"[bench] starting hass with {args.sizes[0]} printer(s)", file=sys.stderr, flush=True)
        started = time.monotonic()
        develop, stack = await start_hass(work)
        hass_start = time.monotonic() - started
        hass = psutil.Process(int(stack["hass_pid"]))
        async with aiohttp.ClientSession() as session:
            api = Api(session, stack)
            socket = await HaSocket.connect(session, stack)
            watch = StateWatch()
            subscription: int | None = None
            try:
                for number, size in enumerate(args.sizes):
                    began = time.monotonic()
                    await farm.grow(size)
                    grow_s = time.monotonic() - began if number else first_grow
                    setup = await register(api, farm, socket, stack["hub_entry_id"])
                    if subscription is not None:
                        await socket.unsubscribe(subscription)
                    entity_ids = [p.entity_id for p in farm.printers if p.entity_id]
                    subscription = await socket.subscribe(
                        "subscribe_entities", watch.on_event, entity_ids=entity_ids
                    )
                    await asyncio.sleep(SETTLE_S)
                    print(
                        f"[bench] {size} printers online ({setup}); measuring {args.window:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    found = await measure(
                        api, watch, farm, hass, window=args.window, seed=args.seed + size
                    )
                    found["setup"] = {"brokers_started_s": round(grow_s, 3), **setup}
                    results.append(found)
                    print(f"[bench] {json.dumps(found)}", file=sys.stderr, flush=True)
                    if size == args.profile_size:
                        seconds = min(args.window, PROFILE_MAX_S)
                        profiled = await profile(api, seconds, work, size)
            finally:
                await socket.close()
    finally:
        if develop is not None:
            await develop.stop()
        await farm.stop()
    return {
        "sizes": results,
        "hass_start_s": round(hass_start, 1),
        "hass_log": hass_log_findings(work / "develop.log"),
        "profile": profiled,
    }


# -- the report -------------------------------------------------------------------------------------


def _row(
    name: str, value: float, unit: str, target: str | None, met: bool | None
) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "target": target, "met": met}


def summary_rows(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for found in sizes:
        n = found["printers"]
        label = f"{n} printer{'s' if n != 1 else ''}"
        at_target = n == TARGET_SIZE
        for key, what in (("state", "report → HA state"), ("rest", "report → REST answer")):
            stats = found[key]
            if not stats["samples"]:
                name = f"{label}: {what}: samples answered"
                rows.append(_row(name, 0.0, "samples", "> 0", False))
                continue
            rows.append(_row(f"{label}: {what} p50", stats["p50_ms"], "ms", None, None))
            target = f"< {TARGET_LATENCY_MS:.0f} ms" if at_target else None
            met = stats["p99_ms"] < TARGET_LATENCY_MS if at_target else None
            rows.append(_row(f"{label}: {what} p99", stats["p99_ms"], "ms", target, met))
        lag = found["loop_lag"]
        if lag.get("samples"):
            rows.append(_row(f"{label}: HA event-loop lag p50", lag["p50_ms"], "ms", None, None))
            target = f"< {TARGET_LAG_MS:.0f} ms" if at_target else None
            met = lag["p99_ms"] < TARGET_LAG_MS if at_target else None
            rows.append(_row(f"{label}: HA event-loop lag p99", lag["p99_ms"], "ms", target, met))
            rows.append(_row(f"{label}: HA event-loop lag max", lag["max_ms"], "ms", None, None))
        rows.append(
            _row(f"{label}: hass CPU", found["hass"]["cpu_percent"], "% of a core", None, None)
        )
        rows.append(_row(f"{label}: hass RSS", found["hass"]["rss_mb"], "MB", None, None))
        sent = found["samples_sent"]
        answered = sent - max(found["lost"]["state"], found["lost"]["rest"])
        share = round(100.0 * answered / sent, 2) if sent else 0.0
        heavy = n >= HEAVY_SIZE
        rows.append(
            _row(
                f"{label}: marker reports answered (state and REST)",
                share,
                "%",
                "100 % (keeps working)" if heavy else None,
                (share == 100.0 and sent > 0) if heavy else None,
            )
        )
    return rows


def print_table(report: dict[str, Any]) -> None:
    print(
        f"{'printers':>8} | {'state p50':>9} {'p99':>7} | {'REST p50':>8} {'p99':>7} | "
        f"{'lag p50':>7} {'p99':>7} {'max':>7} | {'CPU %':>6} {'RSS MB':>7} | {'samples':>7} "
        f"{'lost':>4} | {'brokers %':>9} {'loadgen %':>9}"
    )

    def ms(stats: dict[str, Any], key: str) -> str:
        return f"{stats[key]:.1f}" if stats.get("samples") else "-"

    for found in report["sizes"]:
        state, rest, lag = found["state"], found["rest"], found["loop_lag"]
        lost = found["lost"]["state"] + found["lost"]["rest"]
        print(
            f"{found['printers']:>8} | {ms(state, 'p50_ms'):>9} {ms(state, 'p99_ms'):>7} | "
            f"{ms(rest, 'p50_ms'):>8} {ms(rest, 'p99_ms'):>7} | {ms(lag, 'p50_ms'):>7} "
            f"{ms(lag, 'p99_ms'):>7} {ms(lag, 'max_ms'):>7} | {found['hass']['cpu_percent']:>6.1f} "
            f"{found['hass']['rss_mb']:>7.1f} | {found['samples_sent']:>7} {lost:>4} | "
            f"{found['brokers_cpu_percent']:>9.1f} {found['load_generator_cpu_percent']:>9.1f}"
        )
    missed = [row["name"] for row in report["summary"] if row["met"] is False]
    print("targets: " + ("all met" if not missed else "missed: " + "; ".join(missed)))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted({int(part) for part in text.split(",") if part.strip()}),
        default=list(SIZES),
        help="printer counts, measured in ascending order on one hass (default 1,20,100,300)",
    )
    parser.add_argument("--window", type=float, default=WINDOW_S, help="seconds measured per size")
    parser.add_argument("--workdir", type=Path, help="keep the farm's and hass's files here")
    parser.add_argument(
        "--profile-size", type=int, help="after the window of this size, cProfile hass as long"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--note", default=MACHINE_NOTE, help="about the machine, for the JSON")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not args.sizes or args.sizes[0] < 1 or args.sizes[-1] > 254 * len(NETWORKS):
        parser.error(f"sizes must be between 1 and {254 * len(NETWORKS)}")
    return args


def main() -> None:
    args = parse_args()
    began = time.monotonic()
    load_at_start = [round(value, 2) for value in os.getloadavg()]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="otto-bench-status-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # Mosquitto must read its files
    try:
        live = asyncio.run(run(args, work))
    except asyncio.CancelledError:
        sys.exit("[bench] interrupted; every process it started was stopped")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    sizes = live.pop("sizes")
    report: dict[str, Any] = {
        "benchmark": "status propagation: printer report → HA state / REST, loop lag, CPU, RSS",
        "description": (__doc__ or "").strip().splitlines()[0],
        "command": "scripts/run python -m benchmarks.bench_status " + " ".join(sys.argv[1:]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": git_commit(),
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "python": sys.version.split()[0],
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
            "note": args.note,
        },
        "cpu_count": os.cpu_count(),
        "parameters": {
            "sizes": args.sizes,
            "window_s": args.window,
            "report_hz": REPORT_HZ,
            "model": MODEL,
            "sample_gap_s": list(SAMPLE_GAP_S),
            "sample_timeout_s": SAMPLE_TIMEOUT_S,
            "loop_probe_interval_ms": 50,
            "broker_processes": "one Mosquitto per printer",
            "addresses": [f"{network}.0/24" for network in NETWORKS],
            "seed": args.seed,
        },
        "definitions": {
            "state": "publish (time.time) → the progress sensor's last_changed in HA's state "
            "machine (HA's time; same host clock)",
            "state_ws": "publish → the subscribe_entities message arrived at the benchmark",
            "rest": "publish → the first GET /api/printers/{id}/status (polled back to back) "
            "answering the new progress_percent",
            "loop_lag": "how late a call_later repeating every 50 ms ran in hass's event loop "
            "(devstack/loop_probe), over the window",
            "cpu_percent": "user + system CPU seconds of the hass process (all threads) / wall "
            "seconds of the window x 100 (100 = one core)",
            "rss_mb": "resident set size of hass at the end of the window",
        },
        "sizes": sizes,
        **live,
        "summary": summary_rows(sizes),
        "wall_seconds": round(time.monotonic() - began, 1),
    }
    write_report(report, args.output)
    print_table(report)
    print(f"\n{args.output} written ({report['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
