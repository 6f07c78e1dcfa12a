"""The farm's devices are config subentries of the hub entry; this names and finds them.

A ``DeviceKind`` is at once a subentry type, the name of the device's integer id sequence in
the farm state's ``IdAllocator`` and the middle of its device identifier, so the three can
never disagree. Each subentry's ``data`` holds the device's API id under ``"id"`` (allocated
once, never reused) and its stored details:

- ``printer``:   id, name, brand, model, type, ip_address, serial_number, access_code,
                 build_volume (dict | None), filament (dict | None), fingerprint; the topology:
                 ottoeject_id, clearing_method, eject_macro, load_macro, close_door_macro,
                 macro_params, eject_position, nozzle_diameter_mm (None: the model's default);
                 unique_id = serial number
- ``ottoeject``: id, device_name, ip_address, port, api_key (str | None), macro_ack_timeout;
                 unique_id = the Moonraker machine identity
- ``rack``:      id, name, number_of_shelves, shelf_spacing_mm, bed_size, ottoeject_id;
                 unique_id = str(id)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .const import DOMAIN


class DeviceKind(StrEnum):
    """A kind of farm device that is a subentry of the hub."""

    PRINTER = "printer"
    OTTOEJECT = "ottoeject"
    RACK = "rack"


SUBENTRY_PRINTER: Final = DeviceKind.PRINTER
SUBENTRY_OTTOEJECT: Final = DeviceKind.OTTOEJECT
SUBENTRY_RACK: Final = DeviceKind.RACK
CONF_ID: Final = "id"


def device_identifier(entry_id: str, kind: DeviceKind, device_id: int) -> tuple[str, str]:
    """The device registry identifier of a farm device."""
    return (DOMAIN, f"{entry_id}_{kind.value}_{device_id}")


def subentries_by_id(entry: ConfigEntry, subentry_type: str) -> dict[int, ConfigSubentry]:
    """The hub's subentries of one type, keyed by their integer API id."""
    return {
        int(subentry.data[CONF_ID]): subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type == subentry_type and CONF_ID in subentry.data
    }


def find_subentry(entry: ConfigEntry, subentry_type: str, item_id: int) -> ConfigSubentry | None:
    return subentries_by_id(entry, subentry_type).get(item_id)
