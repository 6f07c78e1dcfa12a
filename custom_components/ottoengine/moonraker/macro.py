"""Validating macro calls so that only a robot macro, never raw G-code, reaches Klipper."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re

from .errors import InvalidMacroError

MACRO_NAME = re.compile(r"[A-Z0-9_]{1,64}")
PARAM_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
# No spaces, quotes, ';' comments, '{' templates, '=' or control characters.
PARAM_VALUE = re.compile(r"[A-Za-z0-9_.:+\-]{1,64}")
MAX_PARAMS = 8
type ParamValue = str | int | float


@dataclass(frozen=True, slots=True)
class MacroCommand:
    """A validated macro call; ``script`` is the single G-code line sent to Klipper."""

    name: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def script(self) -> str:
        return " ".join([self.name, *(f"{key}={value}" for key, value in self.params)])

    @property
    def object_name(self) -> str:
        """The Klipper object that must exist for the macro (``gcode_macro <NAME>``)."""
        return f"gcode_macro {self.name}"


def build_macro_command(macro: str, params: Mapping[str, ParamValue] | None = None) -> MacroCommand:
    """Validate ``macro`` (``NAME`` or ``NAME KEY=VALUE ...``) plus ``params``.

    Names are upper-cased (Klipper commands are case-insensitive) and must match
    ``[A-Z0-9_]+``; keys are upper-cased too; values must be short and free of anything G-code
    gives a meaning to. Raises ``InvalidMacroError``.
    """
    if not isinstance(macro, str):
        raise InvalidMacroError("the macro must be a string")
    if any(char in macro for char in "\r\n\t;"):
        raise InvalidMacroError("the macro must be one line without comments")
    words = macro.split(" ")
    name = words[0].upper()
    if not MACRO_NAME.fullmatch(name):
        raise InvalidMacroError(f"invalid macro name {words[0]!r}: use A-Z, 0-9 and _")
    collected: dict[str, str] = {}
    for word in words[1:]:
        if not word:
            continue
        key, sep, value = word.partition("=")
        if not sep:
            raise InvalidMacroError(f"invalid macro parameter {word!r}: use KEY=VALUE")
        _add_param(collected, key, value)
    for param_key, param_value in (params or {}).items():
        _add_param(collected, param_key, param_value)
    if len(collected) > MAX_PARAMS:
        raise InvalidMacroError(f"at most {MAX_PARAMS} macro parameters")
    return MacroCommand(name, tuple(collected.items()))


def _add_param(collected: dict[str, str], key: object, value: object) -> None:
    if not isinstance(key, str) or not PARAM_KEY.fullmatch(key.upper()):
        raise InvalidMacroError(f"invalid macro parameter name {key!r}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidMacroError(f"invalid value for {key}: {value!r}")
    text = str(value)
    if not PARAM_VALUE.fullmatch(text):
        raise InvalidMacroError(f"invalid value for {key}: {text!r}")
    collected[key.upper()] = text
