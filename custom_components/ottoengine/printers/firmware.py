"""The printer's firmware as an update entity: the installed version (from ``get_version``) and
the version the printer offers (``upgrade_state``).

It only shows: installing is done on the printer or in Bambu Studio / Handy (the LAN protocol's
upgrade command is not used here).
"""

from __future__ import annotations

from homeassistant.components.update import UpdateEntity
from homeassistant.components.update.const import UpdateDeviceClass
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..runtime import OttoConfigEntry
from .coordinator import PrinterCoordinator
from .entities import PrinterEntity, async_setup_printer_entities
from .manager import PrintersManager


class PrinterFirmwareUpdate(PrinterEntity, UpdateEntity):
    """On when the printer offers newer firmware; unknown until the printer says."""

    _attr_translation_key = "printer_firmware"
    _attr_device_class = UpdateDeviceClass.FIRMWARE

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator) -> None:
        super().__init__(manager, coordinator, "firmware")

    @property
    def installed_version(self) -> str | None:
        client = self.coordinator.client
        return client.firmware_version if client is not None else None

    @property
    def latest_version(self) -> str | None:
        status = self.coordinator.data
        if status is None or status.firmware_update_available is None:
            return None  # the printer has not said whether there is an update
        if status.firmware_update_available:
            return status.firmware_new_version
        return self.installed_version


@callback
def async_setup_printer_updates(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (PrinterFirmwareUpdate(manager, coordinator),),
    )
