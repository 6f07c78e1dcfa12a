"""Exceptions raised by the Bambu Lab LAN driver, one type per failure a caller must tell apart."""

from __future__ import annotations


class BambuError(Exception):
    """Base class of every error raised by the Bambu Lab driver."""


class BambuConnectionError(BambuError):
    """The printer cannot be reached (refused, unreachable, timed out, connection lost)."""


class BambuAuthError(BambuError):
    """The printer rejected the LAN access code (MQTT "not authorized" / FTP 530).

    Retrying with the same code is pointless: the user must enter the new access code.
    """


class SerialMismatchError(BambuError):
    """The certificate's common name (the printer's serial) is not the configured serial."""

    def __init__(self, expected: str, actual: str | None) -> None:
        super().__init__(f"printer certificate belongs to serial {actual!r}, expected {expected!r}")
        self.expected = expected
        self.actual = actual


class CertificateMismatchError(BambuError):
    """The printer presented a certificate other than the pinned one (trust on first use)."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(
            f"printer certificate fingerprint {actual} does not match the pinned {expected}"
        )
        self.expected = expected
        self.actual = actual


class BambuCommandError(BambuError):
    """The printer refused a command or did not confirm it in time."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class PrinterBusyError(BambuCommandError):
    """A print cannot start because the printer is busy (preparing, printing or paused)."""


class AuthorizationFirmwareError(BambuCommandError):
    """The printer's 2025 "Authorization Control" firmware rejects unsigned LAN commands.

    Status reading keeps working; control needs LAN-only mode with Developer Mode enabled on
    the printer.
    """


class BambuUploadError(BambuError):
    """An FTPS upload failed (storage full, no SD card, transfer aborted, size mismatch...)."""
