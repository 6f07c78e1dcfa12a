"""Errors of the Klipper printer driver beyond the Moonraker client's own."""

from __future__ import annotations

from ..moonraker.errors import MoonrakerClientError


class KlipperUploadError(MoonrakerClientError):
    """A file cannot be uploaded: unreadable, too large, a bad name, or the transfer broke."""


class UploadTooLargeError(KlipperUploadError):
    """The file is larger than Moonraker accepts (``max_upload_size``, 1024 MiB by default)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file has {size} bytes; the printer accepts at most {limit}")
        self.size = size
        self.limit = limit
