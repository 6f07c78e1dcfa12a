"""Whether a printer can print a print item: model family, height, nozzle, filament.

Everything unknown passes: a file that does not say what it was sliced for, a printer whose
model, build volume or nozzle is unknown, a printer that reports no loaded filament.

- Model: a file runs on the model it was sliced for; Bambu's X1, X1C, X1E, P1P and P1S are one
  family (the same 256 mm bed and kinematics); every other model is its own. A Bambu Studio
  project (``.gcode.3mf``) runs only on a printer that takes project files (Bambu Lab's, not a
  Klipper printer), whatever model it names.
- Height: the print's max Z must not exceed the printer's build height (``build_volume_mm``,
  else the model's known volume).
- Nozzle: both diameters known and more than 0.01 mm apart is a mismatch.
- Filament: every filament the file uses needs a loaded one of the same material (the first
  word, case-insensitive: "PLA" matches "PLA Basic", not "PLA-CF"); with ``match_color`` also
  the same colour (``#RRGGBB``, alpha ignored).

``can_print`` answers ``None`` or an ``Incompatibility``: a ``str`` (the message, naming the
printer) that also carries ``kind`` and ``detail`` so ``why_nobody`` can sum up a farm.
``Requirements`` and ``Capabilities`` are the hashable summaries the scheduler caches on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Self

from ...bambu.models import normalize_model
from ..print_items import PrintItem
from .topology import PrinterSetup

type Kind = Literal["model", "height", "nozzle", "material", "color", "rack", "rack_height"]

NOZZLE_TOLERANCE_MM: Final = 0.01
_X1_P1_FAMILY: Final = frozenset({"X1", "X1C", "X1E", "P1P", "P1S"})
# Known build volumes (width, depth, height in mm) of Bambu models, by upper-case model name.
BUILD_VOLUMES_MM: Final[Mapping[str, tuple[float, float, float]]] = {
    "X1": (256.0, 256.0, 256.0),
    "X1C": (256.0, 256.0, 256.0),
    "X1E": (256.0, 256.0, 256.0),
    "P1P": (256.0, 256.0, 256.0),
    "P1S": (256.0, 256.0, 256.0),
    "A1": (256.0, 256.0, 256.0),
    "A1 MINI": (180.0, 180.0, 180.0),
    "H2D": (350.0, 320.0, 325.0),
    "P2S": (256.0, 256.0, 256.0),
}


class Incompatibility(str):
    """A reason a printer cannot print an item: the message, plus its ``kind`` and ``detail``.

    ``detail`` is what ``why_nobody`` names: the material ("PETG"), material and colour
    ("PLA in #FF0000"), the height ("152"), the nozzle ("0.6") or the file's model ("P1S").
    """

    kind: Kind
    detail: str

    def __new__(cls, message: str, kind: Kind, detail: str = "") -> Self:
        reason = super().__new__(cls, message)
        reason.kind = kind
        reason.detail = detail
        return reason


def _family(model: str | None) -> tuple[str, str] | None:
    """(family, model name) of a model code or name; ``None`` when the model is unknown."""
    name = normalize_model(model)
    if name is None:
        return None
    upper = name.upper()
    return ("X1/P1" if upper in _X1_P1_FAMILY else upper), name


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def normalize_color(color: object) -> str | None:
    """``"#ff0000cc"`` / ``"FF0000"`` -> ``"#FF0000"``; ``None`` when not a colour."""
    if not isinstance(color, str):
        return None
    text = color.strip().removeprefix("#").upper()
    if len(text) not in (6, 8) or any(char not in "0123456789ABCDEF" for char in text):
        return None
    return f"#{text[:6]}"


def material_key(material: object) -> str | None:
    """The part of a material name that must match: its first word, lower case."""
    if not isinstance(material, str) or not material.split():
        return None
    return material.split()[0].lower()


@dataclass(frozen=True, slots=True)
class Filament:
    """One filament a file uses: ``name`` as the file writes it, ``key`` what must match."""

    name: str
    key: str
    color: str | None


@dataclass(frozen=True, slots=True)
class Requirements:
    """What an item needs of a printer (hashable: the scheduler caches checks on it)."""

    family: str | None
    model: str | None
    height_mm: float | None
    nozzle_mm: float | None
    filaments: tuple[Filament, ...]
    project: bool = False  # a Bambu Studio project file (.gcode.3mf)

    @classmethod
    def of(cls, item: PrintItem) -> Requirements:
        metadata = item.metadata
        family = _family(_text(metadata.get("printer_model")))
        return cls(
            family=family[0] if family else None,
            model=family[1] if family else None,
            height_mm=item.max_z_height_mm,
            nozzle_mm=_number(metadata.get("nozzle_diameter_mm")),
            filaments=_filaments(metadata.get("filaments")),
            project=metadata.get("format") == "gcode.3mf" or item.filename.lower().endswith(".3mf"),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _filaments(value: object) -> tuple[Filament, ...]:
    if not isinstance(value, list | tuple):
        return ()
    found: list[Filament] = []
    for entry in value:
        if not isinstance(entry, Mapping):
            continue
        data: Mapping[str, Any] = entry
        key = material_key(data.get("type"))
        if key is None or _number(data.get("used_g")) == 0:
            continue
        name = str(data["type"]).strip()
        filament = Filament(name, key, normalize_color(data.get("color")))
        if filament not in found:
            found.append(filament)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a printer offers (hashable; printers with equal capabilities are checked once)."""

    family: str | None
    model: str | None
    height_mm: float | None
    nozzle_mm: float | None
    loaded: tuple[tuple[str | None, str | None], ...]  # (material key, colour); () = unknown
    projects: bool = True  # takes Bambu Studio project files

    @classmethod
    def of(cls, setup: PrinterSetup) -> Capabilities:
        family = _family(setup.model)
        height: float | None = None
        if setup.build_volume_mm is not None:
            height = setup.build_volume_mm[2]
        elif family is not None and family[1].upper() in BUILD_VOLUMES_MM:
            height = BUILD_VOLUMES_MM[family[1].upper()][2]
        loaded = tuple(
            (material_key(filament.material), normalize_color(filament.color))
            for filament in setup.filaments
        )
        if all(material is None for material, _ in loaded):
            loaded = ()
        return cls(
            family=family[0] if family else None,
            model=family[1] if family else None,
            height_mm=height,
            nozzle_mm=setup.nozzle_diameter_mm,
            loaded=loaded,
            projects=setup.prints_projects,
        )


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A failed check, independent of the printer's name (``tail`` follows the name)."""

    kind: Kind
    detail: str
    tail: str

    def reason(self, printer_name: str) -> Incompatibility:
        return Incompatibility(f"printer '{printer_name}' {self.tail}", self.kind, self.detail)


