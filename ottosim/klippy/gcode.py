"""Parsing G-code lines the way Klipper does (commands upper-cased, ``KEY=VALUE`` parameters)."""

from __future__ import annotations

from dataclasses import dataclass, field
import re

_TRADITIONAL = re.compile(r"^[A-Z][0-9]+(\.[0-9]+)?$")
_EXTENDED_PARAM = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)')


@dataclass(frozen=True)
class GcodeCall:
    """One parsed G-code line: upper-cased command plus its parameters (keys upper-cased)."""

    command: str
    params: dict[str, str] = field(default_factory=dict)
    line: str = ""


def strip_comment(line: str) -> str:
    return line.split(";", 1)[0].strip()


def parse_gcode_line(line: str) -> GcodeCall | None:
    """``G4 P500`` or ``EJECT_FROM_X PRINTER=p1`` as a call; ``None`` for a blank line."""
    text = strip_comment(line)
    if not text:
        return None
    head, _, rest = text.partition(" ")
    command = head.upper()
    params: dict[str, str] = {}
    if _TRADITIONAL.match(command):
        for word in rest.split():
            params[word[0].upper()] = word[1:]
    else:
        for key, value in _EXTENDED_PARAM.findall(rest):
            params[key.upper()] = value[1:-1] if value.startswith('"') else value
    return GcodeCall(command, params, text)
