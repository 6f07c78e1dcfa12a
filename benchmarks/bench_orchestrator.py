"""Benchmark: the orchestrator running a simulated farm lights-out, against a 5 s polling loop.

A real ``hass`` (``python -m devstack``, what ``scripts/develop`` runs, attached with ``--farm``
to a farm this script starts with ``python -m ottosim``: a P1S, a P1P and an A1, one OttoEject,
one rack) runs on loopback. Jobs are uploaded and queued over the REST API. Every time below comes
from the farm's own ground truth event log (``GET <control>/events``), never from Home Assistant.
Times are wall-clock (Home Assistant runs in real time); multiply by ``time_scale`` for the
farm's simulated seconds. The hub's ``bed_settle_s`` option (*Bed settle time*) is set to 20
simulated seconds, ``20 / time_scale`` (the time a real bed takes to drop 200 mm at F600), in the
hub entry's options before the measured start of Home Assistant.

1. **Reaction**: print finished → first ejector macro. For each ``print_finished`` of a printer,
   the ``macro_started`` of the ``OTTOEJECT_HOME`` that opens the robot's sequence for that print
   (the last one before the next ``EJECT_FROM_<printer>``). ``all``: every print (a print that
   finishes while the robot serves another printer waits for it); ``robot_idle``: only prints
   that finished while the robot had no sequence running (its last event before the finish was
   the end of a ``PARK_OTTOEJECT``, or it had none) and whose ``OTTOEJECT_HOME`` was the next
   macro the robot started (no print that had finished earlier was served first). Measured on
   the makespan run (the event-driven orchestrator) and, later in the same run on the same farm
   and hub, on the polling baseline:

   *Polling baseline* (the original Node.js OttoEngine's loop, as small as it can be): job
   processing is switched off (``ottoengine.pause_processing``); the benchmark uploads a file
   per print duration to each printer (``POST /api/printers/{id}/upload``) and starts a print on
   each (``start-print``). Every 5 s it reads ``GET /api/printers/{id}/status`` of every printer;
   a printer that reports FINISH, after it was seen busy since its start, joins a first-come
   queue. One worker serves the queue, one printer at a time, over the REST API: it sends
   ``OTTOEJECT_HOME`` and the bed move to the printer's eject position (``send-gcode``)
   together, waits the same bed settle time, then runs ``EJECT_FROM_…``, ``STORE_TO_SLOT_n`` (a
   free shelf), ``GRAB_FROM_SLOT_m`` (an empty plate), ``LOAD_ONTO_…`` and ``PARK_OTTOEJECT``
   (each ``POST /api/ottoeject/{id}/macros`` answers once the macro has ended), and starts the
   printer's next print (a random one of its files) until the planned number was started. An
   operator (the farm's ``POST /operator``) then takes the print off shelf n and leaves its
   plate there, so the rack always has a free shelf and an empty plate (the benchmark keeps its
   own record of both, as the original kept its rack table).

2. **Makespan** of ``--jobs`` jobs (default 30: two in three sliced for the P1 family, so P1S or
   P1P, one in three for the A1; predictions drawn from ``DURATIONS_S``) queued while processing
   is off; the clock starts when processing is switched on and stops at the robot's last
   ``macro_finished`` (every print stored, the robot parked). Rack: the largest the hub allows
   (50 shelves, 80 mm apart); it starts with 25 empty plates, so before the start an operator
   puts an empty plate on the highest free shelves until there are ``jobs - printers`` plates
   (and the benchmark marks them in the hub, ``PUT /api/ottoracks/{id}/shelves/{id}``); nobody
   touches the rack during the run. Lower bound::

       bound = max( max over printers p of sum(print_finished.t - print_started.t of p's prints),
                    sum over the robot's macros of (macro_finished.t - macro_started.t) )

   ``ratio`` = makespan / bound. ``per_printer.not_printing`` splits each printer's time that
   is not in a print: before its first print, between prints (its eject, load and start, and
   any wait for the robot), after its last print.

3. **One scheduling decision**: ``plan()`` on ``bench_scheduler``'s synthetic farms (its
   ``build`` and ``SCENARIOS``), 100 printers x 1,000 queued jobs and 300 x 10,000, best and
   median of ``--repeat`` runs; run before any process starts.

    scripts/run python -m benchmarks.bench_orchestrator [--time-scale 60] [--jobs 30]
        [--baseline-prints 30] [--repeat 5] [--workdir DIR]

→ ``benchmarks/results/orchestrator.json`` (and a short table on stdout). ``--workdir`` keeps
Home Assistant's config and log and the farm's events of both runs (``events.json``). Not run by
the tests.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

import aiohttp

from benchmarks.bench_bambu_driver import latency_summary
from benchmarks.bench_scheduler import SCENARIOS, build
from custom_components.ottoengine.farm.orchestration.topology import BedPosition
from ottosim.process import die_with_parent
from tests.sim.clients import make_3mf

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "orchestrator.json"
DOMAIN = "ottoengine"
MODELS = ("P1S", "P1P", "A1")
FAMILY = {"P1S": "C12", "P1P": "C12", "A1": "N2S"}  # slice_info printer_model_id of each model
SHELVES = 50  # the most a rack may have in the hub
DURATIONS_S = (257, 331, 419, 503, 587)  # sliced predictions (simulated s), not multiples of 5 s
BED_SETTLE_SIM_S = 20.0
POLL_S = 5.0
BUSY = frozenset({"PREPARE", "RUNNING", "PAUSE", "SLICING", "INIT"})
START_TIMEOUT = 300.0
STOP_TIMEOUT = 90.0
HOME, PARK = "OTTOEJECT_HOME", "PARK_OTTOEJECT"
SHARED_MACHINE = (
    "the machine (2 cores) was shared with another engineer's test runs during the measurement"
)

Event = dict[str, Any]


# -- processes --------------------------------------------------------------------------------


@dataclass
class Child:
    """A process this benchmark started; ``stop`` ends it (signal, then kill after a timeout)."""

    name: str
    process: asyncio.subprocess.Process
    stop_signal: signal.Signals

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(self.stop_signal)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            print(f"[bench] {self.name} did not stop in time: killing it", file=sys.stderr)
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


def _open_log(log: Path) -> IO[bytes]:
    return log.open("ab")


def _arguments(module: str, options: dict[str, str]) -> list[str]:
    return ["-m", module, *(part for option in options.items() for part in option)]


async def _spawn(
    name: str, arguments: Sequence[str], log: Path, stop_signal: signal.Signals
) -> Child:
    output = _open_log(log)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *arguments,
            cwd=REPO,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            # Should this script be killed outright, the child stops too.
            preexec_fn=die_with_parent,
        )
    finally:
        output.close()
    return Child(name, process, stop_signal)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError, ValueError:
        return None


async def _wait_for_json(path: Path, child: Child, log: Path, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.returncode is not None:
            tail = _tail(log, 3000)
            raise RuntimeError(f"{child.name} exited ({child.process.returncode}):\n{tail}")
        data = _read_json(path)
        if isinstance(data, dict):
            return data
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{child.name}: {path} did not appear within {timeout:.0f} s")


def _tail(path: Path, size: int) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-size:]


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _set_hub_options(config: Path, options: dict[str, Any]) -> None:
    """Add ``options`` to the hub entry's options (Home Assistant must not be running)."""
    path = config / ".storage" / "core.config_entries"
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = [e for e in data["data"]["entries"] if e["domain"] == DOMAIN]
    if len(entries) != 1:
        raise RuntimeError(f"expected one {DOMAIN} entry in {path}, found {len(entries)}")
    entries[0]["options"] = {**entries[0]["options"], **options}
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


