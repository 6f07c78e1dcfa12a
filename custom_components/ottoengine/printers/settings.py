"""A printer's stored settings (its subentry's data) and their validation.

The "Add printer" flow and ``POST /api/printers`` validate with the same parsers and store the
same data; errors name the offending field.

Besides the connection, a printer stores its place in the farm's topology: the OttoEject that
serves it, how it is cleared, and overrides of the robot's macros and of the bed's eject
position (``None``: the model's default from ``farm.orchestration.profiles``). Data stored
before these settings existed lacks them and loads with the defaults.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
import ipaddress
import math
import re
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_API_KEY, CONF_IP_ADDRESS, CONF_NAME, CONF_PORT

from ..bambu.models import MODEL_NAMES, normalize_model
from ..farm.orchestration.profiles import default_bed_position, default_macros, klipper_profile
from ..farm.orchestration.topology import (
    BedPosition,
    ClearingMethod,
    LoadedFilament,
    PrinterMacros,
    PrinterSetup,
)
from ..farm.validation import InvalidFieldError
from ..moonraker.macro import MAX_PARAMS, PARAM_KEY, PARAM_VALUE
from ..subentries import CONF_ID, SUBENTRY_PRINTER
from .const import (
    BRAND_BAMBU_LAB,
    CONF_ACCESS_CODE,
    CONF_BRAND,
    CONF_BUILD_VOLUME,
    CONF_DRIVER,
    CONF_FILAMENT,
    CONF_FINGERPRINT,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
    CONF_TYPE,
    DRIVER_BAMBU,
    DRIVER_KLIPPER,
    TYPE_FDM,
)

# Subentry data keys of the topology (all optional: older data lacks them).
CONF_OTTOEJECT_ID = "ottoeject_id"
CONF_CLEARING_METHOD = "clearing_method"
CONF_EJECT_MACRO = "eject_macro"
CONF_LOAD_MACRO = "load_macro"
CONF_CLOSE_DOOR_MACRO = "close_door_macro"
CONF_MACRO_PARAMS = "macro_params"
CONF_EJECT_POSITION = "eject_position"
CONF_NOZZLE_DIAMETER = "nozzle_diameter_mm"

MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = 64
MAX_DIMENSION_MM = 10_000
# Every model the driver knows, in a stable order for the flow's select.
MODELS: tuple[str, ...] = tuple(dict.fromkeys(MODEL_NAMES.values()))
# The model's robot defaults depend on brand and model only (immutable values), and the
# orchestrator asks for every printer's setup at each decision, that is after every report of
# any printer: resolved once per brand and model, not per printer per report.
_default_macros = lru_cache(maxsize=256)(default_macros)
_default_bed_position = lru_cache(maxsize=256)(default_bed_position)
BUILD_VOLUME_KEYS = ("width_mm", "depth_mm", "height_mm")
FILAMENT_KEYS = ("material", "color")
EJECT_POSITION_KEYS = ("axis", "position_mm")
EJECT_AXES = ("Z", "Y")
MIN_EJECT_POSITION_MM = 1
MAX_EJECT_POSITION_MM = 400
MIN_NOZZLE_DIAMETER_MM = 0.1
MAX_NOZZLE_DIAMETER_MM = 2.0
EJECT_PREFIX = "EJECT_FROM_"
LOAD_PREFIX = "LOAD_ONTO_"
CLOSE_DOOR_PREFIX = "CLOSE_DOOR_"

_SERIAL = re.compile(r"^[A-Z0-9]{8,20}$")
_ACCESS_CODE = re.compile(r"^\S{4,32}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$")
_MACRO = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_HEX_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?$")


class InvalidPrinterError(InvalidFieldError):
    """A printer setting is invalid; ``field`` names it."""


def parse_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPrinterError(CONF_NAME, "is required (a non-empty string)")
    name = value.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidPrinterError(CONF_NAME, f"must be at most {MAX_NAME_LENGTH} characters")
    return name


def parse_brand(value: object) -> str:
    if value is None:
        return BRAND_BAMBU_LAB
    if not isinstance(value, str) or value.strip().casefold() not in ("bambu lab", "bambulab"):
        raise InvalidPrinterError(CONF_BRAND, "only Bambu Lab printers are supported")
    return BRAND_BAMBU_LAB


def parse_model(value: object) -> str:
    model = normalize_model(value) if isinstance(value, str) else None
    if model is None:
        raise InvalidPrinterError(CONF_MODEL, f"must be one of {', '.join(MODELS)}")
    return model


def parse_type(value: object) -> str:
    if value is None:
        return TYPE_FDM
    if not isinstance(value, str) or value.strip().upper() != TYPE_FDM:
        raise InvalidPrinterError(CONF_TYPE, "only FDM printers are supported")
    return TYPE_FDM


def parse_ip_address(value: object) -> str:
    """An IPv4/IPv6 address or a host name."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidPrinterError(CONF_IP_ADDRESS, "is required (the printer's IP address)")
    host = value.strip()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", host) or not _HOSTNAME.match(host):
        raise InvalidPrinterError(CONF_IP_ADDRESS, f"{host!r} is not an IP address or host name")
    return host.lower()


def parse_serial(value: object) -> str:
    """Bambu serials are 8-20 upper-case letters and digits (case-insensitive input)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidPrinterError(CONF_SERIAL_NUMBER, "is required (the printer's serial number)")
    serial = value.strip().upper()
    if not _SERIAL.match(serial):
        raise InvalidPrinterError(CONF_SERIAL_NUMBER, "must be 8 to 20 letters and digits")
    return serial


def parse_access_code(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPrinterError(CONF_ACCESS_CODE, "is required (shown on the printer's screen)")
    code = value.strip()
    if not _ACCESS_CODE.match(code):
        raise InvalidPrinterError(CONF_ACCESS_CODE, "must be 4 to 32 characters without spaces")
    return code


def parse_build_volume(value: object) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidPrinterError(
            CONF_BUILD_VOLUME, "must be an object with width_mm, depth_mm, height_mm"
        )
    unknown = set(value) - set(BUILD_VOLUME_KEYS)
    if unknown:
        raise InvalidPrinterError(CONF_BUILD_VOLUME, f"unknown keys: {', '.join(sorted(unknown))}")
    volume: dict[str, float] = {}
    for key in BUILD_VOLUME_KEYS:
        number = value.get(key)
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not 0 < number <= MAX_DIMENSION_MM
        ):
            raise InvalidPrinterError(
                CONF_BUILD_VOLUME, f"{key} must be a number of millimetres above 0"
            )
        volume[key] = int(number) if float(number).is_integer() else float(number)
    return volume


def parse_filament(value: object) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidPrinterError(CONF_FILAMENT, "must be an object with material and color")
    unknown = set(value) - set(FILAMENT_KEYS)
    if unknown:
        raise InvalidPrinterError(CONF_FILAMENT, f"unknown keys: {', '.join(sorted(unknown))}")
    filament: dict[str, str] = {}
    for key in FILAMENT_KEYS:
        text = value.get(key)
        if text is None:
            continue
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_LENGTH:
            raise InvalidPrinterError(
                CONF_FILAMENT, f"{key} must be a non-empty string of at most {MAX_TEXT_LENGTH}"
            )
        filament[key] = text.strip()
    return filament or None


def parse_ottoeject_id(value: object, known: Collection[int]) -> int | None:
    """The OttoEject that serves the printer: one of ``known`` (the configured ids) or ``None``.

    ``None`` stands for the farm's only OttoEject while it has exactly one.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidPrinterError(CONF_OTTOEJECT_ID, "must be the id of an OttoEject (or null)")
    if value not in known:
        raise InvalidPrinterError(CONF_OTTOEJECT_ID, f"OttoEject {value} does not exist")
    return value


def parse_clearing_method(value: object) -> ClearingMethod:
    if value is None:
        return ClearingMethod.OTTOEJECT
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in tuple(ClearingMethod):
        choices = " or ".join(method.value for method in ClearingMethod)
        raise InvalidPrinterError(CONF_CLEARING_METHOD, f"must be {choices}")
    return ClearingMethod(text)


def _parse_macro(value: object, field: str, prefix: str) -> str | None:
    """A Klipper macro name with ``prefix`` (upper-cased, as Klipper reads it), or ``None``."""
    if value is None:
        return None
    name = value.strip().upper() if isinstance(value, str) else ""
    if not _MACRO.fullmatch(name) or not name.startswith(prefix) or name == prefix:
        raise InvalidPrinterError(
            field,
            f"must be a macro name starting with {prefix} (A-Z, 0-9 and _, at most 64), "
            "or null for the model's default",
        )
    return name


def parse_eject_macro(value: object) -> str | None:
    return _parse_macro(value, CONF_EJECT_MACRO, EJECT_PREFIX)


def parse_load_macro(value: object) -> str | None:
    return _parse_macro(value, CONF_LOAD_MACRO, LOAD_PREFIX)


def parse_close_door_macro(value: object) -> str | None:
    """Like the other macros; ``""`` says that the printer has no door to close."""
    if isinstance(value, str) and not value.strip():
        return ""
    return _parse_macro(value, CONF_CLOSE_DOOR_MACRO, CLOSE_DOOR_PREFIX)


def parse_macro_params(value: object) -> dict[str, str | int | float] | None:
    """Parameters passed to the eject, load and close-door macros (keys upper-cased).

    The same rules as every macro call to the robot (``moonraker.macro``): at most
    ``MAX_PARAMS``, names of letters, digits and ``_``, short values without spaces.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidPrinterError(CONF_MACRO_PARAMS, "must be an object of names and values")
    if len(value) > MAX_PARAMS:
        raise InvalidPrinterError(CONF_MACRO_PARAMS, f"at most {MAX_PARAMS} parameters")
    params: dict[str, str | int | float] = {}
    for key, item in value.items():
        name = key.strip().upper() if isinstance(key, str) else ""
        if not PARAM_KEY.fullmatch(name):
            raise InvalidPrinterError(
                CONF_MACRO_PARAMS,
                f"{key!r} is not a parameter name (a letter, then letters, digits or _)",
            )
        if name in params:
            raise InvalidPrinterError(CONF_MACRO_PARAMS, f"{name} is given twice")
        if (
            isinstance(item, bool)
            or not isinstance(item, str | int | float)
            or (isinstance(item, float) and not math.isfinite(item))
            or not PARAM_VALUE.fullmatch(str(item))
        ):
            raise InvalidPrinterError(
                CONF_MACRO_PARAMS,
                f"the value of {name} must be a number or a short text without spaces",
            )
        params[name] = item
    return params or None


def _number(value: float) -> float:
    return int(value) if float(value).is_integer() else float(value)


def parse_eject_position(value: object) -> BedPosition | None:
    """Where the bed goes for the robot: ``{"axis": "Z" | "Y", "position_mm": 1..400}``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidPrinterError(
            CONF_EJECT_POSITION, "must be an object with axis and position_mm"
        )
    unknown = set(value) - set(EJECT_POSITION_KEYS)
    if unknown:
        raise InvalidPrinterError(
            CONF_EJECT_POSITION, f"unknown keys: {', '.join(sorted(map(str, unknown)))}"
        )
    axis = value.get("axis")
    axis = axis.strip().upper() if isinstance(axis, str) else None
    if axis not in EJECT_AXES:
        raise InvalidPrinterError(CONF_EJECT_POSITION, "axis must be Z or Y")
    position = value.get("position_mm")
    if (
        isinstance(position, bool)
        or not isinstance(position, int | float)
        or not MIN_EJECT_POSITION_MM <= position <= MAX_EJECT_POSITION_MM
    ):
        raise InvalidPrinterError(
            CONF_EJECT_POSITION,
            f"position_mm must be a number of millimetres from {MIN_EJECT_POSITION_MM} "
            f"to {MAX_EJECT_POSITION_MM}",
        )
    return BedPosition("Z" if axis == "Z" else "Y", _number(position))


def parse_nozzle_diameter(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not MIN_NOZZLE_DIAMETER_MM <= value <= MAX_NOZZLE_DIAMETER_MM
    ):
        raise InvalidPrinterError(
            CONF_NOZZLE_DIAMETER,
            f"must be a number of millimetres from {MIN_NOZZLE_DIAMETER_MM} "
            f"to {MAX_NOZZLE_DIAMETER_MM}",
        )
    return float(value)


def _color(text: str | None) -> str | None:
    """A stored colour as ``#RRGGBB`` if it is a hex code (``898989FF``), else ``None``."""
    match = _HEX_COLOR.match(text) if text else None
    return f"#{match.group(1).upper()}" if match else None


@dataclass(frozen=True, slots=True)
class PrinterSettings:
    """What is stored for a printer (never shown: access code, fingerprint).

    ``ottoeject_id`` names the OttoEject that serves the printer (``None``: the farm's only
    one, if it has exactly one). An OttoEject deleted later stays named here: the printer then
    has no OttoEject (``topology.ejector_of`` resolves an unknown id to ``None``) and the REST
    API still answers the stored id, until the printer is given another one; reconfiguring
    the printer in the UI drops an id that names no OttoEject. The macro overrides and
    ``eject_position`` are ``None`` for the model's defaults; ``close_door_macro == ""`` means
    that the printer has no door to close.

    ``driver`` is ``bambu`` or ``klipper``. A Klipper printer has no serial number or access
    code (both ``""``); it is reached at ``ip_address``:``port`` with the optional Moonraker
    ``api_key`` (never shown), and its robot defaults are its model's Klipper profile.
    """

    id: int
    name: str
    model: str
    ip_address: str
    serial_number: str
    access_code: str
    brand: str = BRAND_BAMBU_LAB
    type: str = TYPE_FDM
    build_volume: dict[str, float] | None = None
    filament: dict[str, str] | None = None
    fingerprint: str | None = None
    ottoeject_id: int | None = None
    clearing_method: ClearingMethod = ClearingMethod.OTTOEJECT
    eject_macro: str | None = None
    load_macro: str | None = None
    close_door_macro: str | None = None
    macro_params: dict[str, str | int | float] | None = None
    eject_position: BedPosition | None = None
    nozzle_diameter_mm: float | None = None
    driver: str = DRIVER_BAMBU
    port: int | None = None
    api_key: str | None = None
    # The last ``setup()`` answer and the filaments it was asked with (not data: a cache).
    _last_setup: tuple[tuple[LoadedFilament, ...], PrinterSetup] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def is_klipper(self) -> bool:
        return self.driver == DRIVER_KLIPPER

    @property
    def connection(self) -> tuple[str, str, str, str | None, int | None, str | None]:
        """What a driver client is built from: a change means reconnecting."""
        return (
            self.ip_address,
            self.serial_number,
            self.access_code,
            self.model,
            self.port,
            self.api_key,
        )

    def as_data(self) -> dict[str, Any]:
        data = self._common_data()
        if self.is_klipper:
            # No serial number, access code or certificate: Moonraker's port and API key.
            for key in (CONF_SERIAL_NUMBER, CONF_ACCESS_CODE, CONF_FINGERPRINT):
                del data[key]
            data.update(
                {CONF_DRIVER: self.driver, CONF_PORT: self.port, CONF_API_KEY: self.api_key}
            )
        return data

    def _common_data(self) -> dict[str, Any]:
        return {
            CONF_ID: self.id,
            CONF_NAME: self.name,
            CONF_BRAND: self.brand,
            CONF_MODEL: self.model,
            CONF_TYPE: self.type,
            CONF_IP_ADDRESS: self.ip_address,
            CONF_SERIAL_NUMBER: self.serial_number,
            CONF_ACCESS_CODE: self.access_code,
            CONF_BUILD_VOLUME: self.build_volume,
            CONF_FILAMENT: self.filament,
            CONF_FINGERPRINT: self.fingerprint,
            CONF_OTTOEJECT_ID: self.ottoeject_id,
            CONF_CLEARING_METHOD: self.clearing_method.value,
            CONF_EJECT_MACRO: self.eject_macro,
            CONF_LOAD_MACRO: self.load_macro,
            CONF_CLOSE_DOOR_MACRO: self.close_door_macro,
            CONF_MACRO_PARAMS: dict(self.macro_params) if self.macro_params else None,
            CONF_EJECT_POSITION: self.eject_position.as_dict() if self.eject_position else None,
            CONF_NOZZLE_DIAMETER: self.nozzle_diameter_mm,
        }

    def macros(self) -> PrinterMacros:
        """The robot's effective macros: the model's defaults with the overrides on top."""
        default = (
            klipper_profile(self.model).macros
            if self.is_klipper
            else _default_macros(self.brand, self.model)
        )
        if self.close_door_macro is None:
            door = default.close_door
        else:
            door = self.close_door_macro or None
        return PrinterMacros(
            eject=self.eject_macro or default.eject,
            load=self.load_macro or default.load,
            close_door=door,
            params=dict(self.macro_params or {}),
        )

    def bed_position(self) -> BedPosition:
        """The effective eject position: the override, else the model's default."""
        if self.eject_position is not None:
            return self.eject_position
        if self.is_klipper:
            return klipper_profile(self.model).bed
        return _default_bed_position(self.model)

    def setup(self, filaments: Iterable[LoadedFilament] = ()) -> PrinterSetup:
        """The printer as the orchestrator plans with it (defaults and overrides resolved).

        ``filaments`` are those the printer reports loaded; without any, the configured
        ``filament`` (if stored) stands in (its colour only if it is a hex code).

        The orchestrator asks for every printer's setup at each decision, and a decision
        follows every report of any printer: the answer is kept while the filaments stay
        the same (the settings are immutable).
        """
        reported = loaded = tuple(filaments)
        last = self._last_setup
        if last is not None and last[0] == reported:
            return last[1]
        if not loaded and self.filament:
            loaded = (
                LoadedFilament(self.filament.get("material"), _color(self.filament.get("color"))),
            )
        volume = self.build_volume
        setup = PrinterSetup(
            printer_id=self.id,
            name=self.name,
            brand=self.brand,
            model=self.model,
            ottoeject_id=self.ottoeject_id,
            clearing=self.clearing_method,
            macros=self.macros(),
            bed=self.bed_position(),
            build_volume_mm=(
                (
                    float(volume["width_mm"]),
                    float(volume["depth_mm"]),
                    float(volume["height_mm"]),
                )
                if volume
                else None
            ),
            nozzle_diameter_mm=self.nozzle_diameter_mm,
            filaments=loaded,
            prints_projects=not self.is_klipper,
        )
        object.__setattr__(self, "_last_setup", (reported, setup))
        return setup

    def with_changes(self, **changes: Any) -> PrinterSettings:
        return replace(self, **changes)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PrinterSettings:
        return cls(
            id=int(data[CONF_ID]),
            name=str(data[CONF_NAME]),
            model=str(data[CONF_MODEL]),
            ip_address=str(data[CONF_IP_ADDRESS]),
            serial_number=str(data.get(CONF_SERIAL_NUMBER) or ""),
            access_code=str(data.get(CONF_ACCESS_CODE) or ""),
            brand=str(data.get(CONF_BRAND) or BRAND_BAMBU_LAB),
            type=str(data.get(CONF_TYPE) or TYPE_FDM),
            build_volume=data.get(CONF_BUILD_VOLUME),
            filament=data.get(CONF_FILAMENT),
            fingerprint=data.get(CONF_FINGERPRINT),
            ottoeject_id=int(ejector) if (ejector := data.get(CONF_OTTOEJECT_ID)) else None,
            clearing_method=ClearingMethod(
                data.get(CONF_CLEARING_METHOD) or ClearingMethod.OTTOEJECT
            ),
            eject_macro=data.get(CONF_EJECT_MACRO) or None,
            load_macro=data.get(CONF_LOAD_MACRO) or None,
            close_door_macro=data.get(CONF_CLOSE_DOOR_MACRO),
            macro_params=dict(params) if (params := data.get(CONF_MACRO_PARAMS)) else None,
            eject_position=(
                BedPosition(position["axis"], position["position_mm"])
                if (position := data.get(CONF_EJECT_POSITION))
                else None
            ),
            nozzle_diameter_mm=(
                float(nozzle) if (nozzle := data.get(CONF_NOZZLE_DIAMETER)) is not None else None
            ),
            driver=str(data.get(CONF_DRIVER) or DRIVER_BAMBU),
            port=int(port) if (port := data.get(CONF_PORT)) is not None else None,
            api_key=data.get(CONF_API_KEY) or None,
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> PrinterSettings:
        return cls.from_data(subentry.data)

    def new_subentry(self, unique_id: str | None = None) -> ConfigSubentry:
        """The subentry; its unique id is the serial number (a Klipper printer: ``unique_id``,
        its Moonraker identity, or ``None`` until the printer has told it)."""
        return ConfigSubentry(
            data=MappingProxyType(self.as_data()),
            subentry_type=SUBENTRY_PRINTER,
            title=self.name,
            unique_id=unique_id if self.is_klipper else self.serial_number,
        )
