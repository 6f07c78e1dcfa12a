"""One OttoEject as the farm sees it (its ``EjectorPort``): a snapshot and macros.

Macros go through ``OttoEjectCoordinator.async_run_macro``, the one command path that the
buttons, the ``run_macro`` action and the REST API use too; here the Moonraker client's errors
become the farm's ``DeviceError``s for the orchestrator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..farm.device_errors import (
    CommandTimeoutError,
    DeviceAuthError,
    DeviceError,
    DeviceRefusedError,
    DeviceUnavailableError,
    UnknownCommandError,
)
from ..farm.ports import CommandResult, EjectorSnapshot, EjectorState
from ..moonraker import (
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerAuthError,
    MoonrakerClientError,
    MoonrakerError,
    UnknownMacroError,
)

if TYPE_CHECKING:
    from .coordinator import OttoEjectCoordinator


def macro_error(err: MoonrakerClientError, name: str, macro: str) -> DeviceError:
    """The farm's error for a failed macro."""
    if isinstance(err, UnknownMacroError):
        return UnknownCommandError(name, f"{name} has no macro {macro}")
    if isinstance(err, InvalidMacroError):
        return DeviceRefusedError(name, f"{macro} is not a valid macro call: {err}")
    if isinstance(err, MacroAckTimeout):
        return CommandTimeoutError(
            name, f"{name} did not acknowledge {macro} within {err.timeout:g} s"
        )
    if isinstance(err, MoonrakerAuthError):
        return DeviceAuthError(name, f"{name} refused the stored API key")
    if isinstance(err, MoonrakerError):
        return DeviceRefusedError(name, f"{macro} failed on {name}: {err.message}")
    return DeviceUnavailableError(name, f"{name} cannot be reached: {err}")


class EjectorCommands:
    """The ``EjectorPort`` of one OttoEject."""

    def __init__(self, coordinator: OttoEjectCoordinator) -> None:
        self._coordinator = coordinator

    @property
    def ejector_id(self) -> int:
        return self._coordinator.settings.id

    @property
    def name(self) -> str:
        return self._coordinator.settings.device_name

    def snapshot(self) -> EjectorSnapshot:
        data = self._coordinator.data
        return EjectorSnapshot(
            state=EjectorState(data.status.value),
            current_macro=data.current_macro,
            message=data.snapshot.state_message,
        )

    async def async_run_macro(
        self, macro: str, params: Mapping[str, str | int | float] | None = None
    ) -> CommandResult:
        try:
            await self._coordinator.async_run_macro(macro, params)
        except MoonrakerClientError as err:
            raise macro_error(err, self.name, macro) from err
        return CommandResult.CONFIRMED
