"""A simulated Klipper printer (Creality K1C): a real Moonraker in front of a simulated Klippy,
bound to the farm's world like the Bambu printers.

Built like the simulated OttoEject (``ottosim.ottoeject.ejector``) from the shared parts in
``ottosim.klippy``: the Moonraker subprocess (own venv) and Klippy's API server, here running a
``KlipperPrinterBrain`` instead of robot macros.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
import shutil
import tempfile
from typing import Any
import uuid

from ottosim.klipper.brain import CommandError, KlipperPrinterBrain
from ottosim.klipper.klippy import PrinterKlippy
from ottosim.klipper.models import DEFAULT_END_PRINT_RAISE, K1C, KlipperModelSpec
from ottosim.klippy.api_server import ESTOP_MESSAGE
from ottosim.klippy.moonraker_process import MoonrakerProcess
from ottosim.world import World

_LOGGER = logging.getLogger(__name__)

FAULTS = (
    "shutdown",
    "error",
    "firmware_restart",
    "moonraker_down",
    "moonraker_up",
    "print_error",
    "clear",
)
DEFAULT_SHUTDOWN_MESSAGE = "Lost communication with MCU 'nozzle_mcu'"
DEFAULT_ERROR_MESSAGE = "Error in printer.cfg: simulated configuration error"
DEFAULT_PRINT_ERROR = "Move out of range: 110.000 110.000 260.000 [0.000]"


class KlipperFaultError(Exception):
    """A fault that does not apply now (``print_error`` while not printing)."""


class SimulatedKlipperPrinter:
    """One Klipper printer of the simulated farm.

    ``world.add_printer(name, spec.name)`` must have been called. Moonraker listens on
    ``host:port``; uploaded files go to its gcodes folder, which is Klippy's virtual SD card.
    ``time_scale``: simulated seconds per real second. ``end_print_raise``: the bed raise the
    user put into ``END_PRINT`` (``G1 Z200 F600``). ``zeroconf``: enable Moonraker's
    ``[zeroconf]`` announcement (``_moonraker._tcp.local.``, address ``host``, server
    ``<name>.local.``); off by default: python-zeroconf announces on every interface, so the
    simulated printers' loopback addresses would also reach the LAN.
    """

    def __init__(
        self,
        world: World,
        *,
        name: str = "k1c-1",
        spec: KlipperModelSpec = K1C,
        host: str = "127.0.3.1",
        port: int = 7125,
        api_key: str | None = None,
        workdir: Path | None = None,
        time_scale: float = 1.0,
        end_print_raise: str = DEFAULT_END_PRINT_RAISE,
        zeroconf: bool = False,
    ) -> None:
        if name not in world.printers:
            raise ValueError(f"call world.add_printer({name!r}, {spec.name!r}) first")
        self.world = world
        self.name = name
        self.spec = spec
        self.host = host
        self.port = port
        self.api_key = api_key
        self.time_scale = time_scale
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix=f"ottosim-{name}-"))
        # Created by start(), removed by stop(): unix socket paths are limited to 107 bytes.
        self._socket_dir = Path("/tmp") / f"otto-uds-{uuid.uuid4().hex[:12]}"
        data_path = self.workdir / "moonraker"
        self.brain = KlipperPrinterBrain(
            world, name, spec, data_path / "gcodes", end_print_raise=end_print_raise
        )
        self.klippy = PrinterKlippy(
            self._socket_dir / "klippy.sock",
            self.brain,
            hostname=spec.hostname,
            data_path=data_path,
            time_scale=time_scale,
        )
        self.moonraker = MoonrakerProcess(
            host=host,
            port=port,
            data_path=data_path,
            klippy_socket=self._socket_dir / "klippy.sock",
            unix_socket=self._socket_dir / "moonraker.sock",
            api_key=api_key,
            zeroconf_hostname=name if zeroconf else None,
        )

    async def start(self) -> None:
        """Start Klippy and Moonraker; returns when Moonraker reports ``klippy_state: ready``."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._socket_dir.mkdir(mode=0o700, exist_ok=True)
        try:
            await self.klippy.start()
            await self.moonraker.start()
            await self.moonraker.wait_klippy_state("ready")
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop Moonraker and Klippy; no process, socket or task is left behind."""
        await self.moonraker.stop()
        await self.klippy.stop()
        shutil.rmtree(self._socket_dir, ignore_errors=True)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        """How the integration reaches this printer."""
        return {
            "name": self.name,
            "model": self.spec.name,
            "ip": self.host,
            "port": self.port,
            "api_key": self.api_key,
        }

    def files(self) -> list[dict[str, Any]]:
        """The files in Moonraker's gcodes folder (the virtual SD card)."""
        root = self.brain.gcodes_dir
        if not root.is_dir():
            return []
        return [
            {"path": str(path.relative_to(root)), "size": path.stat().st_size}
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        ]

    def status(self) -> dict[str, Any]:
        """The printer's true state, for the farm's /truth."""
        brain = self.brain
        job = brain.job
        return {
            "name": self.name,
            "model": self.spec.name,
            "driver": "klipper",
            "ip": self.host,
            "port": self.port,
            "moonraker_running": self.moonraker.running,
            "moonraker_pid": self.moonraker.pid,
            "klippy_state": self.klippy.state,
            "klippy_state_message": self.klippy.state_message,
            "print_state": brain.print_state,
            "filename": brain.filename,
            "message": brain.message,
            "progress": brain.progress,
            "layer": brain.current_layer,
            "total_layers": brain.total_layer,
            "job": None if job is None else job.label,
            "phase": None if job is None else job.phase,
            "paused": brain.paused,
            "idle_timeout": brain.idle_timeout_state,
            "homed_axes": brain.homed_axes,
            "bed_z_mm": round(brain.bed_z_mm, 3),
            "temperatures": {
                name: {"temperature": heater.temperature, "target": heater.target}
                for name, heater in brain.heaters.items()
            },
            "end_print_raise": brain.end_print_raise,
            "jobs_started": brain.jobs_started,
            "running_command": self.klippy.current_command,
            "last_error": self.klippy.last_error,
            "restarts": self.klippy.restarts,
            "files": self.files(),
        }

    async def inject_fault(self, fault: str, **params: Any) -> None:
        """Make the printer misbehave.

        - ``shutdown`` (``message=``, ``estop=True``): Klipper shuts down (a lost MCU; with
          ``estop`` the emergency-stop message); a print stops, ``print_stats`` stays
          ``paused``. Recover with FIRMWARE_RESTART.
        - ``error`` (``message=``): Klippy restarts into a configuration error.
        - ``firmware_restart``: Klippy restarts (Moonraker sees disconnect, then ready).
        - ``moonraker_down`` / ``moonraker_up``: stop / start the Moonraker process.
        - ``print_error`` (``message=``): the running print fails (``print_stats.state``
          ``error``); ``KlipperFaultError`` when nothing prints.
        - ``clear``: Moonraker up again, Klippy restarted if it is not ready.
        """
        if fault == "shutdown":
            default = ESTOP_MESSAGE if params.get("estop") else DEFAULT_SHUTDOWN_MESSAGE
            self.klippy.shutdown(str(params.get("message", default)))
        elif fault == "error":
            self.klippy.restart(error=str(params.get("message", DEFAULT_ERROR_MESSAGE)))
        elif fault == "firmware_restart":
            self.klippy.restart()
        elif fault == "moonraker_down":
            await self.moonraker.stop()
        elif fault == "moonraker_up":
            await self._moonraker_up()
        elif fault == "print_error":
            try:
                self.brain.fail(str(params.get("message", DEFAULT_PRINT_ERROR)))
            except CommandError as err:
                raise KlipperFaultError(f"{self.name} is not printing") from err
        elif fault == "clear":
            if self.klippy.state not in {"ready", "startup"}:
                self.klippy.restart()
            await self._moonraker_up()
        else:
            raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")

    async def _moonraker_up(self) -> None:
        if self.moonraker.running:
            return
        await self.moonraker.start()
        with contextlib.suppress(Exception):
            await self.moonraker.wait_server_info(
                lambda info: info.get("klippy_state") not in {"disconnected", "startup"},
                timeout=15.0,
            )
