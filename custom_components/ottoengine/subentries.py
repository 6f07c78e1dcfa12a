"""The farm's devices are config subentries of the hub entry; this names and finds them.

Each subentry's ``data`` holds the device's integer API id under ``"id"`` (allocated from the
farm state's ``IdAllocator`` and never reused) and its stored details:

- ``printer``:   id, name, brand, model, type, ip_address, serial_number, access_code,
                 build_volume (dict | None), filament (dict | None); unique_id = serial number
- ``ottoeject``: id, device_name, ip_address, port, api_key (str | None);
                 unique_id = the Moonraker machine identity
- ``rack``:      id, name, number_of_shelves, shelf_spacing_mm, bed_size; unique_id = str(id)
"""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

SUBENTRY_PRINTER: Final = "printer"
SUBENTRY_OTTOEJECT: Final = "ottoeject"
SUBENTRY_RACK: Final = "rack"
CONF_ID: Final = "id"


def subentries_by_id(entry: ConfigEntry, subentry_type: str) -> dict[int, ConfigSubentry]:
    """The hub's subentries of one type, keyed by their integer API id."""
    return {
        int(subentry.data[CONF_ID]): subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type == subentry_type and CONF_ID in subentry.data
    }


def find_subentry(entry: ConfigEntry, subentry_type: str, item_id: int) -> ConfigSubentry | None:
    return subentries_by_id(entry, subentry_type).get(item_id)
