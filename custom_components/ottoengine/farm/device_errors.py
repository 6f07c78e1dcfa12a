"""What can go wrong when the farm asks a device (printer, OttoEject) to do something.

Each device layer translates its driver's errors (``bambu``, ``moonraker``) into these, in one
place, so that every caller — buttons, actions, the REST API and the orchestrator — sees the
same error for the same failure. ``reason`` is machine-readable: the REST API answers it as
``reason`` and Home Assistant uses it as the translation key of the error it raises.
"""

from __future__ import annotations

from typing import ClassVar


class DeviceError(Exception):
    """A device could not do what was asked; ``str(err)`` says why, safe to show and log."""

    reason: ClassVar[str] = "device_error"

    def __init__(self, device: str, message: str) -> None:
        super().__init__(message)
        self.device = device
        self.message = message


class DeviceUnavailableError(DeviceError):
    """The device is not connected or not reachable now; trying again later may work."""

    reason = "device_unavailable"


class DeviceBusyError(DeviceError):
    """The device is busy with something else (e.g. a print) and refused the command."""

    reason = "device_busy"


class DeviceRefusedError(DeviceError):
    """The device answered but refused the command; the operator must look at it."""

    reason = "device_refused"


class DeveloperModeRequiredError(DeviceRefusedError):
    """A Bambu Lab printer whose firmware only takes signed commands (enable Developer Mode)."""

    reason = "developer_mode_required"


class DeviceAuthError(DeviceError):
    """The device rejected the stored credentials (access code, API key, certificate)."""

    reason = "device_auth_failed"


class DeviceTransferError(DeviceError):
    """A file transfer to the device failed part way; nothing usable is on the device."""

    reason = "transfer_failed"


class UnknownCommandError(DeviceRefusedError):
    """The device does not know the command (e.g. a macro the robot does not have)."""

    reason = "unknown_command"


class CommandTimeoutError(DeviceError):
    """The device took the command but did not confirm it in time; it may still be running.

    Motion commands must never be re-sent blindly after this: look at the device first.
    """

    reason = "command_timeout"
