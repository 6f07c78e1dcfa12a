"""Defensive read-only access to an untrusted ZIP (3MF) archive.

``SafeArchive`` validates the whole central directory before anything is read: member count,
member names (no absolute paths, drive letters or ``..``), duplicates, encryption, and
declared sizes / compression ratios (zip bombs). Reads are always capped, and every failure
of the ``zipfile`` / ``zlib`` machinery on corrupt data surfaces as ``PrintFileError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
import re
import struct
from types import TracebackType
from typing import Self
import zipfile
import zlib

from .errors import PrintFileError
from .limits import (
    MAX_ARCHIVE_MEMBERS,
    MAX_COMPRESSION_RATIO,
    MAX_MEMBER_UNCOMPRESSED_BYTES,
    MAX_TOTAL_UNCOMPRESSED_BYTES,
    RATIO_CHECK_MIN_BYTES,
)

_SUPPORTED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CORRUPT = "The 3MF file is damaged or not a valid ZIP archive."

# What zipfile/zlib raise on malformed archives (bad offsets, truncation, CRC, headers).
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    struct.error,
    ValueError,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
    OverflowError,
)


@contextmanager
def archive_errors() -> Iterator[None]:
    """Turn low-level failures on a corrupt archive into ``PrintFileError``."""
    try:
        yield
    except PrintFileError:
        raise
    except _ZIP_FAILURES as err:
        raise PrintFileError(_CORRUPT) from err


class SafeArchive:
    """A validated ZIP archive opened for capped reads; use as a context manager."""

    def __init__(self, path: Path) -> None:
        with archive_errors():
            if not zipfile.is_zipfile(path):
                raise PrintFileError("The file is not a 3MF (ZIP) archive.")
            self._zip = zipfile.ZipFile(path)
        try:
            with archive_errors():
                self._members = self._validate(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying file."""
        self._zip.close()

    @property
    def names(self) -> list[str]:
        """Member names in archive order."""
        return list(self._members)

    def has(self, name: str) -> bool:
        """Whether the archive holds a member called ``name``."""
        return name in self._members

    def size(self, name: str) -> int:
        """Declared uncompressed size of member ``name``."""
        return self._members[name].file_size

    def read(self, name: str, max_bytes: int) -> bytes:
        """Read all of member ``name``; reject it if it is larger than ``max_bytes``.

        ``zipfile`` never returns more than the declared size, and verifies the CRC because the
        member is read to its end.
        """
        info = self._members[name]
        if info.file_size > max_bytes:
            raise PrintFileError(
                f"The 3MF member {name!r} is too large ({info.file_size} bytes, "
                f"at most {max_bytes} allowed)."
            )
        return self._read(info, info.file_size)

    def read_head(self, name: str, num_bytes: int) -> bytes:
        """Read at most the first ``num_bytes`` of member ``name`` (decompressing only those)."""
        return self._read(self._members[name], num_bytes)

    def _read(self, info: zipfile.ZipInfo, num_bytes: int) -> bytes:
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise PrintFileError(
                f"The 3MF member {info.filename!r} uses an unsupported compression method "
                f"({info.compress_type}); only stored and deflate are accepted."
            )
        with archive_errors(), self._zip.open(info) as stream:
            return stream.read(num_bytes)

    @staticmethod
    def _validate(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            raise PrintFileError(
                f"The 3MF archive has too many members ({len(infos)}, "
                f"at most {MAX_ARCHIVE_MEMBERS} allowed)."
            )
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            _check_member_name(name)
            if name in members:
                raise PrintFileError(f"The 3MF archive holds the member {name!r} twice.")
            if info.flag_bits & 0x1:
                raise PrintFileError(
                    f"The 3MF member {name!r} is encrypted; encrypted archives are not supported."
                )
            _check_member_size(info)
            total += info.file_size
            members[name] = info
        if total > MAX_TOTAL_UNCOMPRESSED_BYTES:
            raise PrintFileError(
                "The 3MF archive claims an implausible total uncompressed size "
                f"({total} bytes); it looks like a zip bomb."
            )
        return members


def _check_member_name(name: str) -> None:
    parts = re.split(r"[/\\]", name)
    if (
        not name
        or name.startswith(("/", "\\"))
        or _DRIVE_RE.match(name)
        or ".." in parts
        or any(ord(ch) < 32 for ch in name)
    ):
        raise PrintFileError(f"The 3MF archive holds a member with an unsafe name: {name!r}.")


def _check_member_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_UNCOMPRESSED_BYTES:
        raise PrintFileError(
            f"The 3MF member {info.filename!r} claims an implausible size "
            f"({info.file_size} bytes); it looks like a zip bomb."
        )
    if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        raise PrintFileError(
            f"The 3MF member {info.filename!r} has an implausible compression ratio "
            f"({info.file_size} bytes from {info.compress_size}); it looks like a zip bomb."
        )
