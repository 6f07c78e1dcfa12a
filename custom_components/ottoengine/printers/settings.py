"""A printer's stored settings (its subentry's data) and their validation.

The "Add printer" flow and ``POST /api/printers`` validate with the same parsers and store the
same data; errors name the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
import ipaddress
import re
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_IP_ADDRESS, CONF_NAME

from ..bambu.models import MODEL_NAMES, normalize_model
from ..farm.validation import InvalidFieldError
from ..subentries import CONF_ID, SUBENTRY_PRINTER
from .const import (
    BRAND_BAMBU_LAB,
    CONF_ACCESS_CODE,
    CONF_BRAND,
    CONF_BUILD_VOLUME,
    CONF_FILAMENT,
    CONF_FINGERPRINT,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
    CONF_TYPE,
    TYPE_FDM,
)

MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = 64
MAX_DIMENSION_MM = 10_000
# Every model the driver knows, in a stable order for the flow's select.
MODELS: tuple[str, ...] = tuple(dict.fromkeys(MODEL_NAMES.values()))
BUILD_VOLUME_KEYS = ("width_mm", "depth_mm", "height_mm")
FILAMENT_KEYS = ("material", "color")

_SERIAL = re.compile(r"^[A-Z0-9]{8,20}$")
_ACCESS_CODE = re.compile(r"^\S{4,32}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$")


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


@dataclass(frozen=True, slots=True)
class PrinterSettings:
    """What is stored for a printer (never shown: access code, fingerprint)."""

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

    @property
    def connection(self) -> tuple[str, str, str, str | None]:
        """What a driver client is built from: a change means reconnecting."""
        return (self.ip_address, self.serial_number, self.access_code, self.model)

    def as_data(self) -> dict[str, Any]:
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
        }

    def with_changes(self, **changes: Any) -> PrinterSettings:
        return replace(self, **changes)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PrinterSettings:
        return cls(
            id=int(data[CONF_ID]),
            name=str(data[CONF_NAME]),
            model=str(data[CONF_MODEL]),
            ip_address=str(data[CONF_IP_ADDRESS]),
            serial_number=str(data[CONF_SERIAL_NUMBER]),
            access_code=str(data[CONF_ACCESS_CODE]),
            brand=str(data.get(CONF_BRAND) or BRAND_BAMBU_LAB),
            type=str(data.get(CONF_TYPE) or TYPE_FDM),
            build_volume=data.get(CONF_BUILD_VOLUME),
            filament=data.get(CONF_FILAMENT),
            fingerprint=data.get(CONF_FINGERPRINT),
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> PrinterSettings:
        return cls.from_data(subentry.data)

    def new_subentry(self) -> ConfigSubentry:
        return ConfigSubentry(
            data=MappingProxyType(self.as_data()),
            subentry_type=SUBENTRY_PRINTER,
            title=self.name,
            unique_id=self.serial_number,
        )
