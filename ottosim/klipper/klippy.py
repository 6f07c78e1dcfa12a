"""The simulated K1C's Klippy: Klippy's API server (``ottosim.klippy``) running a printer.

G-code it understands beyond Klippy's built-ins: ``SDCARD_PRINT_FILE FILENAME=..`` (what
Moonraker sends for ``/printer/print/start``), ``SDCARD_RESET_FILE``, ``PAUSE``, ``RESUME``,
``CANCEL_PRINT`` (also the ``pause_resume/*`` endpoints), ``START_PRINT``, ``END_PRINT``,
``M104``/``M109``/``M140``/``M190``/``SET_HEATER_TEMPERATURE``/``TURN_OFF_HEATERS``, ``M117``,
``SET_PRINT_STATS_INFO``, and bed moves (``G0``/``G1`` Z, ``G28``, ``G90``/``G91``), which
take their simulated time. The printer's state lives in ``KlipperPrinterBrain``; this host
advances it with the farm's time scale while Klippy is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
import time

from ottosim.klipper.brain import MACROS, CommandError, KlipperPrinterBrain
from ottosim.klippy.api_server import READY, EndpointError, KlippyApiServer
from ottosim.klippy.gcode import GcodeCall

WAIT_POLL_S = 0.05
HELP = {
    "SDCARD_PRINT_FILE": "Loads a SD file and starts the print",
    "SDCARD_RESET_FILE": "Clears a loaded SD File. Stops the print if necessary",
    "M104": "Set extruder temperature",
    "M109": "Set extruder temperature and wait",
    "M140": "Set bed temperature",
    "M190": "Set bed temperature and wait",
    "SET_HEATER_TEMPERATURE": "Sets a heater temperature",
    "TURN_OFF_HEATERS": "Turn off all heaters",
    "M117": "Display a message",
    "SET_PRINT_STATS_INFO": "Pass slicer info like layer act and total to klipper",
    "PAUSE_BASE": "Pauses the current print",
    "RESUME_BASE": "Resumes the print from a pause",
    "CANCEL_PRINT_BASE": "Cancel the current print",
}
_MOVES = frozenset({"G0", "G1", "G28", "G90", "G91"})


class PrinterKlippy(KlippyApiServer):
    """Klippy's API server for one simulated Klipper printer.

    ``time_scale``: simulated seconds per real second (a restart takes 2 simulated seconds).
    """

    def __init__(
        self,
        socket_path: Path,
        brain: KlipperPrinterBrain,
        *,
        hostname: str,
        data_path: Path,
        time_scale: float = 1.0,
    ) -> None:
        super().__init__(
            socket_path,
            brain,
            hostname=hostname,
            data_path=data_path,
            time_scale=1.0 / time_scale,
        )
        self.brain = brain
        self.cpu_info = brain.spec.cpu_info
        self.speed = time_scale
        self._last_advance: float | None = None
        brain.respond = self._respond

    # -- hooks -------------------------------------------------------------------------------------
    def _reset_objects(self, state: str, message: str) -> None:
        self.brain.reset(state, message)

    def _config_sections(self) -> list[str]:
        config = self.brain.configfile()["config"]
        sections = []
        for section, options in config.items():
            if section in {"virtual_sdcard", "pause_resume", "display_status", "idle_timeout"}:
                continue
            lines = [f"[{section}]"]
            for key, value in options.items():
                lines.append(f"{key}: {value.replace(chr(10), chr(10) + '  ')}")
            sections.append("\n".join(lines))
        return sections

    def _extended_help(self) -> dict[str, str]:
        return {**HELP, **dict.fromkeys(MACROS, "G-Code macro")}

    def _on_shutdown(self, message: str) -> None:
        self.brain.on_shutdown(message)

    async def _pause_resume(self, action: str) -> None:
        actions: dict[str, Callable[[], None]] = {
            "pause": self.brain.pause,
            "resume": self.brain.resume,
            "cancel": self.brain.cancel,
        }
        if action not in actions:
            raise EndpointError(f"No registered endpoint 'pause_resume/{action}'")
        actions[action]()

    def _advance(self, now: float) -> None:
        if self._last_advance is not None and self.state == READY:
            self.brain.advance((now - self._last_advance) * self.speed)
        self._last_advance = now

    # -- G-code ------------------------------------------------------------------------------------
    async def _run_extended(self, call: GcodeCall) -> bool:
        try:
            return await self._run_printer_command(call)
        except CommandError as err:
            raise self._script_error(str(err)) from err

    async def _run_printer_command(self, call: GcodeCall) -> bool:
        brain, command, params = self.brain, call.command, call.params
        if command == "SDCARD_PRINT_FILE":
            if "FILENAME" not in params:
                raise CommandError("Error on 'SDCARD_PRINT_FILE': missing FILENAME")
            brain.start_file(params["FILENAME"])
        elif command == "SDCARD_RESET_FILE":
            brain.reset_file()
        elif command in {"PAUSE", "PAUSE_BASE"}:
            brain.pause()
        elif command in {"RESUME", "RESUME_BASE"}:
            brain.resume()
        elif command in {"CANCEL_PRINT", "CANCEL_PRINT_BASE"}:
            brain.cancel()
        elif command == "START_PRINT":
            brain.set_target("heater_bed", _number(call, "BED_TEMP", brain.spec.bed_target_c))
            brain.set_target(
                "extruder", _number(call, "EXTRUDER_TEMP", brain.spec.extruder_target_c)
            )
            await self._wait_motion("G28")
            await self._wait_heaters()
        elif command == "END_PRINT":
            brain.end_print()
            await self._wait_motion("")
        elif command in {"M104", "M109"}:
            brain.set_target("extruder", _number(call, "S", 0.0))
            if command == "M109":
                await self._wait_heaters()
        elif command in {"M140", "M190"}:
            brain.set_target("heater_bed", _number(call, "S", 0.0))
            if command == "M190":
                await self._wait_heaters()
        elif command == "SET_HEATER_TEMPERATURE":
            brain.set_target(params.get("HEATER", ""), _number(call, "TARGET", 0.0))
        elif command == "TURN_OFF_HEATERS":
            brain.turn_off_heaters()
        elif command == "M117":
            brain.display_message = call.line[4:].strip() or None
        elif command == "SET_PRINT_STATS_INFO":
            if "TOTAL_LAYER" in params:
                brain.total_layer = int(_number(call, "TOTAL_LAYER", 0))
            if "CURRENT_LAYER" in params:
                brain.current_layer = int(_number(call, "CURRENT_LAYER", 0))
        elif command in _MOVES:
            await self._wait_motion(call.line)
        else:
            return False
        return True

    async def _wait_motion(self, line: str) -> None:
        """Queue a bed move and return when the bed got there (or Klippy halted)."""
        if line:
            self.brain.move(line)
        await self._wait(lambda: not self.brain.motion.moving)

    async def _wait_heaters(self) -> None:
        await self._wait(lambda: all(h.at_target for h in self.brain.heaters.values()))

    async def _wait(self, done: Callable[[], bool]) -> None:
        self.brain.begin_activity(time.monotonic())
        halt = self._halt
        while not done():
            if halt.is_set():
                raise self._script_error("Printer is shutdown")
            await asyncio.sleep(WAIT_POLL_S)
        self.brain.end_activity(time.monotonic())


def _number(call: GcodeCall, name: str, default: float) -> float:
    text = call.params.get(name)
    if text is None or text == "":
        return default
    try:
        return float(text)
    except ValueError:
        raise CommandError(
            f"Error on '{call.line}': unable to parse '{text}' for parameter {name}"
        ) from None