async def start_farm(args: argparse.Namespace, work: Path) -> tuple[Child, dict[str, Any]]:
    describe = work / "farm.json"
    log = work / "farm.log"
    options = {
        "--printers": str(len(MODELS)),
        "--models": ",".join(MODELS),
        "--ejectors": "1",
        "--shelves": str(SHELVES),
        "--time-scale": str(args.time_scale),
        "--describe": str(describe),
        "--identity-dir": str(work / "farm-identity"),
    }
    farm = await _spawn(
        "the simulated farm",
        _arguments("ottosim", options),
        log,
        signal.SIGTERM,
    )
    try:
        description = await _wait_for_json(describe, farm, log, START_TIMEOUT)
    except BaseException:
        await farm.stop()
        raise
    return farm, description


async def start_hass(work: Path) -> tuple[Child, dict[str, Any]]:
    """``python -m devstack --farm``: Home Assistant, onboarded, the farm's devices in the hub."""
    stack_file = work / "stack.json"
    _unlink(stack_file)
    log = work / "develop.log"
    options = {
        "--farm": str(work / "farm.json"),
        "--port": "0",
        "--config": str(work / "config"),
        "--stack-file": str(stack_file),
    }
    develop = await _spawn(
        "python -m devstack",
        _arguments("devstack", options),
        log,
        signal.SIGINT,  # Ctrl-C, as in a terminal: it stops Home Assistant (not the farm)
    )
    try:
        stack = await _wait_for_json(stack_file, develop, log, START_TIMEOUT)
    except BaseException:
        await develop.stop()
        raise
    return develop, stack


# -- REST ---------------------------------------------------------------------------------------


