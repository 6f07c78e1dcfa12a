"""Klipper's G-code line parsing (shared with the simulated Klipper printers: ``ottosim.klippy``)."""

from ottosim.klippy.gcode import GcodeCall, parse_gcode_line, strip_comment

__all__ = ["GcodeCall", "parse_gcode_line", "strip_comment"]
