"""Printer latency through Home Assistant: report published → HA state change / REST answer.

A real Home Assistant (``bootstrap.async_setup_hass`` with a real HTTP server on 127.0.0.1)
runs the OttoEngine hub with 1, 20 and 100 printer subentries. Each printer is a real TLS
Mosquitto broker (``ottosim.bambu.broker``, one per printer: the driver checks that each
certificate names the printer's serial), so 100 printers are 100 brokers and 100 MQTT/TLS
client connections in Home Assistant's event loop. Reports are injected on each broker's
internal Unix-socket listener by the minimal publisher of ``bench_bambu_driver`` (the brain of
a simulated printer would add its own scheduling noise).

A sample publishes a delta report (``mc_percent`` = a fresh marker) to a random printer and
measures, from the publish:

* ``state``: until Home Assistant's state machine holds the new value of the printer's
  progress sensor (``state_changed`` event);
* ``rest``: until a ``GET /api/printers/{id}/status`` (polled back to back by an aiohttp client
  in the same process, with an admin token) answers with the new value;

plus ``burst_state``: every printer gets a report at the same instant (the loop under load).

Run: ``scripts/run python -m benchmarks.bench_printer_latency`` →
``benchmarks/results/printer_latency.json``.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
import json
import os
from pathlib import Path
import platform
import random
import socket
import sys
import tempfile
import time
from types import MappingProxyType
from typing import Any

import aiohttp

from benchmarks.bench_bambu_driver import (
    ACCESS_CODE,
    RawPublisher,
    bench_brokers,
    latency_summary,
    start_brokers,
)
from ottosim.bambu.broker import MosquittoBroker
from ottosim.bambu.certs import CertificateAuthority

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.1.252"
FIRST_PORT = 19800
FARM_SIZES = (1, 20, 100)
SAMPLES = 200
BURST_ROUNDS = 10
RESULTS = Path(__file__).parent / "results" / "printer_latency.json"
DOMAIN = "ottoengine"

FULL_REPORT = {
    "print": {
        "command": "push_status",
        "msg": 0,
        "sequence_id": "1",
        "gcode_state": "RUNNING",
        "mc_percent": 0,
        "mc_remaining_time": 60,
        "stg_cur": 0,
        "print_type": "local",
        "nozzle_temper": 220.0,
        "nozzle_target_temper": 220.0,
        "bed_temper": 55.0,
        "bed_target_temper": 55.0,
        "layer_num": 1,
        "total_layer_num": 100,
    }
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Printer:
    printer_id: int
    serial: str
    broker: MosquittoBroker
    entity_id: str = ""
    publisher: RawPublisher | None = None
    waiting: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self, report: dict[str, Any]) -> None:
        assert self.publisher is not None
        self.publisher.publish(f"device/{self.serial}/report", json.dumps(report).encode())

    def send_marker(self, marker: int) -> float:
        self.answered.clear()
        started = time.perf_counter()
        self.waiting[str(marker)] = started
        self.publish({"print": {"command": "push_status", "msg": 1, "mc_percent": marker}})
        return started

    def on_state(self, state: str) -> None:
        started = self.waiting.pop(state, None)
        if started is not None:
            self.latencies.append(time.perf_counter() - started)
            if not self.waiting:
                self.answered.set()


async def _start_home_assistant(config_dir: Path, port: int) -> Any:
    from homeassistant import bootstrap, runner

    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / "custom_components" / DOMAIN).symlink_to(
        REPO / "custom_components" / DOMAIN, target_is_directory=True
    )
    (config_dir / "configuration.yaml").write_text(
        "homeassistant:\n  name: bench\n  time_zone: UTC\n  unit_system: metric\n"
        "  latitude: 0\n  longitude: 0\n  elevation: 0\n"
        f"http:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
        # Home Assistant warns about the brokers' set-up file writes (benchmark scaffolding).
        "logger:\n  default: error\n"
    )
    hass = await bootstrap.async_setup_hass(
        runner.RuntimeConfig(config_dir=str(config_dir), skip_pip=True)
    )
    assert hass is not None
    await hass.async_start()
    return hass


async def _admin_token(hass: Any) -> str:
    from homeassistant.auth.const import GROUP_ID_ADMIN
    from homeassistant.auth.models import TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN

    user = await hass.auth.async_create_user("bench", group_ids=[GROUP_ID_ADMIN])
    refresh = await hass.auth.async_create_refresh_token(
        user,
        client_name="bench",
        token_type=TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN,
        access_token_expiration=timedelta(days=1),
    )
    return str(hass.auth.async_create_access_token(refresh))


async def _farm(  # noqa: PLR0917
    hass: Any, base_url: str, token: str, size: int, workdir: Path, ca: CertificateAuthority
) -> dict[str, Any]:
    from homeassistant.config_entries import ConfigSubentry
    from homeassistant.const import EVENT_STATE_CHANGED
    from homeassistant.helpers import entity_registry as er

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    entry = result["result"]
    printers = [
        Printer(index, broker.serial, broker)
        for index, broker in enumerate(bench_brokers(HOST, FIRST_PORT, size, workdir, ca), 1)
    ]
    by_entity: dict[str, Printer] = {}
    unsubscribe = None
    try:
        await start_brokers([printer.broker for printer in printers])
        for printer in printers:
            printer.publisher = await RawPublisher.connect_to(
                printer.broker, f"bench-{printer.serial}"
            )
        # The printers' port comes from the connection settings; the benchmark gives each
        # broker its own port on one address.
        from custom_components.ottoengine.bambu import ConnectionSettings
        from custom_components.ottoengine.printers import const

        started = time.perf_counter()
        for printer in printers:
            const.CONNECTION_SETTINGS = ConnectionSettings(
                port=FIRST_PORT + printer.printer_id - 1, keepalive=60
            )
            hass.config_entries.async_add_subentry(
                entry,
                ConfigSubentry(
                    data=MappingProxyType(
                        {
                            "id": printer.printer_id,
                            "name": f"Bench {printer.printer_id}",
                            "brand": "Bambu Lab",
                            "model": "P1S",
                            "type": "FDM",
                            "ip_address": HOST,
                            "serial_number": printer.serial,
                            "access_code": ACCESS_CODE,
                            "build_volume": None,
                            "filament": None,
                            "fingerprint": None,
                        }
                    ),
                    subentry_type="printer",
                    title=f"Bench {printer.printer_id}",
                    unique_id=printer.serial,
                ),
            )
            await entry.runtime_data.devices.async_sync()
        manager = entry.runtime_data.printers
        for printer in printers:
            coordinator = manager.get(printer.printer_id)
            while coordinator.client is None or not coordinator.client.connected:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            printer.publish(FULL_REPORT)
        while not all(manager.get(p.printer_id).online for p in printers):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        connect_seconds = time.perf_counter() - started
        await hass.async_block_till_done()
        registry = er.async_get(hass)
        for printer in printers:
            entity_id = registry.async_get_entity_id(
                "sensor", DOMAIN, f"{entry.entry_id}_printer_{printer.printer_id}_progress"
            )
            assert entity_id is not None
            printer.entity_id = entity_id
            by_entity[entity_id] = printer

        def on_state_changed(event: Any) -> None:
            printer = by_entity.get(event.data["entity_id"])
            new = event.data["new_state"]
            if printer is not None and new is not None:
                printer.on_state(new.state)

        unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state_changed)
        await asyncio.sleep(0.5)

        rng = random.Random(11)
        state_samples: list[float] = []
        rest_samples: list[float] = []
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            for sample in range(SAMPLES):
                printer = rng.choice(printers)
                printer.latencies.clear()
                marker = sample % 99 + 1
                if str(marker) == hass.states.get(printer.entity_id).state:
                    marker = marker % 99 + 1
                started = printer.send_marker(marker)
                url = f"{base_url}/api/printers/{printer.printer_id}/status"
                while True:
                    async with session.get(url) as response:
                        body = await response.json()
                    if body["progress_percent"] == marker:
                        rest_samples.append(time.perf_counter() - started)
                        break
                async with asyncio.timeout(10):
                    await printer.answered.wait()
                state_samples.extend(printer.latencies)

        burst: list[float] = []
        for round_number in range(BURST_ROUNDS):
            for printer in printers:
                printer.latencies.clear()
                current = hass.states.get(printer.entity_id).state
                marker = (int(current) + 1) % 100 if current.isdigit() else round_number + 1
                printer.send_marker(marker)
            async with asyncio.timeout(30):
                for printer in printers:
                    await printer.answered.wait()
            burst.extend(value for printer in printers for value in printer.latencies)
        return {
            "printers": size,
            "brokers": size,
            "connect_all_seconds": round(connect_seconds, 3),
            "state": latency_summary(state_samples),
            "rest": latency_summary(rest_samples),
            "burst_state": latency_summary(burst),
        }
    finally:
        if unsubscribe is not None:
            unsubscribe()
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        for printer in printers:
            if printer.publisher is not None:
                await printer.publisher.close()
        await asyncio.gather(*(printer.broker.stop() for printer in printers))
        for printer in printers:
            printer.broker.remove_files()


async def _run(workdir: Path) -> list[dict[str, Any]]:
    port = _free_port()
    hass = await _start_home_assistant(workdir / "config", port)
    try:
        token = await _admin_token(hass)
        ca = CertificateAuthority.create(workdir / "ca")
        results: list[dict[str, Any]] = []
        for size in FARM_SIZES:
            results.append(await _farm(hass, f"http://127.0.0.1:{port}", token, size, workdir, ca))
            print(json.dumps(results[-1]), file=sys.stderr)
        return results
    finally:
        await hass.async_stop()


def main() -> dict[str, Any]:
    """Run every farm size and write the results file."""
    with tempfile.TemporaryDirectory(prefix="otto-bench-printers-", dir="/tmp") as name:
        workdir = Path(name)
        workdir.chmod(0o755)  # Mosquitto may drop root and must still read its files
        results = asyncio.run(_run(workdir))
    report = {
        "benchmark": "printer report → Home Assistant state / REST latency",
        "description": __doc__.strip().splitlines()[0] if __doc__ else "",
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results,
    }
    # Home Assistant's loop protection stays installed: write from a worker thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(RESULTS.parent.mkdir, parents=True, exist_ok=True).result()
        pool.submit(RESULTS.write_text, json.dumps(report, indent=2) + "\n").result()
    return report


if __name__ == "__main__":
    main()
