"""Benchmark: the REST API under load — ``GET /api/printers/`` and ``GET /api/print-jobs/``.

A real ``hass`` (``python -m devstack --farm``, what ``scripts/develop`` runs) is attached to a
simulated farm this script starts (``python -m ottosim``) with ``--printers`` real simulated
printers (default 100: each its own TLS Mosquitto and vsftpd on 127.0.1.N and a firmware brain,
models cycling P1S, P1P, X1C, A1) and ``--ejectors`` OttoEjects (default 0), all on loopback.
The dev stack registers every printer in the hub (``POST /api/printers``); the benchmark waits
until each reports over MQTT (none ``OFFLINE``), so the hub carries the steady MQTT load of the
whole farm during the measurement.

Then, over the REST API: job processing is paused (the ``ottoengine.pause_processing`` action,
so the orchestrator starts none), ``--items`` small ``.gcode.3mf`` files are uploaded
(``POST /api/print-jobs/upload``) and ``--jobs`` jobs (default 1,000) are created on them
(``POST /api/print-jobs/`` with ``copies``, ``--copies`` jobs per request, priorities 1-5,
``auto_start`` true: they wait QUEUED). After the run every job is checked to be still QUEUED.

Each route is then loaded with Debian's ``wrk`` (4.1), installed in the toolchain root with
``apt-get`` when missing: ``wrk -t2 -c8 -d<S>s --latency -H "Authorization: Bearer <admin
token>" <url>`` (8 connections kept open = 8 concurrent clients), after a ``--warmup`` run that
is not counted. A ``done()`` Lua hook reports the exact figures: requests, req/s, latency p50 /
p90 / p99 / p99.9 / max (wrk measures from sending a request to its whole answer), socket
errors and answers with status >= 400 (must be 0; one plain GET before checks the route answers
200 with every printer / job). Beside it, the CPU seconds used by ``hass``, by ``wrk`` and by
the farm's processes during the window, and the idle CPU of ``hass`` over ``--idle`` seconds
before any load (the cost of 100 printers reporting).

**The machine**: ``wrk`` (2 threads), ``hass`` (one event loop, so one core at most for the
routes) and the farm share the same 2 cores, so these are the figures of a whole farm
controller on a 2-core box, not of the routes alone: the ``cpu`` section says who used them.

    scripts/run python -m benchmarks.bench_rest [--printers 100] [--jobs 1000] [--duration 15]
        [--warmup 3] [--connections 8] [--threads 2] [--workdir DIR]

→ ``benchmarks/results/rest.json`` (and a table on stdout). ``--workdir`` keeps Home
Assistant's config and log and the farm's log. Not run by the tests. The helpers that start the
farm and the dev stack are shared with ``bench_upload``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp
import psutil

from benchmarks.bench_orchestrator import (
    Api,
    Child,
    _arguments,
    _set_hub_options,
    _spawn,
    _unlink,
    _wait_for_json,
    git_commit,
    hass_log_findings,
    start_hass,
    write_report,
)
from tests.sim.clients import make_3mf

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "rest.json"
ROUTES = ("/api/printers/", "/api/print-jobs/")
START_TIMEOUT = 300.0
ONLINE_TIMEOUT = 180.0
MIB = 1024 * 1024
PRIORITIES = 5
ALL = "NEW,QUEUED,PRINTING,PAUSED,COMPLETED,FAILED,CANCELLED"  # every job status
# wrk's done() hook: the exact counts and percentiles (microseconds), one JSON line.
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"min_us": %d, "mean_us": %.1f, "stdev_us": %.1f, "max_us": %d, "p50_us": %d, '
    .. '"p90_us": %d, "p99_us": %d, "p999_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.min, latency.mean, latency.stdev, latency.max, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
"""


# -- the farm and the dev stack (shared with bench_upload) --------------------------------------


@dataclass
class Stack:
    """A running farm and ``hass`` with the farm's devices in the hub."""

    farm: Child
    develop: Child
    info: dict[str, Any]  # the dev stack's file: base_url, admin_token, hass_pid, farm
    setup_s: dict[str, float]

    @property
    def hass(self) -> psutil.Process:
        return psutil.Process(int(self.info["hass_pid"]))

    @property
    def farm_process(self) -> psutil.Process:
        return psutil.Process(self.farm.process.pid)


