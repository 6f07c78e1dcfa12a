"""One simulated Bambu Lab printer: its broker, its FTPS server, its brain, its faults."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import json
import logging
from pathlib import Path
from typing import Any

from ottosim.bambu.ams import Loadout
from ottosim.bambu.brain import FAULT_ERROR, FAULT_HMS, PrinterBrain
from ottosim.bambu.broker import INTERNAL_USER, MQTT_TLS_PORT, MosquittoBroker
from ottosim.bambu.camera import CAMERA_PORT, CameraServer
from ottosim.bambu.certs import CertificateAuthority
from ottosim.bambu.ftps import FTPS_PORT, VsftpdServer
from ottosim.bambu.models import ModelSpec
from ottosim.bambu.mqtt_link import MqttLink
from ottosim.bambu.ssdp import SsdpAnnouncer, notify_message
from ottosim.bambu.status import DOOR_OPEN
from ottosim.process import ProcessError
from ottosim.world import World

_LOGGER = logging.getLogger(__name__)

LINK_TIMEOUT_S = 30.0

# Fault names accepted by ``SimulatedBambuPrinter.inject_fault`` (see its docstring).
FAULTS = (
    "mqtt_drop",
    "mqtt_down",
    "mqtt_up",
    "silent",
    "reject_commands",
    "ftps_fail_after",
    "ftps_kill_sessions",
    "ftps_down",
    "ftps_up",
    "print_error",
    "hms",
    "door",
    "firmware_update",
    "clear",
)


def parse_hms(value: Any) -> list[dict[str, int]]:
    """``[{"attr": int, "code": int}, ...]`` as firmware reports HMS; ``ValueError`` /
    ``TypeError`` (the control endpoint's 400) if not."""
    if not isinstance(value, list):
        raise TypeError('hms must be a list of {"attr": int, "code": int}')
    entries = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"attr", "code"}:
            raise ValueError('an hms entry is {"attr": int, "code": int}')
        attr, code = entry["attr"], entry["code"]
        for number in (attr, code):
            if isinstance(number, bool) or not isinstance(number, int):
                raise TypeError("hms attr and code are integers")
            if not 0 <= number <= 0xFFFFFFFF:
                raise ValueError("hms attr and code are unsigned 32-bit integers")
        entries.append({"attr": attr, "code": code})
    return entries


class FaultError(ValueError):
    """A fault that is unknown or cannot apply now (e.g. ``print_error`` while idle)."""


