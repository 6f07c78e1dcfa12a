"""Klippy's unix-socket framing (shared with the simulated Klipper printers: ``ottosim.klippy``)."""

from ottosim.klippy.framing import ETX, decode_message, encode_message

__all__ = ["ETX", "decode_message", "encode_message"]
