"""Moonraker client for the OttoEject robot (HA-free, aiohttp).

- ``MoonrakerClient``: HTTP calls (info, identity, objects, validated macros, e-stop, restart).
- ``MoonrakerStatusStream``: live ONLINE / EJECTING / OFFLINE / ISSUE over the websocket.
- ``derive_status``: the pure status rule.
"""

from .client import MoonrakerClient
from .errors import (
    InvalidMacroError,
    MacroAckTimeout,
    MoonrakerAuthError,
    MoonrakerClientError,
    MoonrakerConnectionError,
    MoonrakerError,
    UnknownMacroError,
)
from .identity import MoonrakerIdentity, identity_from
from .macro import MacroCommand, build_macro_command
from .status import EjectorSnapshot, EjectorStatus, derive_status
from .status_stream import MoonrakerStatusStream

__all__ = [
    "EjectorSnapshot",
    "EjectorStatus",
    "InvalidMacroError",
    "MacroAckTimeout",
    "MacroCommand",
    "MoonrakerAuthError",
    "MoonrakerClient",
    "MoonrakerClientError",
    "MoonrakerConnectionError",
    "MoonrakerError",
    "MoonrakerIdentity",
    "MoonrakerStatusStream",
    "UnknownMacroError",
    "build_macro_command",
    "derive_status",
    "identity_from",
]