class Api:
    """The hub's REST API (admin token) and the farm's control endpoint."""

    def __init__(self, session: aiohttp.ClientSession, stack: dict[str, Any]) -> None:
        self._session = session
        self._base = str(stack["base_url"]).rstrip("/")
        self._headers = {"Authorization": f"Bearer {stack['admin_token']}"}
        self._control = str(stack["farm"]["control"]).rstrip("/")

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        timeout = aiohttp.ClientTimeout(total=60)
        async with self._session.request(method, url, timeout=timeout, **kwargs) as response:
            text = await response.text()
            if response.status >= 400:
                raise RuntimeError(f"{method} {url}: {response.status} {text[:500]}")
            return json.loads(text) if text else None

    async def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        return await self._request(
            method, self._base + path, json=body, headers=self._headers, **kwargs
        )

    async def service(self, name: str) -> None:
        await self.call("POST", f"/api/services/{DOMAIN}/{name}", {})

    async def upload(self, path: str, name: str, data: bytes) -> Any:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
        return await self.call("POST", path, data=form)

    async def macro(self, ejector_id: int, macro: str, params: dict[str, Any] | None) -> None:
        await self.call(
            "POST", f"/api/ottoeject/{ejector_id}/macros", {"macro": macro, "params": params}
        )

    async def farm(self, method: str, path: str, body: Any = None) -> Any:
        return await self._request(method, self._control + path, json=body)

    async def operator(self, action: str, **params: Any) -> Any:
        return await self.farm("POST", "/operator", {"action": action, **params})

    async def events(self, since: float) -> list[Event]:
        answer = await self.farm("GET", f"/events?since={since!r}")
        events: list[Event] = answer["events"]
        return events


@dataclass
class HubPrinter:
    printer_id: int
    name: str  # the farm's name (p1s-1, ...)
    model: str
    eject: str
    load: str
    params: dict[str, Any] | None
    bed_gcode: str
    files: list[str] = field(default_factory=list)
    printing: bool = False
    seen_busy: bool = False


async def hub_printers(api: Api, farm: dict[str, Any]) -> list[HubPrinter]:
    by_serial = {p["serial_number"]: p for p in farm["printers"]}
    printers = []
    for summary in await api.call("GET", "/api/printers"):
        details = await api.call("GET", f"/api/printers/{summary['id']}")
        simulated = by_serial[details["serial_number"]]
        macros = details["macros"]
        position = details["eject_position"]
        bed = BedPosition(position["axis"], float(position["position_mm"]))
        printers.append(
            HubPrinter(
                printer_id=int(details["id"]),
                name=simulated["name"],
                model=simulated["model"],
                eject=macros["eject"],
                load=macros["load"],
                params=macros["params"] or None,
                bed_gcode=bed.gcode,
            )
        )
    return printers


async def wait_online(api: Api, printers: list[HubPrinter], ejector_id: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        states = [
            (await api.call("GET", f"/api/printers/{p.printer_id}/status"))["online"]
            for p in printers
        ]
        robot = (await api.call("GET", f"/api/ottoeject/{ejector_id}/status"))["status"]
        if all(states) and robot == "ONLINE":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"devices not online: printers {states}, OttoEject {robot}")
        await asyncio.sleep(0.5)


# -- the event log ------------------------------------------------------------------------------


@dataclass
class Macro:
    name: str
    started: float
    finished: float


def robot_macros(events: list[Event], ejector: str) -> list[Macro]:
    """The robot's macros (one at a time), paired start → end."""
    macros: list[Macro] = []
    open_start: Event | None = None
    for event in events:
        if event["device"] != ejector:
            continue
        if event["event"] == "macro_started":
            open_start = event
        elif event["event"] == "macro_finished" and open_start is not None:
            macros.append(Macro(open_start["macro"], open_start["t"], event["t"]))
            open_start = None
    return macros


@dataclass
class Reactions:
    all: list[float] = field(default_factory=list)
    robot_idle: list[float] = field(default_factory=list)
    unanswered: int = 0


def reactions(events: list[Event], ejector: str, eject_macro: dict[str, str]) -> Reactions:
    """print_finished → the OTTOEJECT_HOME opening the robot's sequence for that print."""
    found = Reactions()
    robot = [e for e in events if e["device"] == ejector and e["event"].startswith("macro_")]
    starts = [e for e in robot if e["event"] == "macro_started"]
    for finish in events:
        if finish["event"] != "print_finished" or finish["device"] not in eject_macro:
            continue
        t = finish["t"]
        eject = next(
            (e for e in starts if e["t"] >= t and e["macro"] == eject_macro[finish["device"]]),
            None,
        )
        if eject is None:
            found.unanswered += 1
            continue
        homes = [e for e in starts if t <= e["t"] <= eject["t"] and e["macro"] == HOME]
        first = homes[-1] if homes else eject
        latency = first["t"] - t
        found.all.append(latency)
        before = [e for e in robot if e["t"] <= t]
        last = before[-1] if before else None
        idle = last is None or (last["event"] == "macro_finished" and last["macro"] == PARK)
        # ... and no print that finished before was served first: its HOME is the next macro.
        if idle and next(e for e in starts if e["t"] >= t) is first:
            found.robot_idle.append(latency)
    return found


