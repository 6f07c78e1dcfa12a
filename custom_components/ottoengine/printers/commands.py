"""The one command path to a printer: upload, start, pause, resume, stop and G-code.

Buttons, actions, the REST API and the orchestrator all go through ``PrinterCommands`` (the
farm's ``PrinterPort`` for one printer), so a printer failure is the same error for each: the
driver's errors become the farm's ``DeviceError``s here and nowhere else. One policy for a
command whose reply does not come in time: the broker has it and some firmware does not answer
every command, so it counts as ``CommandResult.SENT`` (watch the printer's status); a command
the broker does not take within ``COMMAND_TIMEOUT`` is a ``CommandTimeoutError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..bambu import (
    AuthorizationFirmwareError,
    BambuAuthError,
    BambuCommandError,
    BambuConnectionError,
    BambuError,
    BambuPrinterClient,
    BambuUploadError,
    CertificateMismatchError,
    PrinterBusyError,
    PrintState,
    SerialMismatchError,
    upload_file,
)
from ..farm.device_errors import (
    CommandTimeoutError,
    DeveloperModeRequiredError,
    DeviceAuthError,
    DeviceBusyError,
    DeviceError,
    DeviceRefusedError,
    DeviceTransferError,
    DeviceUnavailableError,
)
from ..farm.ports import CommandResult, PrinterSnapshot, PrinterState, StartOptions
from . import const

if TYPE_CHECKING:
    from .coordinator import PrinterCoordinator

DEVELOPER_MODE_MESSAGE: Final = (
    "The printer's firmware only accepts commands signed by Bambu Lab software (Authorization "
    "Control): enable LAN-only mode and Developer Mode on the printer"
)

_STATES: Final = {
    PrintState.IDLE: PrinterState.IDLE,
    PrintState.PREPARE: PrinterState.PREPARING,
    PrintState.SLICING: PrinterState.PREPARING,
    PrintState.INIT: PrinterState.PREPARING,
    PrintState.RUNNING: PrinterState.RUNNING,
    PrintState.PAUSE: PrinterState.PAUSED,
    PrintState.FINISH: PrinterState.FINISH,
    PrintState.FAILED: PrinterState.FAILED,
    PrintState.OFFLINE: PrinterState.OFFLINE,
    PrintState.UNKNOWN: PrinterState.UNKNOWN,
}

type Send = Callable[[BambuPrinterClient], Awaitable[dict[str, Any] | None]]


def _label(name: str) -> str:
    return f"printer {name!r}"


def command_error(err: BambuError, name: str) -> DeviceError:
    """The farm's error for a driver error of a command (not an upload)."""
    label = _label(name)
    if isinstance(err, BambuConnectionError):
        return DeviceUnavailableError(name, f"The {label} is not connected; try again later")
    if isinstance(err, AuthorizationFirmwareError):
        return DeveloperModeRequiredError(
            name, f"The {label} refused the command. {DEVELOPER_MODE_MESSAGE}"
        )
    if isinstance(err, PrinterBusyError):
        return DeviceBusyError(name, f"The {label} is busy: {err}")
    if isinstance(err, BambuCommandError):
        return DeviceRefusedError(name, f"The {label} refused the command: {err.reason}")
    if isinstance(err, (BambuAuthError, CertificateMismatchError, SerialMismatchError)):
        return DeviceAuthError(name, f"The {label} refused the connection: {describe_login(err)}")
    return DeviceRefusedError(name, f"The {label} could not take the command: {err}")


def upload_error(err: BambuError, name: str) -> DeviceError:
    """The farm's error for a driver error of an FTPS upload."""
    label = _label(name)
    if isinstance(err, BambuConnectionError):
        return DeviceUnavailableError(name, f"The {label} cannot be reached over FTPS: {err}")
    if isinstance(err, (BambuAuthError, CertificateMismatchError, SerialMismatchError)):
        return DeviceAuthError(name, f"The {label} refused the upload: {describe_login(err)}")
    if isinstance(err, BambuUploadError):
        return DeviceTransferError(name, f"The upload to the printer failed: {err}")
    return DeviceTransferError(name, f"The upload to the {label} failed: {err}")


def describe_login(err: BambuError) -> str:
    """Why a printer refused our login, safe to show (no access code, no fingerprint)."""
    if isinstance(err, BambuAuthError):
        return "the access code was rejected"
    if isinstance(err, CertificateMismatchError):
        return "it presents a different certificate than the trusted one"
    if isinstance(err, SerialMismatchError):
        return f"the device at this address is not serial {err.expected}"
    return str(err)


