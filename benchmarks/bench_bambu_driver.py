"""Bambu driver latency: report published on the broker → the driver's status callback.

For 1, 20 and 100 printer connections sharing one event loop, against real TLS Mosquitto
brokers (``ottosim.bambu.broker``). The driver checks that each certificate's CN is the
printer's serial, so every simulated printer has its own broker (one address, one port each).
Reports are injected through each broker's internal Unix-socket listener by a minimal
MQTT 3.1.1 publisher written against asyncio streams (no extra threads in the measured process).

Two measurements per farm size:

* ``sequential``: one report in flight at a time, to random printers (pure latency);
* ``burst``: every printer gets a report at the same instant (the loop under load).

Run: ``scripts/run python -m benchmarks.bench_bambu_driver`` → ``benchmarks/results/bambu_driver.json``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import platform
import random
import statistics
import struct
import sys
import tempfile
import time
from typing import Any

from custom_components.ottoengine.bambu import (
    BambuPrinterClient,
    ConnectionSettings,
    PrinterStatus,
)
from ottosim.bambu.broker import INTERNAL_USER, MosquittoBroker
from ottosim.bambu.certs import CertificateAuthority

HOST = "127.0.1.251"
FIRST_PORT = 18800
ACCESS_CODE = "12345678"
FARM_SIZES = (1, 20, 100)
SEQUENTIAL_SAMPLES = 300
BURST_ROUNDS = 20
RESULTS = Path(__file__).parent / "results" / "bambu_driver.json"


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


class RawPublisher:
    """MQTT 3.1.1 QoS 0 publisher over a Unix socket (CONNECT + PUBLISH, nothing else)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def connect(cls, path: Path, password: str, client_id: str) -> RawPublisher:
        reader, writer = await asyncio.open_unix_connection(str(path))
        variable = _string("MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 60)
        payload = _string(client_id) + _string(INTERNAL_USER) + _string(password)
        body = variable + payload
        writer.write(bytes([0x10]) + _remaining_length(len(body)) + body)
        await writer.drain()
        connack = await reader.readexactly(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise RuntimeError(f"publisher login refused: {connack!r}")
        return cls(reader, writer)

    @classmethod
    async def connect_to(
        cls, broker: MosquittoBroker, client_id: str, attempts: int = 100
    ) -> RawPublisher:
        """Connect to ``broker``'s internal socket, which appears just after its TCP port."""
        for _ in range(attempts - 1):
            try:
                return await cls.connect(
                    broker.internal_socket, broker.internal_password, client_id
                )
            except FileNotFoundError, ConnectionRefusedError:
                await asyncio.sleep(0.05)
        return await cls.connect(broker.internal_socket, broker.internal_password, client_id)

    def publish(self, topic: str, payload: bytes) -> None:
        body = _string(topic) + payload
        self._writer.write(bytes([0x30]) + _remaining_length(len(body)) + body)

    async def close(self) -> None:
        self._writer.write(b"\xe0\x00")  # DISCONNECT
        self._writer.close()
        await self._writer.wait_closed()


@dataclass
class Printer:
    serial: str
    broker: MosquittoBroker
    client: BambuPrinterClient
    publisher: RawPublisher | None = None
    waiting: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def on_status(self, status: PrinterStatus) -> None:
        started = self.waiting.pop(status.progress_percent, None)
        if started is not None:
            self.latencies.append(time.perf_counter() - started)
            if not self.waiting:
                self.answered.set()

    def send_report(self, marker: int) -> None:
        assert self.publisher is not None
        report = {"print": {"command": "push_status", "msg": 1, "mc_percent": marker}}
        self.answered.clear()
        self.waiting[marker] = time.perf_counter()
        self.publisher.publish(f"device/{self.serial}/report", json.dumps(report).encode())


def latency_summary(samples: list[float]) -> dict[str, Any]:
    """Count, p50, p99, max and mean of latencies given in seconds, in milliseconds."""
    millis = sorted(value * 1000 for value in samples)
    return {
        "samples": len(millis),
        "p50_ms": round(statistics.median(millis), 3),
        "p99_ms": round(millis[min(len(millis) - 1, int(len(millis) * 0.99))], 3),
        "max_ms": round(millis[-1], 3),
        "mean_ms": round(statistics.fmean(millis), 3),
    }


async def _wait_all(printers: list[Printer], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        for printer in printers:
            await printer.answered.wait()


async def _measure(printers: list[Printer]) -> dict[str, Any]:
    for printer in printers:
        printer.latencies.clear()
    rng = random.Random(7)
    marker = 0
    for _ in range(SEQUENTIAL_SAMPLES):
        printer = rng.choice(printers)
        marker = marker % 100 + 1
        printer.send_report(marker)
        await _wait_all([printer])
    sequential = [value for printer in printers for value in printer.latencies]
    for printer in printers:
        printer.latencies.clear()
    for round_number in range(BURST_ROUNDS):
        for printer in printers:
            printer.send_report(round_number % 100 + 1)
        await _wait_all(printers)
    burst = [value for printer in printers for value in printer.latencies]
    return {"sequential": latency_summary(sequential), "burst": latency_summary(burst)}


def bench_brokers(
    host: str, first_port: int, size: int, workdir: Path, ca: CertificateAuthority
) -> list[MosquittoBroker]:
    """``size`` TLS brokers on ``host``, one port each from ``first_port``, serials 01P00A…."""
    return [
        MosquittoBroker(
            host=host,
            port=first_port + index,
            serial=f"01P00A{index:09d}",
            access_code=ACCESS_CODE,
            workdir=workdir / f"broker-{size}-{index}",
            ca=ca,
        )
        for index in range(size)
    ]


async def start_brokers(brokers: list[MosquittoBroker]) -> None:
    """Start in small batches: each broker's set-up (key, password file) blocks briefly."""
    for first in range(0, len(brokers), 10):
        await asyncio.gather(*(broker.start() for broker in brokers[first : first + 10]))


async def _farm(size: int, workdir: Path, ca: CertificateAuthority) -> dict[str, Any]:
    printers: list[Printer] = []
    for broker in bench_brokers(HOST, FIRST_PORT, size, workdir, ca):
        settings = ConnectionSettings(port=broker.port, keepalive=60)
        client = BambuPrinterClient(HOST, broker.serial, ACCESS_CODE, settings=settings)
        printers.append(Printer(broker.serial, broker, client))
    try:
        await start_brokers([printer.broker for printer in printers])
        started = time.perf_counter()
        await asyncio.gather(*(printer.client.connect() for printer in printers))
        connect_seconds = time.perf_counter() - started
        for printer in printers:
            printer.client.add_status_listener(printer.on_status)
            printer.publisher = await RawPublisher.connect_to(
                printer.broker, f"bench-{printer.serial}"
            )
        await asyncio.sleep(0.5)  # let the handshake traffic settle
        result = await _measure(printers)
        return {"printers": size, "brokers": size, "connect_all_seconds": round(connect_seconds, 3),
                **result}  # fmt: skip
    finally:
        for printer in printers:
            if printer.publisher is not None:
                await printer.publisher.close()
        await asyncio.gather(*(printer.client.close() for printer in printers))
        await asyncio.gather(*(printer.broker.stop() for printer in printers))
        for printer in printers:
            printer.broker.remove_files()


async def _run(workdir: Path, ca: CertificateAuthority) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for size in FARM_SIZES:
        results.append(await _farm(size, workdir, ca))
        print(json.dumps(results[-1]), file=sys.stderr)
    return results


def main() -> dict[str, Any]:
    """Run every farm size and write the results file."""
    with tempfile.TemporaryDirectory(prefix="otto-bench-bambu-", dir="/tmp") as name:
        workdir = Path(name)
        workdir.chmod(0o755)  # Mosquitto may drop root and must still read its files
        results = asyncio.run(_run(workdir, CertificateAuthority.create(workdir / "ca")))
    report = {
        "benchmark": "bambu_driver report→callback latency",
        "description": __doc__.strip().splitlines()[0] if __doc__ else "",
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
