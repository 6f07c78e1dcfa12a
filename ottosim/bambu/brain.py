"""The firmware of a simulated Bambu Lab printer, as far as the LAN protocol shows it.

``PrinterBrain`` answers requests from ``device/<serial>/request`` and produces the reports for
``device/<serial>/report`` (through the ``send`` callable it is given): full status on
``pushall``, then deltas (``msg: 1``, only the changed keys) for P1/A1 or the whole object every
time for X1; ``get_version``; ``pause`` / ``resume`` / ``stop``; ``gcode_line`` (bed motion in
the world model); ``project_file`` / ``gcode_file`` (the job is read from the FTPS upload
directory); ``print_speed``; ``ledctrl``; ``pushing.start`` / ``pushing.stop``.

A job walks IDLE -> PREPARE (download, heat, level) -> RUNNING -> FINISH, or FAILED (stop, fault,
unreadable file, no empty plate) / PAUSE. Time runs ``time_scale`` times faster than real time.
Physical effects go through ``ottosim.world.World``: a print starts only on an empty plate; at
FINISH the print sits on the plate, labelled ``"<subtask_name>@<printer>#<n>"``, as tall as the
file's max Z (``JobSpec.height_mm``; a failed print: the part printed so far). The world's event
log gets ``print_started``, ``print_finished``, ``print_failed`` (with a ``reason``, see
``FAILURE_REASONS``) and ``bed_moved`` (a ``gcode_line`` move arrived).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import copy
from dataclasses import dataclass, field
import itertools
import json
import math
from pathlib import Path, PurePosixPath
import re
import time
from typing import Any

from ottosim.bambu.ams import AmsState, Loadout, default_loadout
from ottosim.bambu.job_file import JobFileError, JobSpec, read_job
from ottosim.bambu.models import ModelSpec
from ottosim.bambu.motion import BedMotion
from ottosim.bambu.status import (
    AMBIENT_C,
    DOOR_OPEN,
    FUN_OPEN,
    FUN_SIGNED,
    HOMED_AXES,
    delta,
    initial_status,
    upgrade_state,
)
from ottosim.world import PhysicalError, World

# print_error codes (bambu-lan-protocol.md sections 2, 4, 9).
PRINT_CANCELLED = 0x0300400C  # 50348044: user stop
PRINTER_BUSY = 0x05004004  # a start while a job is running
SD_CARD_ERROR = 0x0500C010  # job file unreadable (partial upload, missing)
VERIFY_FAILED = 0x05024007  # 84033543: unsigned command on authorization firmware
VERIFY_FAILED_REASON = "mqtt message verify failed"
VERIFY_FAILED_HMS = {"attr": 0x05000500, "code": 0x00010007}  # 0500_0500_0001_0007
# Simulator-chosen codes for failures the reference does not pin down.
PLATE_ERROR = 0x0C004024  # no empty build plate on the bed
PLATE_HMS = {"attr": 0x0C000300, "code": 0x00010009}  # 0C00_0300_0001_0009 (xcam, fatal)
FAULT_ERROR = 0x03008001  # injected print failure
FAULT_HMS = {"attr": 0x03000300, "code": 0x00010001}  # 0300_0300_0001_0001 (mc, fatal)

# print_failed ``reason`` by print_error (anything else: "print_error", an injected fault).
FAILURE_REASONS = {
    PRINT_CANCELLED: "cancelled",
    SD_CARD_ERROR: "file_unreadable",
    PLATE_ERROR: "no_empty_plate",
}

BUSY_STATES = frozenset({"PREPARE", "RUNNING", "PAUSE"})
CONTROL_COMMANDS = frozenset(
    {
        "project_file", "gcode_file", "gcode_line", "pause", "resume", "stop", "print_speed",
        "skip_objects", "ams_change_filament", "ams_control", "ams_filament_setting",
        "calibration", "extrusion_cali_set", "extrusion_cali_sel", "set_ctt",
    }
)  # fmt: skip
SPEED_MAGNITUDES = {1: 50, 2: 100, 3: 124, 4: 166}
FAN_KEYS = {1: "cooling_fan_speed", 2: "big_fan1_speed", 3: "big_fan2_speed"}  # M106 P<n>

TICK_S = 0.2
ACTIVE_REPORT_S = (0.5, 1.0)  # real seconds between reports while busy: min, max
IDLE_REPORT_S = (2.0, 5.0)
NOZZLE_TARGET_C = 220.0
BED_TARGET_C = 55.0
NOZZLE_TAU_S = 25.0
BED_TAU_S = 60.0
DOWNLOAD_S = 10.0
# Preparation stages (stg ids, simulated seconds): preheat bed, home, level, heat nozzle, wipe.
PREPARE_STAGES = ((2, 40.0), (13, 15.0), (1, 60.0), (7, 30.0), (14, 15.0))
LEVELING_STAGE = 1
HOMING_STAGE = 13
PAUSED_STAGE = 16
_URL_PREFIXES = ("/mnt/sdcard/", "/sdcard/", "sdcard/", "/")


@dataclass
class Job:
    """The job the printer is working on (kept after it ends, until the next start)."""

    number: int
    label: str
    subtask_name: str
    source: Path
    param: str
    bed_leveling: bool
    spec: JobSpec | None = None
    error: str | None = None
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    started_on_plate: bool = False
    extruding: bool = False  # past PREPARE: something is on the plate
    prepare_s: float = 0.0
    print_s: float = 0.0
    paused_from: str | None = None


def file_name_from_url(url: str) -> str:
    """The SD-card path named by a ``project_file`` url (every client variant, section 4)."""
    path = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.IGNORECASE)
    for prefix in _URL_PREFIXES:
        if path.startswith(prefix):
            path = path[len(prefix) :]
            break
    return path.lstrip("/")


async def read_job_in_thread(path: Path, param: str) -> JobSpec:
    """Read a job file off the event loop (archives can be large)."""
    return await asyncio.to_thread(read_job, path, param)


class PrinterBrain:
    """See the module docstring. ``send(message)`` publishes one report; ``job_reader`` reads
    an uploaded job (``read_job_in_thread`` by default)."""

    def __init__(
        self,
        *,
        world: World,
        name: str,
        spec: ModelSpec,
        serial: str,
        ip: str,
        sdcard: Path,
        send: Callable[[dict[str, Any]], None],
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        job_reader: Callable[[Path, str], Awaitable[JobSpec]] = read_job_in_thread,
        loadout: Loadout | None = None,
    ) -> None:
        self.world = world
        self.name = name
        self.spec = spec
        self.serial = serial
        self.sdcard = sdcard
        self.time_scale = time_scale
        self._send = send
        self._clock = clock
        self._job_reader = job_reader
        self.status = initial_status(spec, ip)
        self.ams = AmsState(loadout or default_loadout(spec), lite=spec.name == "A1")
        self._report_ams()
        self._published: dict[str, Any] = {}
        self._sequence = itertools.count(2000)
        self._jobs = itertools.count(1)
        self.job: Job | None = None
        body = world.printers[name]
        axis = "y" if spec.bed_axis == "y" else "z"
        self.motion = BedMotion(axis, body.bed_y_mm if axis == "y" else body.bed_z_mm)
        self.pushing = True  # pushing.stop / pushing.start
        self.silent = False  # fault: no message at all, connection kept
        self.reject_commands = False  # fault: authorization firmware without Developer Mode
        self.injected_hms: list[dict[str, int]] = []  # fault "hms"
        self._job_fans = False  # a job turned the part / heatbreak fans on
        self.firmware = spec.firmware
        self._urgent = False
        self._next_report = 0.0
        self._last_tick: float | None = None
        self._wifi = itertools.cycle(("-51dBm", "-52dBm", "-50dBm"))
        self.reports_sent = 0
        self._loaders: set[asyncio.Task[None]] = set()

    # -- state -----------------------------------------------------------------------------------
    @property
    def gcode_state(self) -> str:
        return str(self.status["gcode_state"])

    @property
    def busy(self) -> bool:
        return self.gcode_state in BUSY_STATES

    def _set_state(self, state: str) -> None:
        self.status["gcode_state"] = state
        self._urgent = True

    # -- reports ---------------------------------------------------------------------------------
    def _emit(self, message: dict[str, Any]) -> None:
        if not self.silent:
            self._send(message)

    def publish_report(self, *, full: bool = False) -> None:
        """Publish the status: the whole object (``msg: 0``) or only what changed (``msg: 1``)."""
        if self.silent:
            return
        full = full or self.spec.full_reports or not self._published
        body = copy.deepcopy(self.status) if full else delta(self._published, self.status)
        if not body:
            return
        message = {
            "print": {
                "command": "push_status",
                "msg": 0 if full else 1,
                "sequence_id": str(next(self._sequence)),
                **body,
            }
        }
        self._published = copy.deepcopy(self.status)
        self.reports_sent += 1
        self._send(message)

    def _reply(self, kind: str, request: dict[str, Any], result: str, **extra: Any) -> None:
        reply = {key: value for key, value in request.items() if key != "result"}
        reply.update({"result": result, "reason": extra.pop("reason", "")}, **extra)
        reply.setdefault("sequence_id", "0")
        self._emit({kind: reply})

    def report_interval(self) -> float:
        low, high = ACTIVE_REPORT_S if self.busy or self.motion.moving else IDLE_REPORT_S
        return max(low, min(high, high / self.time_scale))

    # -- requests --------------------------------------------------------------------------------
    def handle_request(self, payload: bytes) -> None:
        """One message from ``device/<serial>/request``; malformed ones are ignored."""
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        for kind, request in message.items():
            if isinstance(request, dict) and isinstance(request.get("command"), str):
                self._dispatch(kind, request)

    def _dispatch(self, kind: str, request: dict[str, Any]) -> None:
        command = request["command"]
        if kind == "pushing":
            if command == "pushall":
                self.publish_report(full=True)
            elif command == "start":
                self.pushing = True
                self.publish_report(full=True)
            elif command == "stop":
                self.pushing = False
            return
        if kind == "info" and command == "get_version":
            self._reply("info", request, "success", module=self.version_modules())
            return
        if kind == "system" and command == "ledctrl":
            self._led(request)
            return
        if kind != "print":
            return
        if command in CONTROL_COMMANDS and self.reject_commands:
            self._reply(
                "print", request, "failed", reason=VERIFY_FAILED_REASON, err_code=VERIFY_FAILED
            )
            return
        handler = {
            "project_file": self._start_project,
            "gcode_file": self._start_gcode_file,
            "gcode_line": self._gcode_line,
            "pause": self._pause,
            "resume": self._resume,
            "stop": self._stop,
            "print_speed": self._print_speed,
            "ams_filament_setting": self._ams_command,
            "ams_change_filament": self._ams_command,
            "extrusion_cali_sel": self._ams_command,
            "extrusion_cali_set": self._ams_command,
        }.get(command)
        if handler is not None:
            handler(request)
        elif command in CONTROL_COMMANDS:
            self._reply("print", request, "success")

    def version_modules(self) -> list[dict[str, Any]]:
        """``info.module[]``: ``ota`` (firmware, product name), the application processor
        (``esp32`` on P1/A1, ``rv1126`` on X1: its ``hw_ver`` "AP0x" is the hardware version
        clients show), ``mc``, and one module per AMS unit."""
        spec = self.spec
        ota = {
            "name": "ota",
            "sw_ver": self.firmware,
            "hw_ver": "OTA",
            "loader_ver": "00.00.00.00",
            "sn": self.serial,
            "product_name": spec.product_name,
            "visible": True,
            "flag": 0,
        }
        # Current P1/A1 firmware leaves the esp32's product_name empty (the ota module names
        # the product); X1's rv1126 has none.
        ap: dict[str, Any] = {
            "name": spec.ap_module,
            "sw_ver": spec.ap_sw,
            "hw_ver": spec.ap_hw,
            "sn": self.serial,
        }
        if spec.ap_module == "esp32":
            ap.update({"loader_ver": "00.00.00.00", "product_name": "", "visible": False})
        ap["flag"] = 0
        mc = {"name": "mc", "sw_ver": "00.01.32.85", "hw_ver": spec.mc_hw, "sn": self.serial}
        return [ota, ap, mc, *self.ams_modules()]

    def ams_modules(self) -> list[dict[str, Any]]:
        """The AMS units' ``get_version`` modules (``ams/<id>``, A1: ``ams_f1/<id>``)."""
        return self.ams.modules(self.serial)

    def _report_ams(self) -> None:
        self.status["ams"] = self.ams.report()
        self.status["vt_tray"] = self.ams.vt_tray()
        self.status["ams_status"] = self.ams.ams_status()
        self._urgent = True

    def _ams_command(self, request: dict[str, Any]) -> None:
        """``ams_filament_setting`` / ``ams_change_filament`` / ``extrusion_cali_sel`` /
        ``extrusion_cali_set``: see ``ams.AmsState``."""
        command = request["command"]
        if command == "ams_change_filament" and self.gcode_state in {"PREPARE", "RUNNING"}:
            error: str | None = "printer is busy"
        elif command == "ams_filament_setting":
            error = self.ams.set_filament(request)
        elif command == "ams_change_filament":
            error = self.ams.change_filament(request)
        else:
            error = self.ams.set_calibration(request)
        if error is None:
            self._report_ams()
            self._reply("print", request, "success")
        else:
            self._reply("print", request, "failed", reason=error)

    def _led(self, request: dict[str, Any]) -> None:
        node, mode = request.get("led_node"), request.get("led_mode")
        lights = self.status["lights_report"]
        for light in lights:
            if light["node"] == node and mode in {"on", "off", "flashing"}:
                light["mode"] = mode
                self.status["lights_report"] = copy.deepcopy(lights)
                self._urgent = True
                self._reply("system", request, "success")
                return
        self._reply("system", request, "failed", reason="unknown led node")

    # -- starting jobs ---------------------------------------------------------------------------
    def _start_project(self, request: dict[str, Any]) -> None:
        url = str(request.get("url") or "")
        relative = file_name_from_url(url) if url else ""
        if not relative or relative.endswith("/"):
            relative = str(request.get("file") or "")
        name = PurePosixPath(relative).name
        subtask = str(request.get("subtask_name") or re.sub(r"(\.gcode)?\.3mf$", "", name))
        self._start(
            request,
            relative,
            subtask,
            param=str(request.get("param") or ""),
            bed_leveling=bool(request.get("bed_leveling", request.get("bed_levelling", True))),
            ids={
                k: str(request.get(k, "0"))
                for k in ("project_id", "profile_id", "task_id", "subtask_id")
            },
        )

    def _start_gcode_file(self, request: dict[str, Any]) -> None:
        relative = file_name_from_url(str(request.get("param") or ""))
        subtask = re.sub(r"\.gcode$", "", PurePosixPath(relative).name)
        self._start(request, relative, subtask, param="", bed_leveling=True, ids={})

    def _start(
        self,
        request: dict[str, Any],
        relative: str,
        subtask: str,
        *,
        param: str,
        bed_leveling: bool,
        ids: dict[str, str],
    ) -> None:
        if self.busy:
            self._reply("print", request, "failed", reason="printer is busy", err_code=PRINTER_BUSY)
            return
        number = next(self._jobs)
        source = self.sdcard / relative
        if not source.resolve().is_relative_to(self.sdcard.resolve()):
            source = self.sdcard / PurePosixPath(relative).name
        job = Job(number, f"{subtask}@{self.name}#{number}", subtask, source, param, bed_leveling)
        self.job = job
        self._reply("print", request, "success")
        file_name = PurePosixPath(relative).name
        self.status.update(
            {
                "print_type": "local",
                "gcode_file": self._reported_file(file_name, param),
                "subtask_name": subtask,
                "gcode_file_prepare_percent": "0",
                "mc_percent": 0,
                "mc_remaining_time": 0,
                "mc_print_stage": "2",
                "layer_num": 0,
                "total_layer_num": 0,
                "print_error": 0,
                "hms": [],
                "stg": [
                    stage for stage, _ in PREPARE_STAGES if bed_leveling or stage != LEVELING_STAGE
                ],
                "stg_cur": PREPARE_STAGES[0][0],
                "project_id": "0",
                "profile_id": "0",
                "task_id": "0",
                "subtask_id": "0",
                **ids,
            }
        )
        self._set_state("PREPARE")
        self.publish_report()
        loader = asyncio.get_running_loop().create_task(self._load(job))
        self._loaders.add(loader)
        loader.add_done_callback(self._loaders.discard)

    def _reported_file(self, file_name: str, param: str) -> str:
        """X1 reports the plate G-code on its ramdisk, P1/A1 the uploaded file's name."""
        if not self.spec.full_reports:
            return file_name
        match = re.search(r"plate_(\d+)\.gcode", param)
        return f"/data/Metadata/plate_{match.group(1) if match else 1}.gcode"

    async def _load(self, job: Job) -> None:
        try:
            job.spec = await self._job_reader(job.source, job.param)
        except JobFileError as err:
            job.error = str(err)
        job.loaded.set()

    # -- other commands --------------------------------------------------------------------------
    def _gcode_line(self, request: dict[str, Any]) -> None:
        gcode = str(request.get("param") or "")
        self.motion.feed(gcode)
        self._track_homing(gcode)
        self._track_fans(gcode)
        self._reply("print", request, "success")

    def _track_fans(self, gcode: str) -> None:
        """``M106 P<n> S<0-255>`` / ``M107`` (what ha-bambulab sends for the fans): P1 part
        (``cooling_fan_speed``), P2 aux (``big_fan1_speed``), P3 chamber (``big_fan2_speed``),
        reported as "0".."15" like the firmware."""
        for raw in gcode.splitlines():
            words = raw.split(";", 1)[0].upper().split()
            if not words or words[0] not in {"M106", "M107"}:
                continue
            params = {w[0]: w[1:] for w in words[1:] if len(w) > 1}
            try:
                fan = int(params.get("P", "1"))
                value = 0 if words[0] == "M107" else float(params.get("S", "255"))
            except ValueError:
                continue
            key = FAN_KEYS.get(fan)
            if key is not None:
                self.status[key] = str(round(max(0.0, min(255.0, value)) / 255 * 15))
                self._urgent = True

    def _track_homing(self, gcode: str) -> None:
        """``G28`` homes the axes it names (none: all), ``M84``/``M18`` (motors off) forgets
        them; ``home_flag`` bits 0x1/0x2/0x4 say which axes are homed."""
        flag = int(self.status["home_flag"])
        for raw in gcode.splitlines():
            words = raw.split(";", 1)[0].upper().split()
            if not words:
                continue
            if words[0] == "G28":
                named = [HOMED_AXES[w[0]] for w in words[1:] if w[:1] in HOMED_AXES]
                for bit in named or HOMED_AXES.values():
                    flag |= bit
            elif words[0] in {"M84", "M18"}:
                for bit in HOMED_AXES.values():
                    flag &= ~bit
        self.set_home_flag(flag)

    def set_home_flag(self, flag: int) -> None:
        if flag != self.status["home_flag"]:
            self.status["home_flag"] = flag
            self._urgent = True

    def _pause(self, request: dict[str, Any]) -> None:
        if self.gcode_state in {"PREPARE", "RUNNING"} and self.job is not None:
            self.job.paused_from = self.gcode_state
            self.status["stg_cur"] = PAUSED_STAGE
            self._set_state("PAUSE")
        self._reply("print", request, "success")

    def _resume(self, request: dict[str, Any]) -> None:
        if self.gcode_state == "PAUSE" and self.job is not None:
            self._set_state(self.job.paused_from or "RUNNING")
            self.status["stg_cur"] = 0 if self.gcode_state == "RUNNING" else self.status["stg"][0]
        self._reply("print", request, "success")

    def _stop(self, request: dict[str, Any]) -> None:
        if self.busy:
            self._fail(PRINT_CANCELLED, [])
        self._reply("print", request, "success")

    def _print_speed(self, request: dict[str, Any]) -> None:
        try:
            level = int(str(request.get("param")))
        except ValueError:
            level = 0
        if level not in SPEED_MAGNITUDES:
            self._reply("print", request, "failed", reason="invalid speed level")
            return
        self.status["spd_lvl"] = level
        self.status["spd_mag"] = SPEED_MAGNITUDES[level]
        self._urgent = True
        self._reply("print", request, "success")

    # -- faults ----------------------------------------------------------------------------------
    def fail_print(self, print_error: int, hms: list[dict[str, int]]) -> bool:
        """Fail the running job with ``print_error`` and HMS entries; ``False`` if idle."""
        if not self.busy:
            return False
        self._fail(print_error, hms)
        return True

    def add_hms(self, entries: list[dict[str, int]]) -> None:
        """Report HMS entries (``{"attr", "code"}``) beside the ones already reported."""
        new: list[dict[str, int]] = []
        for entry in entries:
            if entry not in self.status["hms"] and entry not in new:
                new.append(entry)
        self.injected_hms.extend(new)
        self.status["hms"] = [*self.status["hms"], *new]
        self._urgent = True

    def clear_injected_hms(self) -> None:
        self.status["hms"] = [e for e in self.status["hms"] if e not in self.injected_hms]
        self.injected_hms = []
        self._urgent = True

    def set_door_open(self, is_open: bool) -> None:
        """X1: the front door, ``home_flag`` bit 0x00800000."""
        flag = int(self.status["home_flag"])
        self.set_home_flag(flag | DOOR_OPEN if is_open else flag & ~DOOR_OPEN)

    def offer_update(self, version: str | None) -> None:
        """A firmware update to ``version`` is available (``None``: none), as
        ``upgrade_state`` reports it (P1/A1: ``new_ver_list``; X1: ``ota_new_version_number``;
        both: ``new_version_state`` 1 available, 2 none)."""
        self.status["upgrade_state"] = upgrade_state(self.spec, self.firmware, version)
        self._urgent = True

    def set_reject_commands(self, enabled: bool) -> None:
        """Behave like 2025 authorization firmware with Developer Mode off (or back)."""
        self.reject_commands = enabled
        self.firmware = self.spec.authorization_firmware if enabled else self.spec.firmware
        hms = [entry for entry in self.status["hms"] if entry != VERIFY_FAILED_HMS]
        self.status["hms"] = [*hms, VERIFY_FAILED_HMS] if enabled else hms
        if self.spec.sends_fun:
            self.status["fun"] = FUN_SIGNED if enabled else FUN_OPEN
        self._urgent = True

    # -- time ------------------------------------------------------------------------------------
    def _fail(self, print_error: int, hms: list[dict[str, int]]) -> None:
        job = self.job
        if job is not None:
            height = None
            if job.extruding and job.spec is not None:
                done = min(1.0, job.print_s / job.spec.duration_s)
                height = round(job.spec.height_mm * done, 2)
            self.world.abort_print(
                self.name,
                job.label if job.extruding else None,
                height_mm=height,
                started=job.started_on_plate,
                file=job.source.name,
                job=job.label,
                reason=FAILURE_REASONS.get(print_error, "print_error"),
                print_error=print_error,
                error=job.error,
            )
        self.status.update(
            {
                "print_error": print_error,
                "hms": [*self.status["hms"], *hms],
                "stg_cur": self.spec.idle_stage,
                "mc_print_stage": "1",
                "nozzle_target_temper": 0.0,
                "bed_target_temper": 0.0,
            }
        )
        self._set_state("FAILED")

    def _finish(self, job: Job, spec: JobSpec) -> None:
        self.world.finish_print(
            self.name, job.label, height_mm=spec.height_mm, file=job.source.name
        )
        self.status.update(
            {
                "mc_percent": 100,
                "mc_remaining_time": 0,
                "layer_num": spec.total_layers,
                "stg_cur": self.spec.idle_stage,
                "mc_print_stage": "1",
                "nozzle_target_temper": 0.0,
                "bed_target_temper": 0.0,
            }
        )
        self._set_state("FINISH")

    def _heat(self, seconds: float) -> None:
        for key, target_key, tau in (
            ("nozzle_temper", "nozzle_target_temper", NOZZLE_TAU_S),
            ("bed_temper", "bed_target_temper", BED_TAU_S),
        ):
            target = float(self.status[target_key]) or AMBIENT_C
            current = float(self.status[key])
            value = target + (current - target) * math.exp(-seconds / tau)
            self.status[key] = round(value, 1) if abs(value - target) > 0.05 else target

    def _prepare(self, job: Job, seconds: float) -> None:
        if not job.loaded.is_set():
            return
        if job.error is not None or job.spec is None:
            self._fail(SD_CARD_ERROR, [])
            return
        if not job.started_on_plate:
            try:
                self.world.start_print(self.name, file=job.source.name, job=job.label)
            except PhysicalError:
                self._fail(PLATE_ERROR, [PLATE_HMS])
                return
            job.started_on_plate = True
            self.motion.reset(0.0)
            self.status["total_layer_num"] = job.spec.total_layers
            self.status["nozzle_target_temper"] = NOZZLE_TARGET_C
            self.status["bed_target_temper"] = BED_TARGET_C
        job.prepare_s += seconds
        self.status["gcode_file_prepare_percent"] = str(
            min(100, int(100 * job.prepare_s / DOWNLOAD_S))
        )
        elapsed = job.prepare_s
        for stage in self.status["stg"]:
            duration = dict(PREPARE_STAGES)[stage]
            if elapsed < duration:
                self.status["stg_cur"] = stage
                return
            elapsed -= duration
            if stage == HOMING_STAGE:  # the start G-code's G28 is done
                self._track_homing("G28")
        self.status.update({"stg_cur": 0, "gcode_file_prepare_percent": "100", "layer_num": 1})
        self.status["cooling_fan_speed"] = "15"
        self.status["heatbreak_fan_speed"] = "15"
        self._job_fans = True
        job.extruding = True
        self._set_state("RUNNING")

    def _run(self, job: Job, spec: JobSpec, seconds: float) -> None:
        speed = float(self.status["spd_mag"]) / 100.0
        job.print_s += seconds * speed
        if job.print_s >= spec.duration_s:
            self._finish(job, spec)
            return
        fraction = job.print_s / spec.duration_s
        layer = min(spec.total_layers, int(fraction * spec.total_layers) + 1)
        if layer != self.status["layer_num"] and self.spec.bed_axis == "z":
            self.world.move_bed(self.name, z_mm=spec.height_mm * layer / spec.total_layers)
        self.status["layer_num"] = layer
        self.status["mc_percent"] = int(100 * fraction)
        self.status["mc_remaining_time"] = math.ceil((spec.duration_s - job.print_s) / speed / 60)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        job = self.job
        state = self.gcode_state
        if job is not None and state == "PREPARE":
            self._prepare(job, seconds)
        elif job is not None and job.spec is not None and state == "RUNNING":
            self._run(job, job.spec, seconds)
        if state not in BUSY_STATES and self._job_fans:  # the job's fans stop with it
            self._job_fans = False
            self.status["cooling_fan_speed"] = self.status["heatbreak_fan_speed"] = "0"
        if self.ams.advance(seconds):
            self._report_ams()
        self._heat(seconds)
        was_moving = self.motion.moving
        if self.motion.advance(seconds):
            position = self.motion.position_mm
            if self.motion.axis == "Y":
                self.world.move_bed(self.name, y_mm=position)
            else:
                self.world.move_bed(self.name, z_mm=position)
        if was_moving and not self.motion.moving:
            self.world.record(
                self.name,
                "bed_moved",
                axis=self.motion.axis,
                position_mm=round(self.motion.position_mm, 2),
                at_eject_position=self.world.printers[self.name].at_eject_position,
            )

    def tick(self) -> None:
        """Advance to now and publish when a report is due (state changes: at once)."""
        now = self._clock()
        if self._last_tick is not None:
            self.advance((now - self._last_tick) * self.time_scale)
        self._last_tick = now
        if not self.pushing:
            return
        due = now >= self._next_report
        if self._urgent or due:
            if due:
                self.status["wifi_signal"] = next(self._wifi)
            self._urgent = False
            self.publish_report()
            interval = self.report_interval()
            # Keep the cadence (the next report is due one interval after this one was due),
            # unless this report came early (a state change) or we fell far behind.
            scheduled = self._next_report + interval if due else now + interval
            self._next_report = scheduled if scheduled > now else now + interval

    def seconds_to_next_report(self) -> float:
        """Real seconds until the next periodic report (a tick's length while pushes are off)."""
        if not self.pushing:
            return TICK_S
        return max(0.0, self._next_report - self._clock())

    async def run(self) -> None:
        """Tick until cancelled."""
        while True:
            self.tick()
            await asyncio.sleep(min(TICK_S, max(0.01, self.seconds_to_next_report())))
