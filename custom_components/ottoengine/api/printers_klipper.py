"""`POST` / `PUT /api/printers` for a Klipper printer (Creality K1/K1C, Anycubic Kobra S1, Voron).

The body is the Bambu printer's, with Moonraker's ``port`` (default 7125) and optional
``api_key`` in place of the access code and serial number (sent anyway, they are ignored). The
printer is asked what it is before it is stored: a refused key is a 400 naming ``api_key``, an
OttoEject a 400 naming ``ip_address``, a printer already registered a 409; a printer that does
not answer is registered all the same and followed in the background (its Moonraker identity
becomes its unique id once it answers), as Bambu printers are. The key is never answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from homeassistant.const import CONF_API_KEY, CONF_IP_ADDRESS, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant

from ..printers.connection import ERROR_CANNOT_CONNECT, ERROR_INVALID_AUTH
from ..printers.const import (
    CONF_BRAND,
    CONF_BUILD_VOLUME,
    CONF_FILAMENT,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
    CONF_TYPE,
    DRIVER_KLIPPER,
)
from ..printers.klipper_connection import KlipperConnectionError, async_test_klipper
from ..printers.klipper_settings import (
    parse_klipper_brand,
    parse_klipper_model,
    parse_klipper_type,
    parse_moonraker_api_key,
    parse_moonraker_port,
)
from ..printers.settings import (
    InvalidPrinterError,
    PrinterSettings,
    parse_build_volume,
    parse_filament,
    parse_ip_address,
    parse_name,
)
from ..runtime import OttoRuntime
from ..subentries import SUBENTRY_PRINTER, DeviceKind, find_subentry
from .errors import ApiError, bad_request

type Parsers = Mapping[str, Callable[[object], Any]]


def _parse(parse: Callable[[object], Any], value: object) -> Any:
    try:
        return parse(value)
    except InvalidPrinterError as err:
        raise bad_request(err.field, str(err)) from None


def _has_build_plate(body: Mapping[str, Any]) -> bool | None:
    value = body.get("has_build_plate")
    if value is not None and not isinstance(value, bool):
        raise bad_request("has_build_plate", "must be true or false")
    return value


async def _async_identity(
    hass: HomeAssistant, host: str, port: int, api_key: str | None
) -> str | None:
    """The printer's Moonraker identity (``None``: not known yet); refusals as 400s."""
    try:
        return await async_test_klipper(hass, host, port, api_key)
    except KlipperConnectionError as err:
        if err.key == ERROR_CANNOT_CONNECT:
            return None
        if err.key == ERROR_INVALID_AUTH:
            raise bad_request(CONF_API_KEY, "Moonraker refused the API key") from None
        raise bad_request(
            CONF_IP_ADDRESS, "this Moonraker is an OttoEject, not a printer"
        ) from None


def _check_unique(
    runtime: OttoRuntime, host: str, port: int, unique_id: str | None, except_id: int | None
) -> None:
    for subentry in runtime.entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_PRINTER:
            continue
        other = PrinterSettings.from_subentry(subentry)
        if other.id == except_id:
            continue
        if unique_id is not None and subentry.unique_id == unique_id:
            raise ApiError(
                HTTPStatus.CONFLICT,
                f"ip_address: this printer is already registered as {other.name!r}",
                field=CONF_IP_ADDRESS,
            )
        if other.is_klipper and (other.ip_address, other.port) == (host, port):
            raise ApiError(
                HTTPStatus.CONFLICT,
                f"ip_address: printer {other.name!r} is already reached at {host}:{port}",
                field=CONF_IP_ADDRESS,
            )


async def async_register_klipper(
    hass: HomeAssistant, runtime: OttoRuntime, body: Mapping[str, Any], topology: Parsers
) -> PrinterSettings:
    """Create the printer's subentry (``POST /api/printers``); returns its settings."""
    name = _parse(parse_name, body.get(CONF_NAME))
    model = _parse(parse_klipper_model, body.get(CONF_MODEL))
    brand = _parse(lambda value: parse_klipper_brand(value, model), body.get(CONF_BRAND))
    printer_type = _parse(parse_klipper_type, body.get(CONF_TYPE))
    host = _parse(parse_ip_address, body.get(CONF_IP_ADDRESS))
    port = _parse(parse_moonraker_port, body.get(CONF_PORT))
    api_key = _parse(parse_moonraker_api_key, body.get(CONF_API_KEY))
    build_volume = _parse(parse_build_volume, body.get(CONF_BUILD_VOLUME))
    filament = _parse(parse_filament, body.get(CONF_FILAMENT))
    placed = {key: _parse(parse, body.get(key)) for key, parse in topology.items()}
    has_build_plate = _has_build_plate(body)
    _check_unique(runtime, host, port, None, None)
    unique_id = await _async_identity(hass, host, port, api_key)
    _check_unique(runtime, host, port, unique_id, None)
    settings = PrinterSettings(
        id=runtime.state.ids.allocate(DeviceKind.PRINTER),
        name=name,
        model=model,
        ip_address=host,
        serial_number="",
        access_code="",
        brand=brand,
        type=printer_type,
        build_volume=build_volume,
        filament=filament,
        driver=DRIVER_KLIPPER,
        port=port,
        api_key=api_key,
        **placed,
    )
    runtime.async_state_changed()
    hass.config_entries.async_add_subentry(runtime.entry, settings.new_subentry(unique_id))
    await runtime.devices.async_sync()
    if has_build_plate is not None:
        runtime.printers.async_set_build_plate(settings.id, has_build_plate)
    return settings


async def async_update_klipper(
    hass: HomeAssistant,
    runtime: OttoRuntime,
    current: PrinterSettings,
    body: Mapping[str, Any],
    topology: Parsers,
) -> PrinterSettings:
    """Change the printer's stored settings (``PUT``): only the fields in the body."""
    if body.get(CONF_SERIAL_NUMBER) is not None:
        raise bad_request(CONF_SERIAL_NUMBER, "a Klipper printer has none")
    model = _parse(parse_klipper_model, body[CONF_MODEL]) if CONF_MODEL in body else current.model
    parsers: dict[str, Callable[[object], Any]] = {
        CONF_NAME: parse_name,
        CONF_MODEL: parse_klipper_model,
        CONF_BRAND: lambda value: parse_klipper_brand(value, model),
        CONF_TYPE: parse_klipper_type,
        CONF_IP_ADDRESS: parse_ip_address,
        CONF_PORT: parse_moonraker_port,
        CONF_API_KEY: parse_moonraker_api_key,
        CONF_BUILD_VOLUME: parse_build_volume,
        CONF_FILAMENT: parse_filament,
        **topology,
    }
    changes = {key: _parse(parse, body[key]) for key, parse in parsers.items() if key in body}
    has_build_plate = _has_build_plate(body)
    settings = current.with_changes(**changes)
    if settings != current:
        if (settings.ip_address, settings.port, settings.api_key) != (
            current.ip_address,
            current.port,
            current.api_key,
        ):
            _check_unique(runtime, settings.ip_address, settings.port or 0, None, current.id)
            await _async_identity(hass, settings.ip_address, settings.port or 0, settings.api_key)
        entry = runtime.entry
        subentry = find_subentry(entry, SUBENTRY_PRINTER, current.id)
        assert subentry is not None  # coordinators mirror the subentries
        hass.config_entries.async_update_subentry(
            entry, subentry, title=settings.name, data=settings.as_data()
        )
        await runtime.devices.async_sync()
    if has_build_plate is not None:
        runtime.printers.async_set_build_plate(current.id, has_build_plate)
    return settings
