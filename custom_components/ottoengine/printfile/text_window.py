"""Decoding of raw G-code byte windows into whole lines of text."""

from __future__ import annotations


def decode_head(data: bytes, truncated: bool) -> str:
    """Decode the start of a G-code stream; drop the last, partial line if it was cut off."""
    if truncated:
        newline = data.rfind(b"\n")
        data = data[: newline + 1] if newline >= 0 else b""
    return data.decode("utf-8", errors="replace")


def decode_tail(data: bytes, truncated: bool) -> str:
    """Decode the end of a G-code stream; drop the first, partial line if it was cut off."""
    if truncated:
        newline = data.find(b"\n")
        data = data[newline + 1 :] if newline >= 0 else b""
    return data.decode("utf-8", errors="replace")