def window(events: list[Event], start: float, end: float) -> list[Event]:
    return [e for e in events if start <= e["t"] <= end]


# -- 2. the orchestrator: makespan (and reactions) -------------------------------------------------


async def prepare_rack(api: Api, rack_name: str, plates_needed: int) -> dict[str, Any]:
    """An operator loads empty plates on the highest free shelves, and marks them in the hub."""
    rack = (await api.call("GET", "/api/ottoracks"))[0]
    details = await api.call("GET", f"/api/ottoracks/{rack['id']}")
    shelves = (await api.farm("GET", "/truth"))["racks"][rack_name]
    empty = [int(n) for n, plate in shelves.items() if plate and plate["print"] is None]
    free = sorted(int(n) for n, plate in shelves.items() if plate is None)
    missing = max(0, plates_needed - len(empty))
    if missing >= len(free):
        raise RuntimeError(f"a rack of {len(shelves)} shelves cannot hold {plates_needed} plates")
    shelf_ids = {s["shelf_number"]: s["id"] for s in details["shelves"]}
    for number in free[len(free) - missing :]:
        await api.operator("put_empty_plate_on_shelf", rack=rack_name, shelf=number)
        await api.call(
            "PUT",
            f"/api/ottoracks/{rack['id']}/shelves/{shelf_ids[number]}",
            {"has_plate": True, "plate_state": "empty", "print_job_id": None},
        )
    return {
        "shelves": len(shelves),
        "shelf_spacing_mm": details["shelf_spacing_mm"],
        "empty_plates_at_start": len(empty) + missing,
        "free_shelves_at_start": len(free) - missing,
        "plates_added_by_operator": missing,
    }


def job_plan(jobs: int, seed: int) -> list[tuple[str, int]]:
    """(printer_model_id, predicted seconds) of each job: one in three for the A1."""
    rng = random.Random(seed)
    return [("N2S" if i % 3 == 2 else "C12", rng.choice(DURATIONS_S)) for i in range(jobs)]


def height_mm(duration: int) -> float:
    """Every print fits one 80 mm shelf (height + 10 mm)."""
    return 24.0 + 8.0 * DURATIONS_S.index(duration)


async def run_orchestrated(
    api: Api, args: argparse.Namespace, rack_name: str, printers: int
) -> tuple[float, float, dict[str, Any], dict[str, Any]]:
    """Queue the jobs with processing off, switch it on, wait until all are stored."""
    await api.service("pause_processing")
    rack = await prepare_rack(api, rack_name, args.jobs - printers)
    plan = job_plan(args.jobs, args.seed)
    items: dict[tuple[str, int], int] = {}
    for family, duration in sorted(set(plan)):
        name = f"bench-{family}-{duration}.gcode.3mf"
        data = make_3mf(
            prediction_s=duration,
            layers=20,
            max_z_mm=height_mm(duration),
            printer_model_id=family,
        )
        answer = await api.upload("/api/print-jobs/upload", name, data)
        items[family, duration] = int(answer["print_item_id"])
    job_ids = set()
    for key in plan:
        created = await api.call(
            "POST", "/api/print-jobs/", {"print_item_id": items[key], "auto_start": True}
        )
        job_ids.add(int(created["id"]))
    start = time.time()
    await api.service("resume_processing")
    deadline = time.monotonic() + args.timeout
    while True:
        jobs = await api.call("GET", "/api/print-jobs")
        status = {job["id"]: job["status"] for job in jobs if job["id"] in job_ids}
        workflows = (await api.call("GET", "/api/orchestration/workflows"))["data"]
        failed = [job_id for job_id, value in status.items() if value == "FAILED"]
        paused = [w for w in workflows if w["phase"] == "paused"]
        if failed or paused:
            raise RuntimeError(f"jobs failed {failed}, paused workflows {paused}")
        if all(value == "COMPLETED" for value in status.values()) and not workflows:
            break
        if time.monotonic() > deadline:
            notes = [(w["printer_id"], w["phase"], w["note"]) for w in workflows]
            raise RuntimeError(f"timed out: jobs {Counter(status.values())}, workflows {notes}")
        await asyncio.sleep(0.5)
    end = time.time()
    statistics_ = (await api.call("GET", "/api/orchestration/status"))["data"]["phase3"]
    parameters = {
        "jobs": args.jobs,
        "jobs_by_family": dict(Counter(family for family, _ in plan)),
        "predictions_s": dict(Counter(duration for _, duration in plan)),
        "print_items": len(items),
        "rack": rack,
    }
    return start, end, parameters, statistics_["orchestrator"]["statistics"]