async def start_farm(
    work: Path, printers: int, ejectors: int, time_scale: float = 60.0
) -> tuple[Child, dict[str, Any]]:
    """``python -m ottosim`` with ``printers`` printers (the default model cycle)."""
    describe = work / "farm.json"
    _unlink(describe)  # a kept workdir holds the last run's description
    log = work / "farm.log"
    options = {
        "--printers": str(printers),
        "--ejectors": str(ejectors),
        "--time-scale": str(time_scale),
        "--describe": str(describe),
        "--identity-dir": str(work / "farm-identity"),
    }
    farm = await _spawn("the simulated farm", _arguments("ottosim", options), log, signal.SIGTERM)
    try:
        description = await _wait_for_json(describe, farm, log, START_TIMEOUT)
    except BaseException:
        await farm.stop()
        raise
    return farm, description


def cancel_on_signals() -> None:
    """Ctrl-C or SIGTERM cancel the run, so that ``running_stack`` stops every process."""
    task = asyncio.current_task()
    assert task is not None
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, task.cancel)


@contextlib.asynccontextmanager
async def running_stack(
    work: Path, printers: int, ejectors: int, hub_options: dict[str, Any] | None = None
) -> AsyncIterator[Stack]:
    """The farm, then ``hass`` with its devices; ``hub_options`` go into the hub entry's
    options between a first start (onboarding, the hub, the devices) and the measured one."""
    setup: dict[str, float] = {}
    began = time.monotonic()
    farm, _ = await start_farm(work, printers, ejectors)
    setup["farm_start_s"] = round(time.monotonic() - began, 1)
    develop: Child | None = None
    try:
        began = time.monotonic()
        develop, info = await start_hass(work)
        if hub_options:
            await develop.stop()
            _set_hub_options(work / "config", hub_options)
            develop, info = await start_hass(work)
        setup["hass_start_s"] = round(time.monotonic() - began, 1)
        yield Stack(farm, develop, info, setup)
    finally:
        if develop is not None:
            await develop.stop()
        await farm.stop()


