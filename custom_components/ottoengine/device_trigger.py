"""Device triggers of printers: print started, finished, failed, cancelled, error, error cleared.

Each is an event trigger on ``ottoengine_printer_event`` with the printer's device id and the
trigger type, fired by the printer's coordinator on a status change
(``printers/triggers.py``). Only printer devices offer them.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import InvalidDeviceAutomationConfig
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .const import DOMAIN
from .printers.triggers import EVENT_PRINTER, PrinterTrigger
from .subentries import DeviceKind

TRIGGER_TYPES = [trigger.value for trigger in PrinterTrigger]
TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend({vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES)})
PRINTER_MARK = f"_{DeviceKind.PRINTER.value}_"


def is_printer_device(hass: HomeAssistant, device_id: str) -> bool:
    """Whether ``device_id`` is one of the farm's printers."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return False
    for domain, identifier in device.identifiers:
        entry_id, mark, number = identifier.rpartition(PRINTER_MARK)
        if domain == DOMAIN and mark and entry_id and number.isdigit():
            return True
    return False


async def async_validate_trigger_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """A known trigger type of a printer device."""
    config = TRIGGER_SCHEMA(config)
    if not is_printer_device(hass, config[CONF_DEVICE_ID]):
        raise InvalidDeviceAutomationConfig(
            f"device {config[CONF_DEVICE_ID]} is not an OttoEngine printer"
        )
    return config


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The printer's triggers (none for other devices of the farm)."""
    if not is_printer_device(hass, device_id):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGER_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the printer's events of that type."""
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: CONF_EVENT,
            event_trigger.CONF_EVENT_TYPE: EVENT_PRINTER,
            CONF_EVENT_DATA: {
                CONF_DEVICE_ID: config[CONF_DEVICE_ID],
                CONF_TYPE: config[CONF_TYPE],
            },
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
