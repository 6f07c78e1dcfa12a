"""Benchmark: CPU cost and report timing of a 20-printer simulated farm.

Runs ``python -m ottosim`` (20 printers, 2 OttoEjects by default) as a subprocess, uploads a
2-hour job to every printer over FTPS, starts them all over MQTT, then for a measurement window
while every printer is RUNNING samples:

- CPU seconds used by the farm process and all its children (Mosquitto, vsftpd, Moonraker),
  from psutil (utime + stime), as a share of one core and of the machine;
- the interval between consecutive ``push_status`` reports of each printer as a TLS subscriber
  sees them, against the interval the firmware simulation aims for (jitter / lag).

An idle window (all printers idle) is measured first for comparison. Results go to
``benchmarks/results/farm.json``.

    scripts/run python benchmarks/bench_farm.py [--printers 20] [--ejectors 2] [--window 60]
"""

from __future__ import annotations

import argparse
import ftplib
import io
import json
import os
from pathlib import Path
import platform
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any
import zipfile

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
import psutil

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "farm.json"
JOB_SECONDS = 7200  # a 2 h print
TIME_SCALE = 30.0  # -> 240 s real per print: outlasts the window
EXPECTED_ACTIVE_INTERVAL_S = 1.0 / TIME_SCALE  # clamped by the firmware simulation to 0.5..1.0


class ImplicitFTPS(ftplib.FTP_TLS):
    """Implicit TLS, data connections reusing the control session (what Bambu printers need)."""

    def connect(
        self, host: str = "", port: int = 0, timeout: float = -999, source_address: Any = None
    ) -> str:
        self.host, self.port = host, port
        raw = socket.create_connection((host, port), 30)
        self.af = raw.family
        self.sock = self.context.wrap_socket(raw, server_hostname=host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def ntransfercmd(
        self, cmd: str, rest: int | str | None = None
    ) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321 (FTPS: TLS below)
        if self._prot_p:  # type: ignore[attr-defined]
            conn = self.context.wrap_socket(
                conn,
                server_hostname=self.host,
                session=self.sock.session,  # type: ignore[union-attr]
            )
        return conn, size


def unverified_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def job_file() -> bytes:
    gcode = f"; total estimated time: {JOB_SECONDS // 3600}h 0m 0s\n; total layer number: 400\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Metadata/plate_1.gcode", gcode + "G1 X1\n" * 20000)
        archive.writestr(
            "Metadata/slice_info.config",
            f'<config><plate><metadata key="index" value="1"/>'
            f'<metadata key="prediction" value="{JOB_SECONDS}"/></plate></config>',
        )
    return buffer.getvalue()


def upload(printer: dict[str, Any], name: str, data: bytes) -> None:
    client = ImplicitFTPS(context=unverified_context())
    client.connect(printer["ip"], printer["ftps_port"])
    client.login("bblp", printer["access_code"])
    client.prot_p()
    client.storbinary(f"STOR /{name}", io.BytesIO(data))
    client.quit()


