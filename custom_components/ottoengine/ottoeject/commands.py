"""One OttoEject as the farm sees it (its ``EjectorPort``): a snapshot and macros.

Macros go through ``OttoEjectCoordinator.async_run_macro``, the one command path that the
buttons, the ``run_macro`` action and the REST API use too; here the Moonraker client's errors
become the farm's ``DeviceError``s for the orchestrator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

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
    EjectorStatus,
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerAuthError,
    MoonrakerClientError,
    MoonrakerError,
    UnknownMacroError,
)

if TYPE_CHECKING:
    from .coordinator import OttoEjectCoordinator

# How long a macro that outlived its acknowledgement timeout may still run (the slowest
# OttoEject motions take a few minutes).
MACRO_FINISH_TIMEOUT: Final = 1800.0


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
        """Run a macro until the robot finished it.

        A macro slower than the acknowledgement timeout is followed on the robot's status
        until it ends (never sent again); its console then tells whether it failed.
        """
        coordinator = self._coordinator
        try:
            await coordinator.async_run_macro(macro, params)
        except MacroAckTimeout as err:
            try:
                status = await coordinator.async_wait_macro_done(err.macro, MACRO_FINISH_TIMEOUT)
            except TimeoutError:
                raise CommandTimeoutError(
                    self.name,
                    f"{self.name} still runs {macro} after {MACRO_FINISH_TIMEOUT:g} s",
                ) from err
            except MoonrakerClientError as failed:
                raise macro_error(failed, self.name, macro) from failed
            if status is not EjectorStatus.ONLINE:
                raise DeviceUnavailableError(
                    self.name,
                    f"{self.name} became {status.value.lower()} while running {macro}; "
                    "whether it finished is not known",
                ) from err
        except MoonrakerClientError as err:
            raise macro_error(err, self.name, macro) from err
        return CommandResult.CONFIRMED
