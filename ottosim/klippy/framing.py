"""Klippy's unix-socket framing: each message is one JSON object followed by the byte 0x03."""

from __future__ import annotations

import json
from typing import Any

ETX = b"\x03"


def encode_message(message: dict[str, Any]) -> bytes:
    """One message as Klippy writes it on its API socket."""
    return json.dumps(message, separators=(",", ":")).encode() + ETX


def decode_message(frame: bytes) -> dict[str, Any]:
    """A frame read up to and including the 0x03 terminator, as a JSON object."""
    payload = frame[:-1] if frame.endswith(ETX) else frame
    decoded = json.loads(payload)
    if not isinstance(decoded, dict):
        raise TypeError(f"Klippy API messages are JSON objects, got {type(decoded).__name__}")
    return decoded
