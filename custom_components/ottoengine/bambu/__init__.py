"""Bambu Lab LAN driver: MQTT over TLS, FTPS upload, SSDP discovery and a status model.

HA-free: nothing here imports Home Assistant.
"""

from __future__ import annotations

from .ams import AmsState, AmsTray, AmsUnit
from .client import BambuPrinterClient
from .commands import JobIds
from .discovery import DiscoveryListener
from .errors import (
    AuthorizationFirmwareError,
    BambuAuthError,
    BambuCommandError,
    BambuConnectionError,
    BambuError,
    BambuUploadError,
    CertificateMismatchError,
    PrinterBusyError,
    SerialMismatchError,
)
from .hms import PrinterError
from .settings import ConnectionSettings
from .ssdp import DiscoveredPrinter, parse_ssdp_notify
from .status import FilamentInfo, PrinterStatus, PrintState
from .upload import UploadResult, upload_file, upload_file_sync

__all__ = [
    "AmsState",
    "AmsTray",
    "AmsUnit",
    "AuthorizationFirmwareError",
    "BambuAuthError",
    "BambuCommandError",
    "BambuConnectionError",
    "BambuError",
    "BambuPrinterClient",
    "BambuUploadError",
    "CertificateMismatchError",
    "ConnectionSettings",
    "DiscoveredPrinter",
    "DiscoveryListener",
    "FilamentInfo",
    "JobIds",
    "PrintState",
    "PrinterBusyError",
    "PrinterError",
    "PrinterStatus",
    "SerialMismatchError",
    "UploadResult",
    "parse_ssdp_notify",
    "upload_file",
    "upload_file_sync",
]
