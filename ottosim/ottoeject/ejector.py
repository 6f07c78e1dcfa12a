"""A simulated OttoEject: a real Moonraker in front of a simulated Klippy bound to the world."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
import shutil
import tempfile
from typing import Any
import uuid

from ottosim.klippy.moonraker_process import MoonrakerProcess
from ottosim.ottoeject.klippy import ESTOP_MESSAGE, SimulatedKlippy
from ottosim.ottoeject.macros import MacroCatalog
from ottosim.world import World

_LOGGER = logging.getLogger(__name__)

FAULTS = (
    "shutdown",
    "error",
    "firmware_restart",
    "moonraker_down",
    "moonraker_up",
    "macro_fail",
    "macro_fail_clear",
)
DEFAULT_SHUTDOWN_MESSAGE = "Lost communication with MCU 'mcu'"
DEFAULT_ERROR_MESSAGE = "Error in printer.cfg: simulated configuration error"


class SimulatedOttoEject:
    """One OttoEject robot of the simulated farm.

    ``world.add_ejector(name, rack)`` must have been called. ``printers`` routes printer macros
    to world printers (see ``ottosim.ottoeject.macros``); ``macro_seconds`` overrides the
    real-time duration of a macro (full name) or a family (``EJECT_FROM``, ``STORE_TO_SLOT``, ...);
    every duration is multiplied by ``time_scale``. Moonraker listens on ``host:port``; its data
    lives in ``workdir`` (sockets go to a short private directory: unix socket paths are limited
    to 107 bytes).
    """

    def __init__(
        self,
        world: World,
        *,
        name: str = "ottoeject-1",
        rack: str = "rack-1",
        host: str = "127.0.2.1",
        port: int = 7125,
        api_key: str | None = None,
        workdir: Path | None = None,
        time_scale: float = 1.0,
        macro_seconds: dict[str, float] | None = None,
        printers: dict[str, str] | None = None,
    ) -> None:
        if name not in world.grippers:
            raise ValueError(f"call world.add_ejector({name!r}, {rack!r}) first")
        self.world = world
        self.name = name
        self.rack = rack
        self.host = host
        self.port = port
        self.api_key = api_key
        self.time_scale = time_scale
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix=f"ottosim-{name}-"))
        # Created by start(), removed by stop(): nothing is left behind when start() never runs.
        self._socket_dir = Path("/tmp") / f"otto-uds-{uuid.uuid4().hex[:12]}"
        self.catalog = MacroCatalog(
            world, name, printers=printers, macro_seconds=macro_seconds, time_scale=time_scale
        )
        self.klippy = SimulatedKlippy(
            self._socket_dir / "klippy.sock",
            self.catalog,
            hostname=name,
            data_path=self.workdir / "moonraker",
            time_scale=time_scale,
        )
        self.moonraker = MoonrakerProcess(
            host=host,
            port=port,
            data_path=self.workdir / "moonraker",
            klippy_socket=self._socket_dir / "klippy.sock",
            unix_socket=self._socket_dir / "moonraker.sock",
            api_key=api_key,
        )
        self._started = False

    async def start(self) -> None:
        """Start Klippy and Moonraker; returns when Moonraker reports ``klippy_state: ready``."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._socket_dir.mkdir(mode=0o700, exist_ok=True)
        try:
            await self.klippy.start()
            await self.moonraker.start()
            self._started = True
            await self.moonraker.wait_klippy_state("ready")
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop Moonraker and Klippy; no process, socket or task is left behind."""
        self._started = False
        await self.moonraker.stop()
        await self.klippy.stop()
        shutil.rmtree(self._socket_dir, ignore_errors=True)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        """How the integration reaches this robot."""
        return {"name": self.name, "ip": self.host, "port": self.port, "api_key": self.api_key}

    def status(self) -> dict[str, Any]:
        """The robot's true state, for the farm's /truth."""
        held = self.world.grippers.get(self.name)
        return {
            "name": self.name,
            "rack": self.rack,
            "ip": self.host,
            "port": self.port,
            "moonraker_running": self.moonraker.running,
            "klippy_state": self.klippy.state,
            "klippy_state_message": self.klippy.state_message,
            "idle_timeout": self.klippy.idle_timeout_state,
            "running_command": self.klippy.current_command,
            "macros_completed": self.klippy.macros_completed,
            "macros_failed": self.klippy.macros_failed,
            "last_error": self.klippy.last_error,
            "restarts": self.klippy.restarts,
            "gripper": None if held is None else held.as_dict(),
            "macros": list(self.catalog.names),
            "macro_failures": self.catalog.failures,
        }

    async def inject_fault(self, fault: str, **params: Any) -> None:
        """Make the robot misbehave.

        - ``shutdown`` (``message=``): Klipper shuts down (like a lost MCU); recover with
          FIRMWARE_RESTART. ``estop=True`` uses the emergency-stop message instead.
        - ``error`` (``message=``): Klippy restarts into a configuration error; FIRMWARE_RESTART
          or RESTART brings it back.
        - ``firmware_restart``: Klippy restarts (Moonraker sees disconnect, then ready).
        - ``moonraker_down`` / ``moonraker_up``: stop / start the Moonraker process (``up``
          returns when Moonraker is back and Klippy is connected again).
        - ``macro_fail`` (``macro=NAME``, ``mode="once"|"always"``, ``message=``): that macro
          fails at once, moving nothing, with ``message`` as its G-code error (``!! message``
          on the console, the ``gcode/script`` request fails); ``once``: only its next run.
        - ``macro_fail_clear`` (``macro=NAME``; without it: every macro): end ``macro_fail``.
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
        elif fault == "macro_fail":
            macro = params.get("macro")
            if not isinstance(macro, str):
                raise ValueError("macro_fail needs macro=<name>")
            message = params.get("message")
            self.catalog.fail_macro(
                macro, str(params.get("mode", "once")), None if message is None else str(message)
            )
        elif fault == "macro_fail_clear":
            macro = params.get("macro")
            self.catalog.clear_failures(None if macro is None else str(macro))
        elif fault == "moonraker_up":
            await self.moonraker.start()
            with contextlib.suppress(Exception):
                await self.moonraker.wait_server_info(
                    lambda info: info.get("klippy_state") not in {"disconnected", "startup"},
                    timeout=15.0,
                )
        else:
            raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