def makespan(
    events: list[Event], start: float, ejector: str, printer_names: Sequence[str]
) -> dict[str, Any]:
    macros = robot_macros(events, ejector)
    if not macros:
        raise RuntimeError("the robot ran no macro")
    end = macros[-1].finished
    print_time: dict[str, float] = {}
    prints: dict[str, int] = {}
    not_printing: dict[str, dict[str, float]] = {}
    for name in printer_names:
        started: float | None = None
        finished: float | None = None
        total = 0.0
        count = 0
        gaps = {"before_first_print_s": 0.0, "between_prints_s": 0.0, "after_last_print_s": 0.0}
        for event in events:
            if event["device"] != name:
                continue
            if event["event"] == "print_started":
                started = event["t"]
                if finished is None:
                    gaps["before_first_print_s"] = started - start
                else:
                    gaps["between_prints_s"] += started - finished
            elif event["event"] == "print_finished" and started is not None:
                finished = event["t"]
                total += finished - started
                count += 1
                started = None
        if finished is not None:
            gaps["after_last_print_s"] = end - finished
        print_time[name] = total
        prints[name] = count
        not_printing[name] = {key: round(value, 3) for key, value in gaps.items()}
    robot_busy = sum(m.finished - m.started for m in macros)
    bound = max(*print_time.values(), robot_busy)
    stores = [m.finished for m in macros if m.name.startswith("STORE_TO_SLOT_")]
    return {
        "makespan_s": round(end - start, 3),
        "lower_bound_s": round(bound, 3),
        "ratio": round((end - start) / bound, 3),
        "last_print_stored_s": round(max(stores) - start, 3),
        "robot_busy_s": round(robot_busy, 3),
        "robot_macros": len(macros),
        "robot_macro_counts": dict(Counter(re.sub(r"_\d+$", "_n", m.name) for m in macros)),
        "per_printer": {
            name: {
                "prints": prints[name],
                "print_time_s": round(print_time[name], 3),
                "not_printing": not_printing[name],
            }
            for name in printer_names
        },
    }


# -- 1. the polling baseline ---------------------------------------------------------------------


@dataclass
class Rack:
    """The baseline's own record of the rack (what the original kept in its database)."""

    name: str
    free: list[int]
    empty: list[int]


async def prepare_baseline(
    api: Api, printers: list[HubPrinter], rack_name: str, args: argparse.Namespace
) -> Rack:
    truth = await api.farm("GET", "/truth")
    for printer in printers:
        plate = truth["printers"][printer.name]["plate"]
        if plate is None:  # the orchestrator's last sequence left it without a plate
            await api.operator("put_plate_on_printer", printer=printer.name)
        elif plate["print"] is not None:
            await api.operator("clear_printer_plate", printer=printer.name)
        for duration in DURATIONS_S:
            data = make_3mf(
                prediction_s=duration,
                layers=20,
                max_z_mm=height_mm(duration),
                printer_model_id=FAMILY[printer.model],
            )
            name = f"poll-{printer.model}-{duration}.gcode.3mf"
            answer = await api.upload(f"/api/printers/{printer.printer_id}/upload", name, data)
            printer.files.append(str(answer["filename"]))
    shelves = truth["racks"][rack_name]
    free = sorted(int(n) for n, plate in shelves.items() if plate is None)
    empty = sorted(int(n) for n, plate in shelves.items() if plate and plate["print"] is None)
    if not empty:
        await api.operator("put_empty_plate_on_shelf", rack=rack_name, shelf=free[-1])
        empty.append(free.pop())
    if not free:
        raise RuntimeError("no free shelf for the baseline")
    return Rack(rack_name, free, empty)


