"""The printer actions of a Bambu printer's device page, as Home Assistant actions.

``print_file`` (a file already on the printer's storage, with plate and AMS mapping),
``skip_objects``, ``set_ams_filament``, ``load_filament``, ``unload_filament`` and
``move_axis``. The requests are built (and validated) by ``bambu.printer_actions``; they go to
the printer through its one command path (``PrinterCommands``), so a failure is the same
translated error a button or the REST API gives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from ..bambu import printer_actions
from ..const import DOMAIN
from ..farm.device_errors import DeviceError
from ..farm.ports import StartOptions
from .errors import to_ha_error
from .services import printer_of

SERVICE_PRINT_FILE: Final = "print_file"
SERVICE_SKIP_OBJECTS: Final = "skip_objects"
SERVICE_SET_AMS_FILAMENT: Final = "set_ams_filament"
SERVICE_LOAD_FILAMENT: Final = "load_filament"
SERVICE_UNLOAD_FILAMENT: Final = "unload_filament"
SERVICE_MOVE_AXIS: Final = "move_axis"

EXTERNAL_SPOOL: Final = "external"
# Trays as Bambu Studio names them: AMS unit A..D, slot 1..4; or the external spool.
TRAYS: Final = [
    EXTERNAL_SPOOL,
    *(f"{unit}{slot}" for unit in "ABCD" for slot in range(1, 5)),
]
START_FLAGS: Final = ("bed_leveling", "timelapse", "flow_cali", "vibration_cali", "layer_inspect")
DEFAULT_TEMPERATURE_C: Final = 220


def _device(fields: dict[Any, Any]) -> vol.Schema:
    return vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string, **fields})


PRINT_FILE_SCHEMA = _device(
    {
        vol.Required("filename"): vol.All(cv.string, vol.Length(min=1, max=255)),
        vol.Optional("plate", default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=64)),
        vol.Optional("use_ams"): cv.boolean,
        vol.Optional("ams_mapping"): vol.All(
            cv.ensure_list, [vol.All(vol.Coerce(int), vol.Range(min=-1, max=254))]
        ),
        **{vol.Optional(flag): cv.boolean for flag in START_FLAGS},
    }
)
SKIP_OBJECTS_SCHEMA = _device(
    {
        vol.Required("object_ids"): vol.All(
            cv.ensure_list, [vol.All(vol.Coerce(int), vol.Range(min=0))]
        )
    }
)
SET_AMS_FILAMENT_SCHEMA = _device(
    {
        vol.Required("tray"): vol.In(TRAYS),
        vol.Required("filament_type"): cv.string,
        vol.Required("color"): cv.string,
        vol.Required("nozzle_temp_min"): vol.Coerce(int),
        vol.Required("nozzle_temp_max"): vol.Coerce(int),
        vol.Optional("tray_info_idx", default=""): cv.string,
    }
)
LOAD_FILAMENT_SCHEMA = _device(
    {
        vol.Required("tray"): vol.In(TRAYS),
        vol.Optional("temperature", default=DEFAULT_TEMPERATURE_C): vol.Coerce(int),
    }
)
UNLOAD_FILAMENT_SCHEMA = _device(
    {vol.Optional("temperature", default=DEFAULT_TEMPERATURE_C): vol.Coerce(int)}
)
MOVE_AXIS_SCHEMA = _device(
    {
        vol.Required("axis"): vol.All(cv.string, vol.Upper, vol.In(["X", "Y", "Z", "E"])),
        vol.Required("distance"): vol.Coerce(float),
        vol.Optional("speed"): vol.Coerce(int),
    }
)


def tray_position(tray: str) -> tuple[int | None, int | None]:
    """``"B3"`` → AMS unit 1, slot 2 (from 0); ``"external"`` → the external spool."""
    if tray == EXTERNAL_SPOOL:
        return None, None
    return "ABCD".index(tray[0]), int(tray[1]) - 1


def _build[T](build: Callable[[], T]) -> T:
    """Run a request builder; its ``ValueError`` names the field that is wrong."""
    try:
        return build()
    except ValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_printer_action",
            translation_placeholders={"error": str(err)},
        ) from err


async def _run(send: Awaitable[Any]) -> None:
    try:
        await send
    except DeviceError as err:
        raise to_ha_error(err) from err


async def _async_print_file(call: ServiceCall) -> None:
    printer = printer_of(call)
    data = call.data
    filename = str(data["filename"]).strip().removeprefix("/sdcard/").lstrip("/")
    if not filename or ".." in filename.split("/"):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_printer_action",
            translation_placeholders={"error": "filename: a file on the printer's storage"},
        )
    options = StartOptions(
        plate=data["plate"],
        use_ams=data.get("use_ams"),
        ams_mapping=tuple(data["ams_mapping"]) if "ams_mapping" in data else None,
        flags={flag: data[flag] for flag in START_FLAGS if flag in data},
    )
    await _run(printer.async_start_print(filename, options))


async def _async_skip_objects(call: ServiceCall) -> None:
    printer = printer_of(call)
    request = _build(lambda: printer_actions.skip_objects(call.data["object_ids"]))
    await _run(printer.async_send_request(request, while_printing=True))


async def _async_set_ams_filament(call: ServiceCall) -> None:
    printer = printer_of(call)
    data = call.data
    unit, slot = tray_position(data["tray"])
    request = _build(
        lambda: printer_actions.ams_filament_setting(
            unit,
            slot,
            filament_type=data["filament_type"],
            color=data["color"],
            nozzle_temp_min=data["nozzle_temp_min"],
            nozzle_temp_max=data["nozzle_temp_max"],
            tray_info_idx=data["tray_info_idx"],
        )
    )
    # Setting what a tray holds changes nothing physical: allowed during a print.
    await _run(printer.async_send_request(request, while_printing=None))


async def _async_load_filament(call: ServiceCall) -> None:
    printer = printer_of(call)
    unit, slot = tray_position(call.data["tray"])
    request = _build(lambda: printer_actions.load_filament(unit, slot, call.data["temperature"]))
    await _run(printer.async_send_request(request, while_printing=False))


async def _async_unload_filament(call: ServiceCall) -> None:
    printer = printer_of(call)
    request = _build(lambda: printer_actions.unload_filament(call.data["temperature"]))
    await _run(printer.async_send_request(request, while_printing=False))


async def _async_move_axis(call: ServiceCall) -> None:
    printer = printer_of(call)
    data = call.data
    gcode = _build(
        lambda: printer_actions.move_axis_gcode(data["axis"], data["distance"], data.get("speed"))
    )
    await _run(
        printer.async_send_request(
            {"print": {"command": "gcode_line", "param": gcode}}, while_printing=False
        )
    )


@callback
def async_setup_printer_action_services(hass: HomeAssistant) -> None:
    for name, handler, schema in (
        (SERVICE_PRINT_FILE, _async_print_file, PRINT_FILE_SCHEMA),
        (SERVICE_SKIP_OBJECTS, _async_skip_objects, SKIP_OBJECTS_SCHEMA),
        (SERVICE_SET_AMS_FILAMENT, _async_set_ams_filament, SET_AMS_FILAMENT_SCHEMA),
        (SERVICE_LOAD_FILAMENT, _async_load_filament, LOAD_FILAMENT_SCHEMA),
        (SERVICE_UNLOAD_FILAMENT, _async_unload_filament, UNLOAD_FILAMENT_SCHEMA),
        (SERVICE_MOVE_AXIS, _async_move_axis, MOVE_AXIS_SCHEMA),
    ):
        hass.services.async_register(DOMAIN, name, handler, schema=schema)
