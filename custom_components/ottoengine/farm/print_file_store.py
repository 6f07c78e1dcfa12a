"""The folder uploaded print files and their thumbnails are kept in.

Every method does blocking file I/O: the Home Assistant layer calls them in its executor.
Uploads are written to a hidden ``.part`` file first and renamed once complete, so a stored
file is never partial.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO
import uuid


class UploadWriter:
    """Writes an upload chunk by chunk and computes its sha256 on the way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self._hash = hashlib.sha256()
        self._file: BinaryIO = path.open("xb")

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class PrintFileStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, name: str) -> Path:
        return self.directory / name

    def start_upload(self) -> UploadWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        return UploadWriter(self.directory / f".upload-{uuid.uuid4().hex}.part")

    def keep_upload(self, upload: UploadWriter, name: str) -> Path:
        """Give a complete upload its final name (replacing a leftover file of that name)."""
        target = self.directory / name
        upload.path.replace(target)
        return target

    def write_file(self, name: str, data: bytes) -> None:
        (self.directory / name).write_bytes(data)

    def read_file(self, name: str) -> bytes | None:
        try:
            return (self.directory / name).read_bytes()
        except FileNotFoundError:
            return None

    def remove(self, *names: str | None) -> None:
        for name in names:
            if name:
                (self.directory / name).unlink(missing_ok=True)