class PrinterCommands:
    """One printer as the farm sees it: its snapshot and the commands it takes."""

    def __init__(self, coordinator: PrinterCoordinator) -> None:
        self._coordinator = coordinator

    @property
    def printer_id(self) -> int:
        return self._coordinator.printer_id

    @property
    def name(self) -> str:
        return self._coordinator.settings.name

    def snapshot(self) -> PrinterSnapshot:
        status = self._coordinator.data
        if status is None:
            return PrinterSnapshot(PrinterState.OFFLINE)
        return PrinterSnapshot(
            state=_STATES.get(status.status, PrinterState.UNKNOWN),
            job_name=status.subtask_name or status.gcode_file,
            progress_percent=status.progress_percent,
            remaining_minutes=status.remaining_time_minutes,
            layer=status.layer,
            total_layers=status.total_layers,
            error_code=status.print_error,
        )

    async def _async_send(self, send: Send) -> CommandResult:
        coordinator = self._coordinator
        name = coordinator.settings.name
        try:
            async with asyncio.timeout(const.COMMAND_TIMEOUT):
                await send(coordinator.connected_client())
        except TimeoutError:
            raise CommandTimeoutError(
                name,
                f"The {_label(name)} did not take the command within {const.COMMAND_TIMEOUT:g} s",
            ) from None
        except AuthorizationFirmwareError as err:
            coordinator.async_set_authorization_blocked(True)
            raise command_error(err, name) from err
        except PrinterBusyError as err:
            raise command_error(err, name) from err
        except BambuCommandError as err:
            if err.reason is None:  # no reply in time: the broker has it, the printer may lag
                return CommandResult.SENT
            raise command_error(err, name) from err
        except BambuError as err:
            raise command_error(err, name) from err
        return CommandResult.CONFIRMED

    async def async_pause(self) -> CommandResult:
        return await self._async_send(lambda c: c.pause(reply_timeout=const.REPLY_TIMEOUT))

    async def async_resume(self) -> CommandResult:
        return await self._async_send(lambda c: c.resume(reply_timeout=const.REPLY_TIMEOUT))

    async def async_stop(self) -> CommandResult:
        return await self._async_send(lambda c: c.stop(reply_timeout=const.REPLY_TIMEOUT))

    async def async_send_gcode(self, gcode: str) -> CommandResult:
        """Send G-code lines (joined by newlines, as ``normalize_gcode`` makes them)."""
        return await self._async_send(
            lambda c: c.send_gcode(gcode, reply_timeout=const.REPLY_TIMEOUT)
        )

    async def async_set_print_speed(self, level: int) -> CommandResult:
        """Speed level 1-4 (silent, standard, sport, ludicrous) of the running print."""
        return await self._async_send(
            lambda c: c.set_print_speed(level, reply_timeout=const.REPLY_TIMEOUT)
        )

    async def async_set_chamber_light(self, on: bool) -> CommandResult:
        """Switch the chamber light (allowed even when the firmware demands signed commands)."""
        return await self._async_send(lambda c: c.set_light("chamber_light", "on" if on else "off"))

    async def async_start_print(self, filename: str, options: StartOptions) -> CommandResult:
        """Start a file on the printer's storage (``.gcode`` plain, else a project file)."""
        if filename.lower().endswith(".gcode"):
            return await self._async_send(
                lambda c: c.start_gcode_file(filename, reply_timeout=const.REPLY_TIMEOUT)
            )
        kwargs: dict[str, Any] = dict(options.flags)
        kwargs["plate"] = options.plate
        if options.use_ams is not None:
            kwargs["use_ams"] = options.use_ams
        if options.ams_mapping is not None:
            kwargs["ams_mapping"] = list(options.ams_mapping)
        return await self._async_send(
            lambda c: c.start_project_file(filename, reply_timeout=const.REPLY_TIMEOUT, **kwargs)
        )

    # -- actions of the printer's device page ---------------------------------------------------
    async def async_send_request(
        self, request: dict[str, Any], *, while_printing: bool | None
    ) -> CommandResult:
        """Send a request of ``bambu.printer_actions``.

        ``while_printing``: True, the request only makes sense during a print (skip objects);
        False, it is refused during one (filament changes, jogging an axis would ruin it);
        None, either.
        """
        name = self._coordinator.settings.name
        status = self._coordinator.data
        printing = status is not None and status.status in (PrintState.RUNNING, PrintState.PAUSE)
        busy = status is not None and status.is_busy
        if while_printing is True and not printing:
            raise DeviceBusyError(name, f"The {_label(name)} is not printing")
        if while_printing is False and busy:
            raise DeviceBusyError(name, f"The {_label(name)} is busy with a print")
        return await self._async_send(
            lambda c: c.send_request(request, reply_timeout=const.REPLY_TIMEOUT)
        )

    async def async_upload(self, path: Path, remote_name: str) -> str:
        """Copy a local file to the printer over FTPS; returns its name on the printer."""
        settings = self._coordinator.settings
        try:
            result = await upload_file(
                settings.ip_address,
                settings.access_code,
                path,
                remote_name,
                serial=settings.serial_number,
                pinned_fingerprint=settings.fingerprint,
            )
        except BambuError as err:
            raise upload_error(err, settings.name) from err
        return result.remote_path.lstrip("/")
