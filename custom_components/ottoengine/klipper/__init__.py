"""Klipper/Moonraker printers (Creality K1/K1C rooted, Anycubic Kobra S1, Voron), HA-free.

- ``KlipperClient``: Moonraker calls of a printer (upload, start/pause/resume/cancel, G-code,
  metadata, files, history), on the OttoEject's ``MoonrakerClient``.
- ``derive_snapshot``: Moonraker's merged status -> the farm's printer model (pure).
- ``apply_quirks``: stale COMPLETE, stuck at 99 %, Klippy lost mid-job (pure).
- ``KlipperPrinterPort``: the farm's ``PrinterPort`` for one Klipper printer.
- ``device_kind`` / ``probe_device_kind``: a printer or an OttoEject?
"""

from .client import KlipperClient, RemoteFile, UploadResult
from .errors import KlipperUploadError, UploadTooLargeError
from .identity import DeviceProbe, MoonrakerDeviceKind, device_kind, probe_device_kind
from .metadata import FileMetadata, Thumbnail, metadata_from
from .port import KlipperPrinterPort
from .quirks import HistoryJob, TrackedJob, apply_quirks
from .status import PRINTER_OBJECTS, KlipperSnapshot, Temperatures, derive_snapshot

__all__ = [
    "PRINTER_OBJECTS",
    "DeviceProbe",
    "FileMetadata",
    "HistoryJob",
    "KlipperClient",
    "KlipperPrinterPort",
    "KlipperSnapshot",
    "KlipperUploadError",
    "MoonrakerDeviceKind",
    "RemoteFile",
    "Temperatures",
    "Thumbnail",
    "TrackedJob",
    "UploadResult",
    "UploadTooLargeError",
    "apply_quirks",
    "derive_snapshot",
    "device_kind",
    "metadata_from",
    "probe_device_kind",
]
