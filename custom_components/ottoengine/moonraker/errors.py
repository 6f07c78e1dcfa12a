"""Exceptions raised by the Moonraker client."""

from __future__ import annotations


class MoonrakerClientError(Exception):
    """Base class of everything the Moonraker client raises."""


class MoonrakerConnectionError(MoonrakerClientError):
    """Moonraker cannot be reached (refused, reset, DNS, timeout before an answer)."""


class MoonrakerAuthError(MoonrakerClientError):
    """Moonraker refused the credentials (HTTP 401/403, JSON-RPC -32602 Unauthorized)."""


class MoonrakerError(MoonrakerClientError):
    """Moonraker (or Klippy behind it) answered with an error.

    ``code`` is the HTTP status (400 for a Klipper G-code error, 503 when Klippy is not
    connected, ...); ``message`` is the real text (recovered from the traceback when Moonraker's
    HTTP reason says only ``Unknown``).
    """

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class MacroAckTimeout(MoonrakerClientError):
    """A macro was sent but Moonraker did not acknowledge it in time.

    The macro is probably still running on the robot: poll the status until it is ONLINE again,
    never resend (a resend queues a duplicate motion).
    """

    def __init__(self, macro: str, timeout: float, detail: str = "") -> None:
        text = f"Command '{macro}' sent, but the acknowledgement timed out after {timeout:g} s"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.macro = macro
        self.timeout = timeout
        self.detail = detail


class InvalidMacroError(MoonrakerClientError, ValueError):
    """A macro name or parameter that is not allowed (it could inject raw G-code)."""


class UnknownMacroError(InvalidMacroError):
    """The robot has no ``gcode_macro`` of that name."""