async def run_baseline(
    api: Api, args: argparse.Namespace, printers: list[HubPrinter], ejector_id: int, rack: Rack
) -> tuple[float, float, dict[str, Any]]:
    """A 5 s poller and one worker, over the REST API (see the module docstring)."""
    rng = random.Random(args.seed + 1)
    settle = BED_SETTLE_SIM_S / args.time_scale
    queue: asyncio.Queue[HubPrinter] = asyncio.Queue()
    counts = {"started": 0, "served": 0, "polls": 0}

    async def start_print(printer: HubPrinter) -> None:
        await api.call(
            "POST",
            f"/api/printers/{printer.printer_id}/start-print",
            {"filename": rng.choice(printer.files)},
        )
        printer.printing, printer.seen_busy = True, False
        counts["started"] += 1

    async def poll() -> None:
        next_poll = time.monotonic()
        while True:
            answers = await asyncio.gather(
                *(api.call("GET", f"/api/printers/{p.printer_id}/status") for p in printers)
            )
            counts["polls"] += 1
            for printer, answer in zip(printers, answers, strict=True):
                state = answer["status"]
                if not printer.printing:
                    continue
                if state == "FAILED":
                    raise RuntimeError(f"{printer.name}: the print failed")
                if state in BUSY:
                    printer.seen_busy = True
                elif state == "FINISH" and printer.seen_busy:
                    printer.printing = False
                    queue.put_nowait(printer)
            next_poll += POLL_S
            await asyncio.sleep(max(0.0, next_poll - time.monotonic()))

    async def serve(printer: HubPrinter) -> None:
        bed = api.call(
            "POST", f"/api/printers/{printer.printer_id}/send-gcode", {"gcode": printer.bed_gcode}
        )
        await asyncio.gather(api.macro(ejector_id, HOME, None), bed)
        await asyncio.sleep(settle)  # counted from the bed move's answer, as the orchestrator does
        store, grab = rack.free.pop(0), rack.empty.pop(0)
        await api.macro(ejector_id, printer.eject, printer.params)
        await api.macro(ejector_id, f"STORE_TO_SLOT_{store}", None)
        await api.macro(ejector_id, f"GRAB_FROM_SLOT_{grab}", None)
        await api.macro(ejector_id, printer.load, printer.params)
        await api.macro(ejector_id, PARK, None)
        await api.operator("take_print_off_shelf", rack=rack.name, shelf=store, leave_plate=True)
        rack.free.append(grab)
        rack.empty.append(store)

    async def work() -> None:
        while counts["served"] < args.baseline_prints:
            printer = await queue.get()
            await serve(printer)
            counts["served"] += 1
            if counts["started"] < args.baseline_prints:
                await start_print(printer)

    await api.service("pause_processing")
    start = time.time()
    for printer in printers[: args.baseline_prints]:
        await start_print(printer)
    tasks = {asyncio.create_task(poll()), asyncio.create_task(work())}
    try:
        async with asyncio.timeout(args.timeout):
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # the poller ends only by failing
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return start, time.time(), {"prints": counts["served"], "polls": counts["polls"]}


# -- 3. the scheduler -----------------------------------------------------------------------------


def bench_plan(repeat: int) -> list[dict[str, Any]]:
    results = []
    for printers, jobs in ((100, 1_000), (300, 10_000)):
        for name, options in SCENARIOS.items():
            farm = build(printers, jobs, **options)
            times = []
            started = 0
            for _ in range(repeat):
                begin = time.perf_counter()
                decision = farm.decide()
                times.append((time.perf_counter() - begin) * 1000)
                started = len(decision.assignments)
            results.append(
                {
                    "printers": printers,
                    "queued_jobs": jobs,
                    "scenario": name,
                    "best_ms": round(min(times), 2),
                    "median_ms": round(statistics.median(times), 2),
                    "jobs_started": started,
                }
            )
    return results


# -- the whole run --------------------------------------------------------------------------------


def hass_log_findings(log: Path) -> dict[str, Any]:
    """WARNING and worse in Home Assistant's log (both starts), messages deduplicated."""
    text = log.read_text(encoding="utf-8", errors="replace")
    found: dict[str, Any] = {}
    for level in ("CRITICAL", "ERROR", "WARNING"):
        messages: Counter[str] = Counter()
        for match in re.finditer(rf"^\S+ \S+ {level} \(\S+\) (.*)$", text, re.MULTILINE):
            messages[match.group(1)[:240]] += 1
        found[level.lower()] = {
            "lines": sum(messages.values()),
            "of_ottoengine": sum(
                n for m, n in messages.items() if m.startswith("[custom_components.ottoengine")
            ),
            "messages": [{"count": n, "message": m} for m, n in messages.most_common(12)],
        }
    # A traceback runs until the next log line (which starts with a date).
    tracebacks = re.findall(
        r"^Traceback \(most recent call last\):\n(?:(?!\d{4}-\d\d-\d\d ).*\n?)*", text, re.M
    )
    found["tracebacks"] = len(tracebacks)
    found["tracebacks_through_ottoengine"] = sum(
        "custom_components/ottoengine" in tb for tb in tracebacks
    )
    return found