def run_benchmark[T](body: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``body`` in a fresh event loop; Ctrl-C ends it with every process stopped."""
    try:
        return asyncio.run(body())
    except asyncio.CancelledError:
        sys.exit("[bench] interrupted; every process it started was stopped")


def make_workdir(given: Path | None, prefix: str) -> Path:
    work = given or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    return work


def machine(note: str, load_at_start: tuple[float, ...]) -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "memory_mib": round(psutil.virtual_memory().total / MIB),
        "load_average_at_start": [round(value, 2) for value in load_at_start],
        "load_average_at_end": [round(value, 2) for value in load],
        "note": note,
    }


def report_fields(
    benchmark: str, doc: str | None, module: str, note: str, load_at_start: tuple[float, ...]
) -> dict[str, Any]:
    """The fields every result file starts with: what ran, when, where and on which commit."""
    return {
        "benchmark": benchmark,
        "description": (doc or "").strip().splitlines()[0],
        "command": f"scripts/run python -m benchmarks.{module} " + " ".join(sys.argv[1:]),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": git_commit(),
        "machine": machine(note, load_at_start),
        "cpu_count": os.cpu_count(),
    }


def load_note() -> str:
    """What else ran on the machine: CPU busy over the second before the benchmark started (the
    load average lags by minutes behind work that has just ended, so it is only reported)."""
    busy = psutil.cpu_percent(interval=1.0)
    load = os.getloadavg()[0]
    if busy > 25:
        return (
            f"the machine was busy with other work when the benchmark started ({busy:.0f} % of "
            f"its CPUs, 1-min load {load:.2f}): times are pessimistic"
        )
    return f"the machine was quiet when the benchmark started ({busy:.0f} % CPU busy)"


def row(
    name: str, value: float, unit: str, target: str | None = None, met: bool | None = None
) -> dict[str, Any]:
    """One line of the ``summary`` table that RESULTS.md is built from."""
    return {"name": name, "value": value, "unit": unit, "target": target, "met": met}


def tree_cpu_seconds(root: psutil.Process) -> dict[int, float]:
    """user + system CPU seconds of ``root`` and every descendant, by pid."""
    found: dict[int, float] = {}
    for process in (root, *root.children(recursive=True)):
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            found[process.pid] = times.user + times.system
    return found


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two ``tree_cpu_seconds`` by the processes in both."""
    return sum(after[pid] - before[pid] for pid in after.keys() & before.keys())


def farm_footprint(farm: psutil.Process) -> dict[str, Any]:
    """How many processes the farm runs (by name) and their summed RSS (shared pages count
    once per process, so this overstates the memory the farm really takes)."""
    names: Counter[str] = Counter()
    rss = 0
    for process in (farm, *farm.children(recursive=True)):
        with contextlib.suppress(psutil.Error):
            names[process.name()] += 1
            rss += process.memory_info().rss
    return {"processes": dict(names), "rss_sum_mib": round(rss / MIB)}


def process_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def children_cpu() -> float:
    """CPU seconds of this script's reaped children (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- wrk ------------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """Debian's ``wrk``; installed with apt-get (in the toolchain root) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("[bench] wrk is missing: install Debian's wrk (apt-get install wrk)")
    print("[bench] installing Debian's wrk with apt-get", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = ["apt-get", "-o", "Acquire::Check-Valid-Until=false"]
    subprocess.run([*apt, "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*apt, "install", "-y", "-q", "--no-install-recommends", "wrk"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("wrk")
    if not found:
        sys.exit("[bench] apt-get installed wrk but it is not on PATH")
    return found


def wrk_version(wrk: str) -> str:
    completed = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return (completed.stdout + completed.stderr).strip().splitlines()[0]


@dataclass
class WrkRun:
    figures: dict[str, Any]
    text: str


async def run_wrk(
    wrk: str, url: str, token: str, *, args: argparse.Namespace, duration: float, script: Path
) -> WrkRun:
    process = await asyncio.create_subprocess_exec(
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration:g}s",
        "--latency",
        "--timeout",
        "30s",
        "-s",
        str(script),
        "-H",
        f"Authorization: Bearer {token}",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}:\n{text}")
    line = next((x for x in text.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{text}")
    figures: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    shown = "\n".join(x for x in text.splitlines() if not x.startswith("WRK_JSON "))
    return WrkRun(figures, shown)


def wrk_result(run: WrkRun) -> dict[str, Any]:
    f = run.figures
    seconds = f["duration_us"] / 1e6
    errors = f["connect_errors"] + f["read_errors"] + f["write_errors"] + f["timeouts"]
    return {
        "requests": f["requests"],
        "duration_s": round(seconds, 3),
        "requests_per_s": round(f["requests"] / seconds, 1),
        "bytes_per_answer": round(f["bytes"] / f["requests"]) if f["requests"] else None,
        "mib_per_s": round(f["bytes"] / seconds / MIB, 2),
        "latency_ms": {
            key: round(f[f"{key}_us"] / 1000, 2)
            for key in ("min", "mean", "stdev", "p50", "p90", "p99", "p999", "max")
        },
        "socket_errors": errors,
        "status_errors": f["status_errors"],
        "error_breakdown": {
            key: f[key]
            for key in (
                "connect_errors",
                "read_errors",
                "write_errors",
                "timeouts",
                "status_errors",
            )
        },
        "wrk_output": run.text,
    }


# -- the farm's content -----------------------------------------------------------------------------


async def wait_all_online(api: Api, printers: int) -> float:
    """Seconds until the hub lists ``printers`` printers, none OFFLINE."""
    began = time.monotonic()
    while True:
        listed = await api.call("GET", "/api/printers/")
        offline = [p["name"] for p in listed if p["status"] == "OFFLINE"]
        if len(listed) == printers and not offline:
            return round(time.monotonic() - began, 1)
        if time.monotonic() - began > ONLINE_TIMEOUT:
            raise RuntimeError(
                f"{len(listed)} of {printers} printers in the hub, offline: {offline[:10]}..."
            )
        await asyncio.sleep(1.0)


async def create_jobs(api: Api, args: argparse.Namespace) -> dict[str, Any]:
    """Small print items, then ``args.jobs`` QUEUED jobs on them (processing is paused)."""
    began = time.monotonic()
    items = []
    for index in range(args.items):
        data = make_3mf(
            prediction_s=600 + 300 * index, layers=20 + index, max_z_mm=10.0 + 5 * index
        )
        answer = await api.upload("/api/print-jobs/upload", f"bench-rest-{index}.gcode.3mf", data)
        items.append(int(answer["print_item_id"]))
    existing = len(await api.call("GET", "/api/print-jobs/"))
    missing = max(0, args.jobs - existing)
    requests = 0
    while missing > 0:
        copies = min(args.copies, missing)
        body = {
            "print_item_id": items[requests % len(items)],
            "copies": copies,
            "priority": 1 + requests % PRIORITIES,
            "auto_start": True,
        }
        await api.call("POST", "/api/print-jobs/", body)
        missing -= copies
        requests += 1
    return {
        "print_items": len(items),
        "jobs_before": existing,
        "create_requests": requests,
        "copies_per_request": args.copies,
        "seconds": round(time.monotonic() - began, 1),
    }


async def route_check(
    session: aiohttp.ClientSession, base: str, token: str, route: str
) -> dict[str, Any]:
    """One plain GET as wrk sends it: 200 (no redirect), the answer's size, its records."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(base + route, headers=headers, allow_redirects=False) as response:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {route}: {response.status} {body[:300]!r}")
    return {"status": 200, "records": len(json.loads(body)), "bytes": len(body)}


# -- the run ----------------------------------------------------------------------------------------


async def run_live(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    cancel_on_signals()
    wrk = ensure_wrk()
    script = work / "wrk-done.lua"
    script.write_text(WRK_DONE, encoding="utf-8")
    async with running_stack(work, args.printers, args.ejectors) as stack:
        token = str(stack.info["admin_token"])
        base = str(stack.info["base_url"]).rstrip("/")
        hass = stack.hass
        async with aiohttp.ClientSession() as session:
            api = Api(session, stack.info)
            stack.setup_s["printers_online_s"] = await wait_all_online(api, args.printers)
            await api.service("pause_processing")
            jobs = await create_jobs(api, args)
            checks = {route: await route_check(session, base, token, route) for route in ROUTES}

            hass_rss_before = hass.memory_info().rss
            cpu_before = process_cpu(hass)
            farm_before = tree_cpu_seconds(stack.farm_process)
            await asyncio.sleep(args.idle)
            idle_cpu = process_cpu(hass) - cpu_before
            farm_idle_cpu = cpu_delta(farm_before, tree_cpu_seconds(stack.farm_process))
            farm_size = farm_footprint(stack.farm_process)

            routes: dict[str, Any] = {}
            for route in ROUTES:
                print(f"[bench] wrk {route}", file=sys.stderr, flush=True)
                if args.warmup > 0:
                    await run_wrk(
                        wrk, base + route, token, args=args, duration=args.warmup, script=script
                    )
                hass_before = process_cpu(hass)
                farm_before = tree_cpu_seconds(stack.farm_process)
                wrk_before = children_cpu()
                run = await run_wrk(
                    wrk, base + route, token, args=args, duration=args.duration, script=script
                )
                result = wrk_result(run)
                window = result["duration_s"]
                hass_cpu = process_cpu(hass) - hass_before
                farm_cpu = cpu_delta(farm_before, tree_cpu_seconds(stack.farm_process))
                wrk_cpu = children_cpu() - wrk_before
                result["cpu_seconds"] = {
                    "hass": round(hass_cpu, 2),
                    "wrk": round(wrk_cpu, 2),
                    "farm": round(farm_cpu, 2),
                    "window_s": window,
                    "hass_share_of_one_core": round(hass_cpu / window, 3),
                    "hass_ms_per_request": round(hass_cpu * 1000 / result["requests"], 2),
                    "machine_cores_busy": round((hass_cpu + wrk_cpu + farm_cpu) / window, 2),
                }
                result["check"] = checks[route]
                routes[route] = result
            hass_rss_after = hass.memory_info().rss
            statuses = Counter(
                job["status"] for job in await api.call("GET", "/api/print-jobs/?status=" + ALL)
            )
    return {
        "setup_s": stack.setup_s,
        "jobs": {**jobs, "statuses_after": dict(statuses)},
        "idle": {
            "window_s": args.idle,
            "hass_cpu_seconds": round(idle_cpu, 2),
            "hass_share_of_one_core": round(idle_cpu / args.idle, 3),
            "farm_cpu_seconds": round(farm_idle_cpu, 2),
            "farm_share_of_one_core": round(farm_idle_cpu / args.idle, 3),
        },
        "farm": farm_size,
        "hass_rss_mib": {
            "before_load": round(hass_rss_before / MIB, 1),
            "after_load": round(hass_rss_after / MIB, 1),
        },
        "routes": routes,
        "wrk": wrk_version(wrk),
        "hass_log": hass_log_findings(work / "develop.log"),
    }


def summary_rows(live: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    labels = {
        "/api/printers/": f"GET /api/printers/ ({args.printers:,} printers)",
        "/api/print-jobs/": f"GET /api/print-jobs/ ({args.jobs:,} jobs)",
    }
    rows = []
    for route, result in live["routes"].items():
        label = labels[route]
        rows.append(row(f"{label}: throughput", result["requests_per_s"], "req/s"))
        rows.append(row(f"{label}: p50", result["latency_ms"]["p50"], "ms"))
        rows.append(row(f"{label}: p99", result["latency_ms"]["p99"], "ms"))
        failed = result["socket_errors"] + result["status_errors"]
        rows.append(row(f"{label}: errors + non-2xx", failed, "count", "= 0", failed == 0))
    return rows


def print_table(report: dict[str, Any]) -> None:
    p = report["parameters"]
    print(
        f"wrk -t{p['threads']} -c{p['connections']} -d{p['duration_s']:g}s, "
        f"{p['printers']} printers, {p['jobs']:,} jobs"
    )
    print(
        f"{'route':<20} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'KiB/ans':>8} {'errors':>7} {'hass ms/req':>12}"
    )
    for route, r in report["routes"].items():
        lat = r["latency_ms"]
        print(
            f"{route:<20} {r['requests_per_s']:8.1f} {lat['p50']:8.1f} {lat['p90']:8.1f} "
            f"{lat['p99']:8.1f} {lat['max']:8.1f} {r['bytes_per_answer'] / 1024:8.1f} "
            f"{r['socket_errors'] + r['status_errors']:7d} "
            f"{r['cpu_seconds']['hass_ms_per_request']:12.2f}"
        )
    idle = report["idle"]
    print(
        f"idle, the farm reporting: hass {idle['hass_share_of_one_core']:.3f} of one core, "
        f"the farm's processes {idle['farm_share_of_one_core']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--printers", type=int, default=100)
    parser.add_argument("--ejectors", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--items", type=int, default=4, help="print items the jobs use")
    parser.add_argument("--copies", type=int, default=10, help="jobs per create request (<=100)")
    parser.add_argument("--duration", type=float, default=15.0, help="wrk seconds per route")
    parser.add_argument("--warmup", type=float, default=3.0, help="uncounted wrk seconds first")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measured")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep the logs and config here")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not 1 <= args.copies <= 100:
        parser.error("--copies must be 1..100")
    began = time.monotonic()
    note = load_note()
    load_at_start = os.getloadavg()
    work = make_workdir(args.workdir, "otto-bench-rest-")
    try:
        live = run_benchmark(lambda: run_live(args, work))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    report: dict[str, Any] = {
        **report_fields(
            "rest: GET /api/printers/ and GET /api/print-jobs/ under wrk",
            __doc__,
            "bench_rest",
            note,
            load_at_start,
        ),
        "parameters": {
            "printers": args.printers,
            "ejectors": args.ejectors,
            "jobs": args.jobs,
            "print_items": args.items,
            "copies_per_request": args.copies,
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "idle_s": args.idle,
            "processing": "paused (ottoengine.pause_processing): every job stays QUEUED",
            "shared_cores": "wrk, hass and the farm share the machine's cores",
        },
        **live,
        "wall_seconds": round(time.monotonic() - began, 1),
    }
    report["summary"] = summary_rows(live, args)
    write_report(report, args.output)
    print_table(report)
    print(f"\n{args.output} written ({report['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
