"""Telling a Klipper printer from an OttoEject by what its Moonraker reports.

Both are Klipper behind Moonraker on port 7125. An OttoEject is recognised by its macro family
(``OTTOEJECT_HOME``, ``PARK_OTTOEJECT``: ``gcode_macro <NAME>`` objects); a printer by its
``extruder`` object (a ``[extruder]`` section of printer.cfg), which a robot does not have.
The robot's macros decide when both appear. Discovery (added by the lead) calls
``probe_device_kind`` on a host that answers on 7125.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ..moonraker.client import MoonrakerClient
from ..moonraker.errors import MoonrakerError
from ..moonraker.identity import MoonrakerIdentity

OTTOEJECT_MACROS: Final = frozenset({"OTTOEJECT_HOME", "PARK_OTTOEJECT"})
_MACRO_PREFIX: Final = "gcode_macro "


class MoonrakerDeviceKind(StrEnum):
    """What a Moonraker host drives."""

    PRINTER = "printer"
    OTTOEJECT = "ottoeject"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class DeviceProbe:
    """The outcome of probing one Moonraker host."""

    kind: MoonrakerDeviceKind
    identity: MoonrakerIdentity | None = None
    reason: str | None = None  # why the kind is UNKNOWN


def device_kind(objects: Iterable[str], config_sections: Iterable[str] = ()) -> MoonrakerDeviceKind:
    """The kind from ``printer.objects.list`` (and optionally printer.cfg's section names)."""
    names = {name.strip() for name in objects}
    macros = {
        name[len(_MACRO_PREFIX) :].strip().upper()
        for name in names
        if name.lower().startswith(_MACRO_PREFIX)
    }
    if macros & OTTOEJECT_MACROS:
        return MoonrakerDeviceKind.OTTOEJECT
    sections = {section.strip().lower() for section in config_sections}
    if "extruder" in {name.lower() for name in names} or "extruder" in sections:
        return MoonrakerDeviceKind.PRINTER
    return MoonrakerDeviceKind.UNKNOWN


async def probe_device_kind(client: MoonrakerClient) -> DeviceProbe:
    """Ask Moonraker what it drives (and its identity).

    Raises ``MoonrakerConnectionError``/``MoonrakerAuthError`` when the host cannot be asked at
    all; a Klippy that is not ready (503) gives ``UNKNOWN`` with the reason.
    """
    try:
        objects = await client.objects_list()
    except MoonrakerError as err:
        return DeviceProbe(MoonrakerDeviceKind.UNKNOWN, reason=f"Klipper not ready: {err.message}")
    kind = device_kind(objects)
    try:
        identity: MoonrakerIdentity | None = await client.identity()
    except MoonrakerError, ValueError:
        identity = None
    return DeviceProbe(kind, identity=identity)