async def run_live(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    # Ctrl-C or SIGTERM (also when started in the background, SIGINT ignored): cancel, so that
    # the ``finally`` below stops every process this run started.
    task = asyncio.current_task()
    assert task is not None
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, task.cancel)
    farm, description = await start_farm(args, work)
    develop: Child | None = None
    try:
        # First start: onboarding, the hub and the farm's devices; then the bed settle time
        # for the time scale goes into the hub's options, and Home Assistant starts again.
        develop, _ = await start_hass(work)
        await develop.stop()
        settle = BED_SETTLE_SIM_S / args.time_scale
        _set_hub_options(work / "config", {"bed_settle_s": settle})
        develop, stack = await start_hass(work)
        ejector = description["ejectors"][0]["name"]
        rack_name = description["racks"][0]["name"]
        async with aiohttp.ClientSession() as session:
            api = Api(session, stack)
            printers = await hub_printers(api, description)
            ejector_id = int((await api.call("GET", "/api/ottoeject"))[0]["id"])
            await wait_online(api, printers, ejector_id)
            eject_macro = {p.name: p.eject for p in printers}
            names = [p.name for p in printers]

            print("[bench] the orchestrator: makespan run", file=sys.stderr, flush=True)
            start, end, parameters, hub_statistics = await run_orchestrated(
                api, args, rack_name, len(printers)
            )
            await asyncio.sleep(1.0)
            orchestrated = window(await api.events(start - 1), start, end + 0.5)
            figures = makespan(orchestrated, start, ejector, names)
            orchestrator_reactions = reactions(orchestrated, ejector, eject_macro)

            print("[bench] the polling baseline", file=sys.stderr, flush=True)
            rack = await prepare_baseline(api, printers, rack_name, args)
            b_start, b_end, b_counts = await run_baseline(api, args, printers, ejector_id, rack)
            await asyncio.sleep(1.0)
            polled = window(await api.events(b_start - 1), b_start, b_end + 0.5)
            baseline_reactions = reactions(polled, ejector, eject_macro)
            sent = 6 * b_counts["prints"]  # HOME, EJECT, STORE, GRAB, LOAD, PARK
            truth = await api.farm("GET", "/truth")
        _write_json(work / "events.json", {"orchestrator": orchestrated, "polling": polled})
    finally:
        if develop is not None:
            await develop.stop()
        await farm.stop()
    robot_started = sum(
        1 for e in polled if e["device"] == ejector and e["event"] == "macro_started"
    )
    return {
        "orchestrated_run": {
            **parameters,
            "wall_s": round(end - start, 3),
            **figures,
            "hub_statistics": hub_statistics,
        },
        "reactions": {
            "orchestrator": orchestrator_reactions,
            "polling_5s": baseline_reactions,
        },
        "baseline_run": {
            **b_counts,
            "wall_s": round(b_end - b_start, 3),
            "macros_sent_by_the_baseline": sent,
            "macros_the_robot_started": robot_started,
        },
        "violations": truth["violations"],
        "events_recorded": truth["events_recorded"],
        "hass_log": hass_log_findings(work / "develop.log"),
    }


def git_commit() -> str | None:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, check=True, text=True
        ).stdout.strip()
    # No git in the toolchain's root: read the reference by hand.
    git = REPO / ".git"
    head = (git / "HEAD").read_text(encoding="utf-8").strip()
    if not head.startswith("ref: "):
        return head
    ref = head.removeprefix("ref: ")
    if (git / ref).exists():
        return (git / ref).read_text(encoding="utf-8").strip()
    packed = git / "packed-refs"
    if packed.exists():
        for line in packed.read_text(encoding="utf-8").splitlines():
            if line.endswith(f" {ref}"):
                return line.split(" ", 1)[0]
    return None


def summary(samples: list[float], time_scale: float) -> dict[str, Any]:
    if not samples:
        return {"samples": 0}
    found = latency_summary(samples)
    found["p50_simulated_s"] = round(found["p50_ms"] * time_scale / 1000, 1)
    found["each_ms"] = [round(value * 1000, 1) for value in samples]
    return found


def report_reactions(live: dict[str, Any], time_scale: float) -> dict[str, Any]:
    ours: Reactions = live["reactions"]["orchestrator"]
    polled: Reactions = live["reactions"]["polling_5s"]
    result: dict[str, Any] = {
        "definition": "print_finished.t of a printer → macro_started.t of the OTTOEJECT_HOME "
        "opening the robot's sequence for that print (the last one before the next "
        "EJECT_FROM_<printer>); wall-clock ms",
        "subsets": {
            "all": "every print (waits for the robot when it serves another printer)",
            "robot_idle": "prints that finished while the robot ran no sequence (its last "
            "event a PARK_OTTOEJECT's end) and whose HOME was the next macro the robot started "
            "(no print that finished earlier was served first)",
        },
    }
    for key, value in (("orchestrator", ours), ("polling_5s", polled)):
        result[key] = {
            "all": summary(value.all, time_scale),
            "robot_idle": summary(value.robot_idle, time_scale),
            "finishes_without_sequence": value.unanswered,
        }
    result["ratio_of_medians"] = {
        subset: round(
            statistics.median(getattr(polled, subset)) / statistics.median(getattr(ours, subset)),
            1,
        )
        for subset in ("all", "robot_idle")
        if getattr(polled, subset) and getattr(ours, subset)
    }
    return result