class SimulatedBambuPrinter:
    """A printer on ``ip``: MQTT on 8883 and FTPS on 990, answering like the firmware.

    ``world.add_printer(name, model)`` must have been called; ``workdir`` holds the broker's and
    the FTPS server's files.
    """

    def __init__(
        self,
        world: World,
        *,
        name: str,
        spec: ModelSpec,
        ip: str,
        serial: str,
        access_code: str,
        workdir: Path,
        ca: CertificateAuthority,
        time_scale: float = 1.0,
        ssdp_targets: Sequence[tuple[str, int]] = (),
        loadout: Loadout | None = None,
    ) -> None:
        self.world = world
        self.name = name
        self.spec = spec
        self.ip = ip
        self.serial = serial
        self.access_code = access_code
        self.broker = MosquittoBroker(
            host=ip, serial=serial, access_code=access_code, workdir=workdir / "mqtt", ca=ca
        )
        self.ftps = VsftpdServer(
            host=ip, serial=serial, access_code=access_code, workdir=workdir / "ftps", ca=ca
        )
        self.report_topic = f"device/{serial}/report"
        self._ca = ca
        self.camera: CameraServer | None = None  # P1/A1, from start() on
        self.brain = PrinterBrain(
            world=world,
            name=name,
            spec=spec,
            serial=serial,
            ip=ip,
            sdcard=self.ftps.root,
            send=self._send,
            time_scale=time_scale,
            loadout=loadout,
        )
        self.link = MqttLink(
            socket_path=self.broker.internal_socket,
            username=INTERNAL_USER,
            password=self.broker.internal_password,
            client_id=f"ottosim-{serial}",
            subscriptions=[f"device/{serial}/request"],
            on_message=lambda _topic, payload: self.brain.handle_request(payload),
        )
        self.announcer = SsdpAnnouncer(
            ip=ip,
            targets=ssdp_targets,
            message=lambda: notify_message(
                ip=ip,
                serial=serial,
                model_code=spec.model_code,
                name=name,
                firmware=self.brain.firmware,
            ),
        )
        self._tasks: list[asyncio.Task[None]] = []

    def _send(self, message: dict[str, Any]) -> None:
        self.link.publish(self.report_topic, json.dumps(message, separators=(",", ":")))

    # -- life cycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start both servers and the brain; returns when the brain is connected to its broker."""
        try:
            await asyncio.gather(self.broker.start(), self.ftps.start())
            if self.spec.tcp_camera:
                await self._start_camera()
            self._tasks = [
                asyncio.create_task(self.link.run(), name=f"{self.name}-mqtt"),
                asyncio.create_task(self.brain.run(), name=f"{self.name}-brain"),
                asyncio.create_task(self.announcer.run(), name=f"{self.name}-ssdp"),
            ]
            try:
                await self.link.wait_connected(LINK_TIMEOUT_S)
            except TimeoutError:
                raise ProcessError(
                    f"{self.name}: brain not connected to its broker ({self.link.last_error}); "
                    f"broker log: {self.broker.log_tail()}"
                ) from None
        except BaseException:
            await self.stop()
            raise

    async def _start_camera(self) -> None:
        if self.camera is None:
            cert, key = self._ca.server_certificate(self.serial)  # the broker's, issued by now
            self.camera = CameraServer(
                host=self.ip,
                access_code=self.access_code,
                cert_file=str(cert),
                key_file=str(key),
                caption=lambda: f"{self.name} {self.brain.gcode_state}",
            )
        await self.camera.start()

    async def stop(self) -> None:
        """Stop the brain and the servers and delete their files."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                _LOGGER.exception("%s: %s failed", self.name, task.get_name())
        self._tasks = []
        if self.camera is not None:
            await self.camera.stop()
        await asyncio.gather(self.broker.stop(), self.ftps.stop())
        self.broker.remove_files()
        self.ftps.remove_files()

    # -- views -----------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """How the integration reaches this printer."""
        return {
            "name": self.name,
            "model": self.spec.name,
            "ip": self.ip,
            "serial_number": self.serial,
            "access_code": self.access_code,
            "mqtt_port": MQTT_TLS_PORT,
            "ftps_port": FTPS_PORT,
            # P1/A1: the chamber camera's JPEG stream (camera.py); X1C: null (RTSP, not simulated)
            "camera_port": CAMERA_PORT if self.spec.tcp_camera else None,
            # The filament loadout ({"ams": [{"trays": [...]}], "external_spool": ...}), as it
            # is now (ams_filament_setting changes it).
            **self.brain.ams.loadout.describe(),
        }

    def status(self) -> dict[str, Any]:
        """The printer as the simulator sees it, for the farm's /truth."""
        brain, job = self.brain, self.brain.job
        status = brain.status
        try:
            files = sorted(p.name for p in self.ftps.root.iterdir() if p.is_file())
        except OSError:
            files = []
        return {
            **self.describe(),
            "gcode_state": status["gcode_state"],
            "subtask_name": status["subtask_name"],
            "mc_percent": status["mc_percent"],
            "mc_remaining_time": status["mc_remaining_time"],
            "layer_num": status["layer_num"],
            "total_layer_num": status["total_layer_num"],
            "print_error": status["print_error"],
            "hms": list(status["hms"]),
            "stg_cur": status["stg_cur"],
            "spd_lvl": status["spd_lvl"],
            "tray_now": brain.ams.tray_now,
            "firmware": brain.firmware,
            "job": None
            if job is None
            else {
                "label": job.label,
                "file": job.source.name,
                "error": job.error,
                "duration_s": None if job.spec is None else job.spec.duration_s,
                "printed_s": round(job.print_s, 1),
            },
            "bed_position_mm": round(brain.motion.position_mm, 2),
            "bed_moving": brain.motion.moving,
            "files": files,
            "sdcard": str(self.ftps.root),
            "mqtt_running": self.broker.running,
            "mqtt_pid": self.broker.pid,
            "ftps_pid": self.ftps.pid,
            "brain_connected": self.link.connected,
            "ftps_running": self.ftps.running,
            "camera": None
            if self.camera is None
            else {
                "running": self.camera.running,
                "clients": self.camera.clients,
                "frames_sent": self.camera.frames_sent,
                "rejected": self.camera.rejected,
            },
            "faults": {
                "silent": brain.silent,
                "pushing": brain.pushing,
                "reject_commands": brain.reject_commands,
                "ftps_fail_after": self.ftps.file_size_limit,
                "injected_hms": list(brain.injected_hms),
                "door_open": bool(int(status["home_flag"]) & DOOR_OPEN),
                "firmware_update": status["upgrade_state"].get("new_version_state") == 1,
            },
            "reports_sent": brain.reports_sent,
        }

    # -- faults ----------------------------------------------------------------------------------
    async def inject_fault(self, fault: str, **params: Any) -> None:
        """Make the printer misbehave.

        - ``mqtt_drop``: Mosquitto is killed and restarted (every client connection drops).
        - ``mqtt_down`` / ``mqtt_up``: kill Mosquitto / start it again.
        - ``silent``: stop publishing anything (reports and replies) while keeping every
          connection open; ``clear`` ends it.
        - ``reject_commands`` (``enabled=True``): 2025 authorization firmware without Developer
          Mode: control commands are answered ``"result": "failed", "reason": "mqtt message
          verify failed", "err_code": 84033543``, HMS 0500_0500_0001_0007 is reported, X1 sets
          ``fun`` bit 0x20000000, ``get_version`` shows the new firmware; reads and ``ledctrl``
          keep working.
        - ``ftps_fail_after`` (``bytes=N``): uploads in sessions opened from now on break after
          N bytes (connection reset, truncated file).
        - ``ftps_kill_sessions``: every open FTP session is killed (uploads in flight break).
        - ``ftps_down`` / ``ftps_up``: kill vsftpd / start it again.
        - ``print_error`` (``print_error=int``, ``hms=[{"attr": int, "code": int}]``): the job
          in progress fails (FAILED) with that error; ``FaultError`` if the printer is idle.
        - ``hms`` (``hms=[{"attr": int, "code": int}]``): report these HMS entries (beside the
          ones already reported; the job goes on).
        - ``door`` (``open=True|False``, X1C only; others: ``FaultError``): the front door, in
          ``home_flag`` bit 0x00800000 as X1 firmware reports it.
        - ``firmware_update`` (``version="01.09.00.00"``; ``None``: none): ``upgrade_state``
          offers a firmware update.
        - ``clear``: end ``silent``, ``reject_commands`` and ``ftps_fail_after``, remove the
          injected HMS entries, close the door, withdraw the update offer, resume pushes,
          start servers that are down.
        """
        brain = self.brain
        if fault == "mqtt_drop":
            await self.broker.restart()
        elif fault == "mqtt_down":
            self.broker.kill()
        elif fault == "mqtt_up":
            await self.broker.start()
        elif fault == "silent":
            brain.silent = True
        elif fault == "reject_commands":
            brain.set_reject_commands(bool(params.get("enabled", True)))
        elif fault == "ftps_fail_after":
            self.ftps.limit_file_size(int(params.get("bytes", 65536)))
        elif fault == "ftps_kill_sessions":
            self.ftps.kill_sessions()
        elif fault == "ftps_down":
            self.ftps.kill()
        elif fault == "ftps_up":
            await self.ftps.start()
        elif fault == "print_error":
            entries = parse_hms(params.get("hms", [FAULT_HMS]))
            if not brain.fail_print(int(params.get("print_error", FAULT_ERROR)), entries):
                raise FaultError(f"{self.name} is not printing ({brain.gcode_state})")
        elif fault == "hms":
            brain.add_hms(parse_hms(params.get("hms")))
        elif fault == "door":
            if not self.spec.door_sensor:
                raise FaultError(f"{self.name}: a {self.spec.name} reports no door")
            is_open = params.get("open", True)
            if not isinstance(is_open, bool):
                raise ValueError("open must be true or false")
            brain.set_door_open(is_open)
        elif fault == "firmware_update":
            version = params.get("version", "01.09.00.00")
            if version is not None and not isinstance(version, str):
                raise ValueError('version must be a string like "01.09.00.00" or null')
            brain.offer_update(version)
        elif fault == "clear":
            brain.clear_injected_hms()
            if self.spec.door_sensor:
                brain.set_door_open(False)
            brain.offer_update(None)
            brain.silent = False
            brain.pushing = True
            if brain.reject_commands:
                brain.set_reject_commands(False)
            self.ftps.limit_file_size(None)
            await asyncio.gather(self.broker.start(), self.ftps.start())
        else:
            raise FaultError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
