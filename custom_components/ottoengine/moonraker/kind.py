"""What a Moonraker host drives: an OttoEject robot, a printer, or something we cannot tell.

Every Moonraker announces the same ``_moonraker._tcp.local.`` service, so an announcement alone
does not say whether it is a robot or a printer. What Klippy has configured does: an OttoEject
has the ``OTTOEJECT_HOME`` macro family and no extruder; a printer has an ``extruder``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

# Macros every OttoEject's configuration defines (OTTOMAT3D's macro set).
OTTOEJECT_MACROS = frozenset({"OTTOEJECT_HOME", "PARK_OTTOEJECT"})


class MoonrakerKind(StrEnum):
    """What a Moonraker host is, from its configured Klippy objects."""

    OTTOEJECT = "ottoeject"
    PRINTER = "printer"
    UNKNOWN = "unknown"  # no answer (an API key is needed, Klippy not ready) or neither


def kind_from_objects(objects: Iterable[str]) -> MoonrakerKind:
    """Tell an OttoEject from a printer by ``printer/objects/list``.

    The OttoEject macros win: a robot never has an extruder, and a printer that happened to
    define them would still be driven as the robot its configuration says it is.
    """
    names = {str(name).strip() for name in objects}
    macros = {
        name[len("gcode_macro ") :].upper() for name in names if name.startswith("gcode_macro ")
    }
    if macros & OTTOEJECT_MACROS:
        return MoonrakerKind.OTTOEJECT
    if "extruder" in names:
        return MoonrakerKind.PRINTER
    return MoonrakerKind.UNKNOWN
