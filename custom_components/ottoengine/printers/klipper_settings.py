"""What is parsed for a Klipper printer (Moonraker): driver choice, model, port and API key.

A printer subentry names its driver: ``bambu`` (the default: data stored before Klipper printers
existed has none) or ``klipper``. The brand or type of ``POST /api/printers`` and of the "Add
printer" flow chooses it. A Klipper printer has no serial number or access code: its unique id
is its Moonraker identity (``moonraker/identity.py``, as for OttoEjects), and its optional
Moonraker API key is stored but never answered, logged or shown in diagnostics.
"""

from __future__ import annotations

from typing import Final

from homeassistant.const import CONF_API_KEY, CONF_PORT

from ..farm.orchestration.profiles import KLIPPER_PROFILES, klipper_profile
from ..moonraker.client import DEFAULT_PORT
from ..ottoeject.settings import InvalidSettingError, parse_api_key, parse_port
from .const import CONF_BRAND, CONF_MODEL, CONF_TYPE, DRIVER_BAMBU, DRIVER_KLIPPER
from .settings import InvalidPrinterError

KLIPPER_DEFAULT_PORT: Final = DEFAULT_PORT
# Brands whose printers run Klipper behind Moonraker (case-insensitive), as stored.
KLIPPER_BRANDS: Final = {
    "klipper": "Klipper",
    "creality": "Creality",
    "anycubic": "Anycubic",
    "voron": "Voron",
}
TYPE_KLIPPER: Final = "klipper"
# The Klipper models the farm has a profile for, in the flow's order.
KLIPPER_MODELS: Final[tuple[str, ...]] = tuple(KLIPPER_PROFILES)


def driver_for(brand: object, printer_type: object) -> str:
    """``klipper`` for a Klipper brand or the type ``Klipper``, else ``bambu``."""
    if isinstance(brand, str) and brand.strip().casefold() in KLIPPER_BRANDS:
        return DRIVER_KLIPPER
    if isinstance(printer_type, str) and printer_type.strip().casefold() == TYPE_KLIPPER:
        return DRIVER_KLIPPER
    return DRIVER_BAMBU


def parse_klipper_brand(value: object, model: str) -> str:
    """The brand as stored: the one given (a Klipper brand), else the model's."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return klipper_profile(model).brand
    text = value.strip().casefold() if isinstance(value, str) else None
    if text not in KLIPPER_BRANDS:
        raise InvalidPrinterError(
            CONF_BRAND, f"a Klipper printer's brand is one of {', '.join(KLIPPER_BRANDS.values())}"
        )
    return KLIPPER_BRANDS[text]


def parse_klipper_model(value: object) -> str:
    """One of ``KLIPPER_MODELS`` (case and spacing ignored)."""
    wanted = "".join(value.split()).casefold() if isinstance(value, str) else ""
    for model in KLIPPER_MODELS:
        if "".join(model.split()).casefold() == wanted:
            return model
    raise InvalidPrinterError(CONF_MODEL, f"must be one of {', '.join(KLIPPER_MODELS)}")


def parse_klipper_type(value: object) -> str:
    """``FDM`` (also for the type ``Klipper``, which only chooses the driver)."""
    if value is None:
        return "FDM"
    if not isinstance(value, str) or value.strip().casefold() not in ("fdm", TYPE_KLIPPER):
        raise InvalidPrinterError(CONF_TYPE, "must be FDM (or Klipper)")
    return "FDM"


def parse_moonraker_port(value: object) -> int:
    if value is None or value == "":
        return KLIPPER_DEFAULT_PORT
    try:
        return parse_port(value)
    except InvalidSettingError as err:
        raise InvalidPrinterError(CONF_PORT, str(err)) from None


def parse_moonraker_api_key(value: object) -> str | None:
    try:
        return parse_api_key(value)
    except InvalidSettingError as err:
        raise InvalidPrinterError(CONF_API_KEY, str(err)) from None
