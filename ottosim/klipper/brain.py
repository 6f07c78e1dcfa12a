"""The simulated K1C's state as Klipper's printer objects show it, advanced in simulated time.

A print (``SDCARD_PRINT_FILE``) goes through three phases: heating (``START_PRINT`` waits for
bed and nozzle), printing (layers advance, the bed follows the layer height down, the file
position follows the time printed) and ``END_PRINT`` (heaters off, then the configurable bed
raise, ``G1 Z200 F600``, which puts the bed at the eject position). Quirks of a K1C kept here:

- while ``END_PRINT`` runs, the progress sits at 99 % (``virtual_sdcard`` and
  ``display_status``) and ``print_stats.state`` still says ``printing``;
- after the print, ``print_stats`` stays ``complete`` (or ``cancelled`` / ``error``) with the
  old filename and durations until the next print starts (or ``SDCARD_RESET_FILE``, or a
  restart);
- the bed raise is all the farm gets: nothing else positions the bed for the OttoEject.

Everything physical goes through ``ottosim.world.World``: a print needs an empty plate, the
finished print is left on it with its height, a cancelled or failed print leaves what was
printed so far, bed moves are ``bed_moved`` events, and a bed move (``G28`` homes to Z 0) that
would push a print on the plate into the nozzle is refused as a violation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import copy
from dataclasses import dataclass
import math
from pathlib import Path
from typing import Any

from ottosim.bambu.job_file import JobFileError
from ottosim.bambu.motion import BedMotion
from ottosim.klipper.models import DEFAULT_END_PRINT_RAISE, KlipperModelSpec
from ottosim.klipper.print_file import PrintFile, read_print_file
from ottosim.world import PhysicalError, World

AMBIENT_C = 25.0
BED_TAU_S = 60.0  # first-order heating / cooling time constants, simulated seconds
EXTRUDER_TAU_S = 20.0
AT_TEMPERATURE_C = 2.0  # M190 / M109 wait until this close to the target
HEADER_FRACTION = 0.01  # the file position of START_PRINT (the slicer's header comes first)
END_FRACTION = 0.99  # the file position of END_PRINT: the progress shown while it runs
END_PRINT_SETTLE_S = 15.0  # END_PRINT's own waits after the raise (M400, fans), simulated
IDLE_TIMEOUT_SECONDS = 600.0
MACROS = ("START_PRINT", "END_PRINT", "PAUSE", "RESUME", "CANCEL_PRINT")
HEATERS = ("extruder", "heater_bed")
OBJECTS = (
    "webhooks",
    "configfile",
    "heaters",
    "heater_bed",
    "extruder",
    "toolhead",
    "gcode_move",
    "print_stats",
    "virtual_sdcard",
    "pause_resume",
    "display_status",
    "idle_timeout",
)


class CommandError(Exception):
    """A G-code command fails (Klipper's ``gcode.CommandError``: ``!!`` and a 400)."""


@dataclass
class _Heater:
    temperature: float = AMBIENT_C
    target: float = 0.0
    tau_s: float = BED_TAU_S

    @property
    def power(self) -> float:
        if self.target <= 0:
            return 0.0
        return round(max(0.2, min(1.0, (self.target - self.temperature) / 10.0)), 3)

    @property
    def at_target(self) -> bool:
        return self.target <= 0 or abs(self.target - self.temperature) <= AT_TEMPERATURE_C

    def advance(self, seconds: float) -> None:
        goal = self.target or AMBIENT_C
        value = goal + (self.temperature - goal) * math.exp(-seconds / self.tau_s)
        self.temperature = round(value, 2) if abs(value - goal) > 0.05 else goal


@dataclass
class _Job:
    filename: str
    file: PrintFile
    label: str
    phase: str = "heating"  # heating, printing, ending
    print_s: float = 0.0
    end_s: float = 0.0

    @property
    def extruding(self) -> bool:
        return self.phase != "heating"

    @property
    def fraction(self) -> float:
        return min(1.0, self.print_s / self.file.spec.duration_s)


class KlipperPrinterBrain:
    """The printer's firmware state: Klipper's printer objects, the print job, heaters, bed.

    ``respond`` receives G-code output lines (``// ...``, ``!! ...``). ``advance(seconds)``
    lets simulated time pass; the Klippy host calls it while Klippy is ready.
    """

    def __init__(
        self,
        world: World,
        name: str,
        spec: KlipperModelSpec,
        gcodes_dir: Path,
        *,
        end_print_raise: str = DEFAULT_END_PRINT_RAISE,
        respond: Callable[[str], None] | None = None,
    ) -> None:
        self.world = world
        self.name = name
        self.spec = spec
        self.gcodes_dir = gcodes_dir
        self.end_print_raise = end_print_raise
        self.respond: Callable[[str], None] = respond or (lambda line: None)
        self.heaters = {
            "extruder": _Heater(tau_s=EXTRUDER_TAU_S),
            "heater_bed": _Heater(tau_s=BED_TAU_S),
        }
        self.motion = BedMotion("Z", world.printers[name].bed_z_mm)
        self.jobs_started = 0
        self.job: _Job | None = None
        self.webhooks: dict[str, Any] = {}
        self.idle_timeout_state = "Idle"
        self.homed_axes = ""
        self.reset("startup", "Printer is not ready")

    # -- life cycle ------------------------------------------------------------------------------
    def reset(self, state: str, message: str) -> None:
        """Fresh values, as after Klippy (re)starts: standby, heaters off, nothing homed."""
        self.webhooks = {"state": state, "state_message": message}
        self.idle_timeout_state = "Idle"
        self._activity_since: float | None = None
        self._printing_time = 0.0
        self.homed_axes = ""
        self.job = None
        self.paused = False
        self.display_message: str | None = None
        for heater in self.heaters.values():
            heater.target = 0.0
        self.motion.reset(self.world.printers[self.name].bed_z_mm)
        self._reset_print_stats()

    def _reset_print_stats(self) -> None:
        self.print_state = "standby"
        self.filename = ""
        self.message = ""
        self.total_duration = 0.0
        self.print_duration = 0.0
        self.filament_used = 0.0
        self.total_layer: int | None = None
        self.current_layer: int | None = None
        self.file_path: str | None = None
        self.file_position = 0
        self.file_size = 0
        self.progress = 0.0

    def set_webhooks(self, state: str, message: str) -> None:
        self.webhooks = {"state": state, "state_message": message}

    def begin_activity(self, now: float) -> None:
        """The toolhead got work (a G4, a move): ``idle_timeout`` says Printing."""
        if self._activity_since is None:
            self._activity_since = now
        self.idle_timeout_state = "Printing"

    def end_activity(self, now: float) -> None:
        if self._activity_since is not None:
            self._printing_time = now - self._activity_since
        self._activity_since = None
        self.idle_timeout_state = "Printing" if self.active else "Ready"

    @property
    def active(self) -> bool:
        """A print runs (not paused)."""
        return self.job is not None and not self.paused

    @property
    def bed_z_mm(self) -> float:
        return self.world.printers[self.name].bed_z_mm

    # -- commands ----------------------------------------------------------------------------------
    def start_file(self, filename: str) -> None:
        """``SDCARD_PRINT_FILE FILENAME=...``: print a file of the gcodes folder."""
        if self.job is not None:
            raise CommandError("SD busy")
        relative = filename.lstrip("/")
        path = (self.gcodes_dir / relative).resolve()
        if not path.is_relative_to(self.gcodes_dir.resolve()):
            raise CommandError(f"Unable to open file {filename!r}")
        try:
            file = read_print_file(
                path, bed_c=self.spec.bed_target_c, extruder_c=self.spec.extruder_target_c
            )
        except JobFileError as err:
            self._reset_print_stats()  # a failed start resets print_stats to standby
            raise CommandError("Unable to open file") from err
        self.jobs_started += 1
        label = f"{Path(relative).stem}@{self.name}#{self.jobs_started}"
        self._reset_print_stats()
        self.filename = relative
        self.file_path = str(path)
        self.file_size = file.size
        self.total_layer = file.spec.total_layers  # the file's SET_PRINT_STATS_INFO TOTAL_LAYER
        self._set_position(HEADER_FRACTION)
        try:
            self.world.start_print(self.name, file=relative, job=label)
        except PhysicalError as err:
            self.print_state = "error"
            self.message = f"No empty build plate on the bed: {err}"
            self.world.abort_print(
                self.name, None, started=False, file=relative, job=label,
                reason="no_empty_plate", error=self.message,
            )  # fmt: skip
            self.respond(f"!! {self.message}")
            return
        self.job = _Job(relative, file, label)
        self.paused = False
        self.print_state = "printing"
        self.idle_timeout_state = "Printing"
        self.homed_axes = "xyz"  # START_PRINT homes
        self.motion.reset(self.bed_z_mm)
        self.heaters["heater_bed"].target = file.bed_c
        self.heaters["extruder"].target = file.extruder_c

    def reset_file(self) -> None:
        """``SDCARD_RESET_FILE``: forget the last print (refused while printing)."""
        if self.job is not None:
            raise CommandError("SD busy")
        self._reset_print_stats()

    def pause(self) -> None:
        if self.paused:
            self.respond("// Print already paused")
            return
        if self.job is None:
            return
        self.paused = True
        self.print_state = "paused"
        self.idle_timeout_state = "Ready"

    def resume(self) -> None:
        if not self.paused or self.job is None:
            self.respond("// Print is not paused, resume aborted")
            return
        self.paused = False
        self.print_state = "printing"
        self.idle_timeout_state = "Printing"

    def cancel(self) -> None:
        """``CANCEL_PRINT``: the print stops where it is (no END_PRINT, so no bed raise)."""
        job = self.job
        if job is None:
            return
        self._abort(job, "cancelled", reason="cancelled")
        self.respond("// Print cancelled")

    def fail(self, message: str) -> None:
        """The print fails with a G-code error (``print_error`` fault)."""
        job = self.job
        if job is None:
            raise CommandError("not printing")
        self._abort(job, "error", reason="print_error", message=message)
        self.respond(f"!! {message}")

    def on_shutdown(self, message: str) -> None:
        """Klippy shut down: a print stops, ``print_stats`` freezes as ``paused``."""
        job = self.job
        if job is not None:
            self._abort(job, "paused", reason="klippy_shutdown", message=message)
            self.idle_timeout_state = "Printing"  # frozen, like Klipper after a shutdown

    def set_target(self, heater: str, target: float) -> None:
        if heater not in self.heaters:
            raise CommandError(f'Unknown heater "{heater}"')
        if target < 0 or target > 300:
            raise CommandError(f"Requested temperature ({target:.1f}) out of range (0.0:300.0)")
        self.heaters[heater].target = target

    def turn_off_heaters(self) -> None:
        for heater in self.heaters.values():
            heater.target = 0.0

    def move(self, line: str) -> None:
        """Queue a ``G0``/``G1``/``G28``/``G90``/``G91`` line (only the bed's Z matters)."""
        upper = line.upper()
        if upper.startswith(("G0", "G1")) and "Z" in upper and "z" not in self.homed_axes:
            raise CommandError("Must home axis first: 0.000 0.000 0.000 [0.000]")
        probe = copy.deepcopy(self.motion)  # where the bed would end up
        probe.feed(line)
        probe.advance(math.inf)
        try:
            self.world.check_bed_clearance(self.name, probe.position_mm)
        except PhysicalError as err:
            raise CommandError(str(err)) from err
        if upper.startswith("G28"):
            self.homed_axes = "xyz"
        self.motion.feed(line)

    def end_print(self) -> None:
        """``END_PRINT`` outside a print: heaters off and the bed raise."""
        self.turn_off_heaters()
        self.motion.feed("G90\n" + self.end_print_raise)

    # -- time --------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        job = self.job
        if job is not None:
            self.total_duration += seconds
            if not self.paused:
                self._run(job, seconds)
        for heater in self.heaters.values():
            heater.advance(seconds)
        was_moving = self.motion.moving
        if self.motion.advance(seconds):
            self.world.move_bed(self.name, z_mm=self.motion.position_mm)
        if was_moving and not self.motion.moving:
            self.world.record(
                self.name,
                "bed_moved",
                axis="Z",
                position_mm=round(self.motion.position_mm, 2),
                at_eject_position=self.world.printers[self.name].at_eject_position,
            )

    def _run(self, job: _Job, seconds: float) -> None:
        if job.phase == "heating":
            if all(heater.at_target for heater in self.heaters.values()):
                job.phase = "printing"
                self.current_layer = 1
            return
        self.print_duration += seconds
        if job.phase == "printing":
            job.print_s += seconds
            spec = job.file.spec
            layers = spec.total_layers
            layer = min(layers, int(job.fraction * layers) + 1)
            if layer != self.current_layer:
                z_mm = round(spec.height_mm * layer / layers, 3)
                self.world.move_bed(self.name, z_mm=z_mm)
                self.motion.reset(z_mm)
            self.current_layer = layer
            self.filament_used = round(job.file.filament_mm * job.fraction, 2)
            self._set_position(HEADER_FRACTION + (END_FRACTION - HEADER_FRACTION) * job.fraction)
            if job.fraction >= 1.0:
                job.phase = "ending"  # END_PRINT: heaters off, then the bed raise
                self.current_layer = layers
                self.turn_off_heaters()
                self.motion.feed("G90\n" + self.end_print_raise)
            return
        job.end_s += seconds
        if not self.motion.moving and job.end_s >= END_PRINT_SETTLE_S:
            self._complete(job)

    def _complete(self, job: _Job) -> None:
        self.job = None
        self._set_position(1.0)
        self.print_state = "complete"
        self.idle_timeout_state = "Ready"
        self.world.finish_print(
            self.name, job.label, height_mm=job.file.spec.height_mm, file=job.filename
        )

    def _abort(self, job: _Job, state: str, *, reason: str, message: str = "") -> None:
        self.job = None
        self.paused = False
        self.print_state = state
        self.message = message
        self.idle_timeout_state = "Ready"
        self.turn_off_heaters()
        height = round(job.file.spec.height_mm * job.fraction, 2) if job.extruding else None
        self.world.abort_print(
            self.name,
            job.label if job.extruding else None,
            height_mm=height,
            file=job.filename,
            job=job.label,
            reason=reason,
            error=message or None,
        )

    def _set_position(self, fraction: float) -> None:
        self.file_position = int(self.file_size * fraction)
        self.progress = round(self.file_position / self.file_size, 3) if self.file_size else 0.0

    # -- printer objects ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [*OBJECTS, *(f"gcode_macro {name}" for name in MACROS)]

    def configfile(self) -> dict[str, Any]:
        """``configfile``: ``config`` as written (strings), ``settings`` parsed."""
        x_max, y_max, z_max = self.spec.axis_maximum
        config: dict[str, dict[str, str]] = {
            "printer": {
                "kinematics": self.spec.kinematics,
                "max_velocity": "800",
                "max_accel": "20000",
                "max_z_velocity": "20",
            },
            "stepper_x": {"position_max": f"{x_max:g}"},
            "stepper_y": {"position_max": f"{y_max:g}"},
            "stepper_z": {"position_max": f"{z_max:g}"},
            "extruder": {
                "nozzle_diameter": "0.400",
                "filament_diameter": "1.750",
                "heater_pin": "nozzle_mcu:PB11",
                "sensor_type": "EPCOS 100K B57560G104F",
                "min_temp": "0",
                "max_temp": "300",
            },
            "heater_bed": {
                "heater_pin": "PC8",
                "sensor_type": "EPCOS 100K B57560G104F",
                "min_temp": "0",
                "max_temp": "120",
            },
            "virtual_sdcard": {"path": str(self.gcodes_dir)},
            "pause_resume": {},
            "display_status": {},
            "idle_timeout": {"timeout": f"{IDLE_TIMEOUT_SECONDS:g}"},
            **{f"gcode_macro {name}": {"gcode": self.macro_gcode(name)} for name in MACROS},
        }
        settings = {
            section: {key: _parsed(value) for key, value in options.items()}
            for section, options in config.items()
        }
        return {
            "config": config,
            "settings": settings,
            "save_config_pending": False,
            "warnings": [],
        }

    def macro_gcode(self, name: str) -> str:
        """The body of a stock K1C macro, as printer.cfg / gcode_macro.cfg show it."""
        bodies = {
            "START_PRINT": "\nM140 S{params.BED_TEMP}\nG28\nM190 S{params.BED_TEMP}\n"
            "M109 S{params.EXTRUDER_TEMP}",
            "END_PRINT": f"\nTURN_OFF_HEATERS\nG90\n{self.end_print_raise}\nM400",
            "PAUSE": "\nPAUSE_BASE",
            "RESUME": "\nRESUME_BASE",
            "CANCEL_PRINT": "\nTURN_OFF_HEATERS\nCANCEL_PRINT_BASE",
        }
        return bodies[name]

    def _full_status(self, name: str, now: float) -> dict[str, Any] | None:
        if name == "webhooks":
            return dict(self.webhooks)
        if name == "print_stats":
            return {
                "filename": self.filename,
                "total_duration": round(self.total_duration, 2),
                "print_duration": round(self.print_duration, 2),
                "filament_used": self.filament_used,
                "state": self.print_state,
                "message": self.message,
                "info": {"total_layer": self.total_layer, "current_layer": self.current_layer},
            }
        if name == "virtual_sdcard":
            return {
                "file_path": self.file_path,
                "progress": self.progress,
                "is_active": self.active,
                "file_position": self.file_position,
                "file_size": self.file_size,
            }
        if name == "display_status":
            return {"progress": self.progress, "message": self.display_message}
        if name == "pause_resume":
            return {"is_paused": self.paused}
        if name in self.heaters:
            heater = self.heaters[name]
            status: dict[str, Any] = {
                "temperature": heater.temperature,
                "target": heater.target,
                "power": heater.power,
            }
            if name == "extruder":
                status["can_extrude"] = heater.temperature >= 170.0
            return status
        if name == "heaters":
            return {
                "available_heaters": list(HEATERS),
                "available_sensors": list(HEATERS),
                "available_monitors": [],
            }
        if name == "toolhead":
            return {
                "homed_axes": self.homed_axes,
                "position": [110.0, 110.0, round(self.bed_z_mm, 3), 0.0],
                "axis_minimum": [0.0, 0.0, 0.0, 0.0],
                "axis_maximum": [*self.spec.axis_maximum, 0.0],
                "max_velocity": 800.0,
                "max_accel": 20000.0,
                "extruder": "extruder",
            }
        if name == "gcode_move":
            position = [110.0, 110.0, round(self.bed_z_mm, 3), 0.0]
            return {
                "absolute_coordinates": True,
                "absolute_extrude": True,
                "speed_factor": 1.0,
                "extrude_factor": 1.0,
                "homing_origin": [0.0, 0.0, 0.0, 0.0],
                "position": position,
                "gcode_position": position,
            }
        if name == "idle_timeout":
            printing_time = self._printing_time
            if self._activity_since is not None:
                printing_time = now - self._activity_since
            return {
                "state": self.idle_timeout_state,
                "printing_time": round(printing_time, 2),
                "idle_timeout": IDLE_TIMEOUT_SECONDS,
            }
        if name == "configfile":
            return self.configfile()
        if name.startswith("gcode_macro ") and name.removeprefix("gcode_macro ") in MACROS:
            return {}
        return None

    def query(
        self, requested: Mapping[str, Sequence[str] | None], now: float
    ) -> dict[str, dict[str, Any]]:
        """Klipper's ``objects/query``: unknown object ``{}``, unknown field ``None``."""
        status: dict[str, dict[str, Any]] = {}
        for name, fields in requested.items():
            full = self._full_status(name, now)
            if full is None:
                status[name] = {}
            elif fields is None:
                status[name] = copy.deepcopy(full)
            else:
                status[name] = {key: copy.deepcopy(full.get(key)) for key in fields}
        return status


def _parsed(value: str) -> Any:
    """A config value as Klipper's ``settings`` shows it (numbers as numbers)."""
    try:
        return float(value)
    except ValueError:
        return value
