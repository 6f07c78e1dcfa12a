"""Defensive read-only access to an untrusted ZIP (3MF) archive.

``SafeArchive`` validates the whole central directory before anything is read: member count,
member names (no absolute paths, drive letters or ``..``), duplicates, encryption, and
declared sizes / compression ratios (zip bombs). Reads are always capped, and every failure
of the ``zipfile`` / ``zlib`` machinery on corrupt data surfaces as ``PrintFileError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import os
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
    MAX_CENTRAL_DIRECTORY_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_MEMBER_UNCOMPRESSED_BYTES,
    MAX_TOTAL_UNCOMPRESSED_BYTES,
    RATIO_CHECK_MIN_BYTES,
)

_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SIZE = 22
_EOCD_SEARCH_BYTES = _EOCD_SIZE + 0xFFFF  # the record may be followed by a 64 KiB comment
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56
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
            _check_directory_record(path)
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
        _check_member_count(len(infos))
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


def _check_directory_record(path: Path) -> None:
    """Check the end-of-central-directory record (ZIP64 aware) before ``zipfile`` reads the
    directory, which it does in full, building one ``ZipInfo`` per entry.

    Refuses a declared entry count over ``MAX_ARCHIVE_MEMBERS`` or a directory larger than
    ``MAX_CENTRAL_DIRECTORY_BYTES``. An unreadable record is left for ``zipfile`` to judge.
    """
    with path.open("rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(max(0, size - _EOCD_SEARCH_BYTES))
        tail = stream.read()
        at = tail.rfind(_EOCD_SIGNATURE)
        if at < 0 or at + _EOCD_SIZE > len(tail):
            return
        count, directory_size = struct.unpack_from("<HI", tail, at + 10)
        if count == 0xFFFF or directory_size == 0xFFFFFFFF:
            locator = at - _ZIP64_LOCATOR_SIZE
            if locator < 0 or tail[locator : locator + 4] != _ZIP64_LOCATOR_SIGNATURE:
                return
            stream.seek(struct.unpack_from("<Q", tail, locator + 8)[0])
            record = stream.read(_ZIP64_EOCD_SIZE)
            if len(record) < _ZIP64_EOCD_SIZE or record[:4] != _ZIP64_EOCD_SIGNATURE:
                return
            count, directory_size = struct.unpack_from("<QQ", record, 32)
    _check_member_count(count)
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise PrintFileError(
            f"The 3MF archive's directory is implausibly large ({directory_size} bytes)."
        )


def _check_member_count(count: int) -> None:
    if count > MAX_ARCHIVE_MEMBERS:
        raise PrintFileError(
            f"The 3MF archive has too many members ({count}, "
            f"at most {MAX_ARCHIVE_MEMBERS} allowed)."
        )


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