def print_table(report: dict[str, Any]) -> None:
    reaction = report["reaction_print_finished_to_first_macro"]
    print("print finished → first OttoEject macro (wall-clock ms)")
    print(f"{'':24} {'subset':>11} {'n':>4} {'p50':>9} {'p99':>9} {'max':>9}")
    for key, label in (("orchestrator", "event-driven (ours)"), ("polling_5s", "5 s polling")):
        for subset in ("all", "robot_idle"):
            row = reaction[key][subset]
            if not row["samples"]:
                print(f"{label:24} {subset:>11} {0:4}")
                continue
            print(
                f"{label:24} {subset:>11} {row['samples']:4} {row['p50_ms']:9.1f} "
                f"{row['p99_ms']:9.1f} {row['max_ms']:9.1f}"
            )
    ratios = ", ".join(f"{k} {v}x" for k, v in reaction["ratio_of_medians"].items())
    print(f"ratio of medians (polling / ours): {ratios}")
    run = report["makespan"]
    scale = report["parameters"]["time_scale"]
    print(
        f"\nmakespan, {run['jobs']} jobs on {len(MODELS)} printers + 1 OttoEject: "
        f"{run['makespan_s']:.1f} s (simulated {run['makespan_s'] * scale / 60:.1f} min), "
        f"lower bound {run['lower_bound_s']:.1f} s, ratio {run['ratio']:.3f}"
    )
    print(f"\n{'farm':>14} {'scenario':>18} {'best ms':>9} {'median ms':>10}")
    for row in report["scheduler_plan"]:
        farm = f"{row['printers']} x {row['queued_jobs']:,}"
        print(f"{farm:>14} {row['scenario']:>18} {row['best_ms']:9.1f} {row['median_ms']:10.1f}")


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    temporary.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--time-scale", type=float, default=60.0, help="the farm's time scale")
    parser.add_argument("--jobs", type=int, default=30, help="jobs of the makespan run")
    parser.add_argument("--baseline-prints", type=int, default=30, help="prints of the baseline")
    parser.add_argument("--repeat", type=int, default=5, help="plan() runs per scheduler farm")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=420.0, help="seconds per farm run")
    parser.add_argument("--workdir", type=Path, help="keep the logs and config here")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    began = time.monotonic()
    print("[bench] the scheduler", file=sys.stderr, flush=True)
    scheduler = bench_plan(args.repeat)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="otto-bench-orchestrator-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        live = asyncio.run(run_live(args, work))
    except asyncio.CancelledError:
        sys.exit("[bench] interrupted; every process it started was stopped")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    orchestrated = live.pop("orchestrated_run")
    report: dict[str, Any] = {
        "benchmark": "orchestrator: reaction to a finished print, makespan, one scheduling decision",
        "description": (__doc__ or "").strip().splitlines()[0],
        "command": "scripts/run python -m benchmarks.bench_orchestrator " + " ".join(sys.argv[1:]),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": git_commit(),
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "machine": platform.machine(),
            "python": sys.version.split()[0],
            "note": SHARED_MACHINE,
        },
        "parameters": {
            "time_scale": args.time_scale,
            "printers": list(MODELS),
            "ottoejects": 1,
            "bed_settle_s": round(BED_SETTLE_SIM_S / args.time_scale, 4),
            "polling_interval_s": POLL_S,
            "predictions_s": list(DURATIONS_S),
            "heights_mm": [height_mm(d) for d in DURATIONS_S],
            "baseline_prints": args.baseline_prints,
            "seed": args.seed,
            "scheduler_repeat": args.repeat,
            "times": "wall-clock seconds; x time_scale = the farm's simulated seconds",
        },
        "reaction_print_finished_to_first_macro": report_reactions(live, args.time_scale),
        "makespan": {
            **orchestrated,
            "bound_formula": "max(max over printers of the sum of (print_finished.t - "
            "print_started.t), sum over robot macros of (macro_finished.t - macro_started.t))",
            "clock": "from switching job processing on to the robot's last macro_finished",
        },
        "baseline_run": live["baseline_run"],
        "scheduler_plan": scheduler,
        "checks": {
            "violations": live["violations"],
            "farm_events_recorded": live["events_recorded"],
            "hass_log": live["hass_log"],
        },
        "wall_seconds": round(time.monotonic() - began, 1),
    }
    write_report(report, args.output)
    print_table(report)
    print(f"\n{args.output} written ({report['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
