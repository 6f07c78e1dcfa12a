"""The OttoEject's simulated Klippy: Klippy's API server (``ottosim.klippy``) with the robot's
macros (``MacroCatalog``) as its extended G-code commands.

Every macro is logged as ``macro_started`` / ``macro_finished`` (``macro_refused`` when Klippy
is not ready), takes its scaled duration (``idle_timeout`` says Printing meanwhile) and then
acts on the world; an injected failure fails it at once.
"""

from __future__ import annotations

from pathlib import Path

from ottosim.klippy.api_server import (
    ENDPOINTS,
    ERROR,
    ESTOP_MESSAGE,
    READY,
    READY_MESSAGE,
    RESTART_HINT,
    SHUTDOWN,
    STARTUP,
    STARTUP_MESSAGE,
    STATUS_INTERVAL,
    EndpointError,
    KlippyApiServer,
)
from ottosim.klippy.gcode import GcodeCall
from ottosim.ottoeject.macros import MacroCatalog, MacroFailed
from ottosim.ottoeject.printer_objects import PrinterObjects

__all__ = [
    "ENDPOINTS",
    "ERROR",
    "ESTOP_MESSAGE",
    "READY",
    "READY_MESSAGE",
    "RESTART_HINT",
    "SHUTDOWN",
    "STARTUP",
    "STARTUP_MESSAGE",
    "STATUS_INTERVAL",
    "EndpointError",
    "SimulatedKlippy",
]


class SimulatedKlippy(KlippyApiServer):
    """Klippy's API server for one simulated OttoEject."""

    cpu_info = "simulated OttoEject"

    def __init__(
        self,
        socket_path: Path,
        catalog: MacroCatalog,
        *,
        hostname: str,
        data_path: Path,
        time_scale: float = 1.0,
        restart_seconds: float = 2.0,
    ) -> None:
        self._catalog = catalog
        self._macro_objects = PrinterObjects(catalog.names, str(data_path / "gcodes"))
        super().__init__(
            socket_path,
            self._macro_objects,
            hostname=hostname,
            data_path=data_path,
            time_scale=time_scale,
            restart_seconds=restart_seconds,
        )
        self.macros_completed = 0
        self.macros_failed = 0

    # -- hooks -------------------------------------------------------------------------------------
    def _reset_objects(self, state: str, message: str) -> None:
        self._macro_objects.reset(self._catalog.names, state=state, message=message)

    def _reload_config(self) -> None:
        self._catalog.reload()

    def _config_sections(self) -> list[str]:
        return [f"[gcode_macro {name}]\ngcode:\n  M400" for name in self._catalog.names]

    def _extended_help(self) -> dict[str, str]:
        return dict.fromkeys(self._catalog.names, "G-Code macro")

    def _refused(self, call: GcodeCall, reason: str) -> None:
        if self._catalog.is_macro(call.command):
            self._catalog.record("macro_refused", macro=call.command, line=call.line, error=reason)

    async def _run_extended(self, call: GcodeCall) -> bool:
        if not self._catalog.is_macro(call.command):
            return False
        await self._run_macro(call)
        return True

    # -- macros ------------------------------------------------------------------------------------
    async def _run_macro(self, call: GcodeCall) -> None:
        """Run a macro, logged as ``macro_started`` and ``macro_finished`` (``ok``, ``error``)."""
        self._catalog.record("macro_started", macro=call.command, line=call.line)
        error: str | None = "interrupted"
        try:
            await self._run_macro_body(call)
            error = None
        except EndpointError as err:
            error = str(err).strip()
            raise
        finally:
            self._catalog.record(
                "macro_finished", macro=call.command, ok=error is None, error=error
            )

    async def _run_macro_body(self, call: GcodeCall) -> None:
        injected = self._catalog.take_failure(call.command)
        if injected is not None:
            # Like {action_raise_error(msg)} at the top of the macro: nothing has moved yet.
            self.macros_failed += 1
            raise self._script_error(injected)
        await self._move(self._catalog.duration(call.command))
        try:
            self._catalog.perform(call)
        except MacroFailed as err:
            self.macros_failed += 1
            raise self._script_error(
                f"Error evaluating 'gcode_macro {call.command}:gcode': gcode.CommandError: {err}"
            ) from err
        if call.command in {"OTTOEJECT_HOME", "G28"}:
            self._objects.homed_axes = "xyz"
        self.macros_completed += 1
