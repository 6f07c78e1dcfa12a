"""Thumbnail extraction: base64 PNG blocks in G-code comments, and PNG validation."""

from __future__ import annotations

import binascii
import bisect
import re

from .limits import MAX_THUMBNAIL_BYTES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# PrusaSlicer/OrcaSlicer/Bambu Studio write "; thumbnail begin WxH LEN" (PNG) or
# "; thumbnail_PNG begin ..."; JPG and QOI variants exist and are skipped. Cura plugins use the
# plain form too.
_BEGIN_RE = re.compile(
    r"^[ \t]*;[ \t]*thumbnail(?:_(?P<fmt>[A-Za-z]{3,4}))? begin (?P<w>\d{1,5})x(?P<h>\d{1,5})"
    r"(?: (?P<len>\d{1,9}))?[ \t]*\r?$",
    re.MULTILINE,
)
_END_RE = re.compile(r"^[ \t]*;[ \t]*thumbnail(?:_[A-Za-z]{3,4})? end\b", re.MULTILINE)
# Base64 text is 4/3 of the data plus "; " and a newline every 78 characters.
_MAX_BLOCK_CHARS = MAX_THUMBNAIL_BYTES * 3 // 2 + 1024


def is_acceptable_png(data: bytes) -> bool:
    """Whether ``data`` looks like a PNG and fits the thumbnail size cap."""
    return len(data) <= MAX_THUMBNAIL_BYTES and data.startswith(PNG_SIGNATURE)


def extract_gcode_thumbnail(text: str) -> bytes | None:
    """Return the largest PNG thumbnail embedded in G-code comments of ``text``, if any.

    Blocks are taken in order and never overlap (a ``begin`` inside a block is part of that
    block), so hostile input with many unterminated markers is still handled in linear time.
    """
    ends = [match.start() for match in _END_RE.finditer(text)]
    best: bytes | None = None
    best_area = -1
    resume_at = 0
    for begin in _BEGIN_RE.finditer(text):
        if begin.start() < resume_at:
            continue
        next_end = bisect.bisect_left(ends, begin.end())
        if next_end == len(ends):
            break
        end = ends[next_end]
        resume_at = end
        fmt = begin.group("fmt")
        area = int(begin.group("w")) * int(begin.group("h"))
        if (fmt is not None and fmt.upper() != "PNG") or area <= best_area:
            continue
        block = text[begin.end() : end]
        if len(block) > _MAX_BLOCK_CHARS:
            continue
        data = _decode_block(block)
        if data is not None and is_acceptable_png(data):
            best, best_area = data, area
    return best


def _decode_block(block: str) -> bytes | None:
    payload = "".join(line.strip().lstrip(";").strip() for line in block.splitlines())
    if not payload.isascii():
        return None
    try:
        return binascii.a2b_base64(payload, strict_mode=False)
    except binascii.Error:
        return None