def model_mismatch(capabilities: Capabilities, needs: Requirements) -> Mismatch | None:
    """The file was sliced for another model family than the printer's (or is a project
    file for a printer that takes none)."""
    if needs.project and not capabilities.projects:
        return Mismatch(
            "model",
            needs.model or "a Bambu Lab printer",
            "prints G-code, not a Bambu Studio project file (.gcode.3mf)",
        )
    if (
        needs.family is not None
        and capabilities.family is not None
        and needs.family != capabilities.family
    ):
        return Mismatch(
            "model",
            str(needs.model),
            f"({capabilities.model}) cannot print a file sliced for {needs.model}",
        )
    return None


def height_mismatch(capabilities: Capabilities, height_mm: float | None) -> Mismatch | None:
    """The print is taller than the printer builds."""
    if (
        height_mm is not None
        and capabilities.height_mm is not None
        and height_mm > capabilities.height_mm
    ):
        return Mismatch(
            "height",
            f"{height_mm:g}",
            f"builds up to {capabilities.height_mm:g} mm; the print is {height_mm:g} mm tall",
        )
    return None


def tool_mismatch(
    capabilities: Capabilities, needs: Requirements, *, match_color: bool = False
) -> Mismatch | None:
    """Nozzle, then each filament's material, then (``match_color``) its colour."""
    if (
        needs.nozzle_mm is not None
        and capabilities.nozzle_mm is not None
        and abs(needs.nozzle_mm - capabilities.nozzle_mm) > NOZZLE_TOLERANCE_MM
    ):
        return Mismatch(
            "nozzle",
            f"{needs.nozzle_mm:g}",
            f"has a {capabilities.nozzle_mm:g} mm nozzle; the file needs {needs.nozzle_mm:g} mm",
        )
    if not capabilities.loaded:
        return None
    materials = {material for material, _ in capabilities.loaded}
    for filament in needs.filaments:
        if filament.key not in materials:
            return Mismatch("material", filament.name, f"has no {filament.name} loaded")
    if match_color:
        for filament in needs.filaments:
            if (
                filament.color is not None
                and (filament.key, filament.color) not in capabilities.loaded
            ):
                detail = f"{filament.name} in {filament.color}"
                return Mismatch("color", detail, f"has no {detail} loaded")
    return None


def check(
    capabilities: Capabilities, needs: Requirements, *, match_color: bool = False
) -> Mismatch | None:
    """The first check a printer with ``capabilities`` fails for ``needs``, or ``None``.

    The order is model, height, nozzle, material, colour.
    """
    return (
        model_mismatch(capabilities, needs)
        or height_mismatch(capabilities, needs.height_mm)
        or tool_mismatch(capabilities, needs, match_color=match_color)
    )


def can_print(setup: PrinterSetup, item: PrintItem, *, match_color: bool = False) -> str | None:
    """``None`` if ``setup`` can print ``item``, else why not (an ``Incompatibility``)."""
    mismatch = check(Capabilities.of(setup), Requirements.of(item), match_color=match_color)
    return None if mismatch is None else mismatch.reason(setup.name)


def _join(details: Sequence[str]) -> str:
    if len(details) == 1:
        return details[0]
    return f"{', '.join(details[:-1])} and {details[-1]}"


def why_nobody(reasons: Sequence[str], item: PrintItem) -> str:
    """One farm-level message from every printer's reason (``can_print``'s answers)."""
    if not reasons:
        return "no printer in the farm"
    kinds = {reason.kind if isinstance(reason, Incompatibility) else None for reason in reasons}
    details = list(
        dict.fromkeys(reason.detail for reason in reasons if isinstance(reason, Incompatibility))
    )
    height = item.max_z_height_mm
    tall = f" ({height:g} mm)" if height is not None else ""
    if len(kinds) == 1:
        match kinds.pop():
            case "material" | "color":
                return f"no printer has {_join(details)} loaded"
            case "height":
                return f"no printer is tall enough{tall}"
            case "nozzle":
                return f"no printer has a {_join(details)} mm nozzle"
            case "model":
                return f"no printer can print a file sliced for {_join(details)}"
            case "rack_height":
                return f"no printer's rack has room for the print{tall}"
            case _:
                pass
    return f"no compatible printer: {reasons[0]}"