class Watcher:
    """One TLS MQTT client per printer (paho thread), recording report arrival times."""

    def __init__(self, printer: dict[str, Any]) -> None:
        self.printer = printer
        self.serial = printer["serial_number"]
        self.arrivals: list[float] = []
        self.state: str | None = None
        self.recording = False
        self.lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{self.serial}")
        self.client.username_pw_set("bblp", printer["access_code"])
        self.client.tls_set_context(unverified_context())
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.connect(printer["ip"], printer["mqtt_port"], keepalive=30)
        self.client.loop_start()

    def _on_connect(self, client: mqtt.Client, *_args: Any) -> None:
        client.subscribe(f"device/{self.serial}/report", qos=0)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        now = time.monotonic()
        report = json.loads(message.payload).get("print", {})
        if report.get("command") != "push_status":
            return
        with self.lock:
            self.state = report.get("gcode_state", self.state)
            if self.recording:
                self.arrivals.append(now)

    def request(self, body: dict[str, Any]) -> None:
        self.client.publish(f"device/{self.serial}/request", json.dumps(body), qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def cpu_seconds(farm: psutil.Process) -> dict[str, float]:
    """CPU seconds (user + system) by process kind: the farm itself and its children."""
    totals: dict[str, float] = {}
    for process in [farm, *farm.children(recursive=True)]:
        try:
            times = process.cpu_times()
            name = process.name()
        except psutil.NoSuchProcess:
            continue
        kind = "farm_python" if process.pid == farm.pid else name
        if "moonraker" in " ".join(process.cmdline()):
            kind = "moonraker"
        totals[kind] = totals.get(kind, 0.0) + times.user + times.system
    return totals


def measure_cpu(farm: psutil.Process, seconds: float) -> dict[str, Any]:
    before = cpu_seconds(farm)
    start = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - start
    after = cpu_seconds(farm)
    used = {k: round(after.get(k, 0.0) - before.get(k, 0.0), 3) for k in after}
    total = sum(used.values())
    return {
        "window_s": round(wall, 2),
        "cpu_seconds": dict(sorted(used.items())),
        "cpu_seconds_total": round(total, 3),
        "percent_of_one_core": round(100 * total / wall, 2),
        "percent_of_machine": round(100 * total / wall / (os.cpu_count() or 1), 2),
    }


def interval_stats(watchers: list[Watcher], expected: float) -> dict[str, Any]:
    intervals = [
        later - earlier
        for watcher in watchers
        for earlier, later in zip(watcher.arrivals, watcher.arrivals[1:], strict=False)
    ]
    if not intervals:
        return {"reports": 0}
    ordered = sorted(intervals)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 4)

    lateness = [max(0.0, i - expected) for i in intervals]
    return {
        "reports": sum(len(w.arrivals) for w in watchers),
        "expected_interval_s": expected,
        "mean_s": round(statistics.fmean(intervals), 4),
        "stdev_s": round(statistics.pstdev(intervals), 4),
        "p50_s": pct(0.50),
        "p95_s": pct(0.95),
        "p99_s": pct(0.99),
        "max_s": round(ordered[-1], 4),
        "mean_lateness_ms": round(1000 * statistics.fmean(lateness), 1),
        "p99_lateness_ms": round(1000 * sorted(lateness)[int(0.99 * (len(lateness) - 1))], 1),
    }


def start_farm(args: argparse.Namespace, describe: Path, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "ottosim", "--printers", str(args.printers),
        "--ejectors", str(args.ejectors), "--time-scale", str(TIME_SCALE),
        "--describe", str(describe),
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=20)
    parser.add_argument("--ejectors", type=int, default=2)
    parser.add_argument("--window", type=float, default=60.0, help="printing window, seconds")
    parser.add_argument("--idle-window", type=float, default=20.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-farm-") as directory:
        describe, log = Path(directory) / "farm.json", Path(directory) / "farm.log"
        started = time.monotonic()
        process = start_farm(args, describe, log)
        watchers: list[Watcher] = []
        try:
            while not describe.exists():
                if process.poll() is not None or time.monotonic() - started > 180:
                    print(log.read_text(), file=sys.stderr)
                    return 1
                time.sleep(0.1)
            startup_s = time.monotonic() - started
            farm = psutil.Process(process.pid)
            description = json.loads(describe.read_text())
            printers = description["printers"]
            watchers = [Watcher(printer) for printer in printers]
            time.sleep(2)
            for watcher in watchers:
                watcher.request({"pushing": {"sequence_id": "0", "command": "pushall"}})
            idle = measure_cpu(farm, args.idle_window)

            data = job_file()
            for printer in printers:
                upload(printer, "bench.gcode.3mf", data)
            for watcher in watchers:
                watcher.request(
                    {"print": {"sequence_id": "0", "command": "project_file",
                               "param": "Metadata/plate_1.gcode",
                               "url": "file:///sdcard/bench.gcode.3mf", "file": "bench.gcode.3mf",
                               "subtask_name": "bench", "use_ams": False, "bed_leveling": True}}
                )  # fmt: skip
            deadline = time.monotonic() + 60
            while any(w.state != "RUNNING" for w in watchers):
                if time.monotonic() > deadline:
                    print("not every printer reached RUNNING", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            for watcher in watchers:
                with watcher.lock:
                    watcher.recording = True
            printing = measure_cpu(farm, args.window)
            for watcher in watchers:
                with watcher.lock:
                    watcher.recording = False
            still_running = sum(w.state == "RUNNING" for w in watchers)
            expected = max(0.5, min(1.0, EXPECTED_ACTIVE_INTERVAL_S))
            result = {
                "benchmark": "bench_farm",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "farm": {
                    "printers": len(printers),
                    "ejectors": len(description["ejectors"]),
                    "time_scale": TIME_SCALE,
                    "startup_s": round(startup_s, 2),
                },
                "idle": idle,
                "printing": {
                    **printing,
                    "printers_running_at_end": still_running,
                    "report_intervals": interval_stats(watchers, expected),
                },
            }
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(result, indent=2) + "\n")
            print(json.dumps(result, indent=2))
            return 0
        finally:
            for watcher in watchers:
                watcher.close()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
