"""The ``ottoengine.send_gcode`` action: send G-code to a printer device.

It goes through the printer's one command path (``PrinterCommands``; a Klipper printer's
``KlipperPrinterPort``), so a failure is the same translated error a button press or the REST
API gives for it.
"""

from __future__ import annotations

from typing import Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
import probatio as vol

from ..bambu.commands import normalize_gcode
from ..const import DOMAIN
from ..farm.device_errors import DeviceError
from ..farm.ports import PrinterPort
from ..runtime import OttoConfigEntry
from .commands import PrinterCommands
from .errors import to_ha_error

SERVICE_SEND_GCODE: Final = "send_gcode"
ATTR_GCODE: Final = "gcode"

SEND_GCODE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DEVICE_ID): cv.string, vol.Required(ATTR_GCODE): cv.string}
)


@callback
def async_setup_printer_services(hass: HomeAssistant) -> None:
    hass.services.async_register(
        DOMAIN, SERVICE_SEND_GCODE, _async_send_gcode, schema=SEND_GCODE_SCHEMA
    )


def printer_of(call: ServiceCall) -> PrinterCommands:
    """The (Bambu Lab) printer a call names by its ``device_id`` (a translated error if it is
    none)."""
    port = _port_of(call, klipper=False)
    assert isinstance(port, PrinterCommands)
    return port


def _port_of(call: ServiceCall, *, klipper: bool) -> PrinterPort:
    """The printer a call names; with ``klipper``, Klipper printers too."""
    device_id: str = call.data[ATTR_DEVICE_ID]
    device, found = service.async_get_device_and_config_entry(
        call.hass, DOMAIN, device_id, include_child_devices=False
    )
    entry: OttoConfigEntry = found
    manager = entry.runtime_data.printers
    subentry_id = device.config_subentry_id
    coordinators = manager.farm_coordinators() if klipper else manager.coordinators
    coordinator = next((c for c in coordinators.values() if c.subentry_id == subentry_id), None)
    if coordinator is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_printer",
            translation_placeholders={"device": device.name_by_user or device.name or device_id},
        )
    return coordinator.commands


async def _async_send_gcode(call: ServiceCall) -> None:
    printer = _port_of(call, klipper=True)
    try:
        gcode = normalize_gcode(call.data[ATTR_GCODE])
    except ValueError as err:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_gcode") from err
    try:
        await printer.async_send_gcode(gcode)
    except DeviceError as err:
        raise to_ha_error(err) from err
