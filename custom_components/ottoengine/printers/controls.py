"""Printer controls: the print speed (a select) and the chamber light (a light).

Both go through the printer's one command path (``PrinterCommands``): speed is a control
command (refused on firmware that demands signed commands), the light is not. The state shown
is the printer's report, so a command the printer ignores does not fake a change.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import ColorMode
from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..bambu.status import SPEED_LEVELS
from ..farm.device_errors import DeviceError
from ..runtime import OttoConfigEntry
from .coordinator import PrinterCoordinator
from .entities import PrinterEntity, async_setup_printer_entities
from .errors import to_ha_error
from .manager import PrintersManager

SPEED_OPTIONS = list(SPEED_LEVELS.values())  # silent, standard, sport, ludicrous
_LEVEL_OF = {name: level for level, name in SPEED_LEVELS.items()}


class PrintSpeedSelect(PrinterEntity, SelectEntity):
    """The print speed level; the printer applies it to the running print."""

    _attr_translation_key = "printer_print_speed"
    _attr_options = SPEED_OPTIONS

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator) -> None:
        super().__init__(manager, coordinator, "print_speed")

    @property
    def current_option(self) -> str | None:
        status = self.coordinator.data
        return status.speed_name if status is not None else None

    async def async_select_option(self, option: str) -> None:
        # Home Assistant has already refused an option not in ``options``.
        try:
            await self.coordinator.commands.async_set_print_speed(_LEVEL_OF[option])
        except DeviceError as err:
            raise to_ha_error(err) from err


class ChamberLight(PrinterEntity, LightEntity):
    """The chamber light, on or off (``ledctrl``)."""

    _attr_translation_key = "printer_chamber_light"
    _attr_color_mode = ColorMode.ONOFF
    _attr_supported_color_modes = {ColorMode.ONOFF}

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator) -> None:
        super().__init__(manager, coordinator, "chamber_light")

    @property
    def is_on(self) -> bool | None:
        status = self.coordinator.data
        return status.chamber_light_on if status is not None else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_switch(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_switch(False)

    async def _async_switch(self, on: bool) -> None:
        try:
            await self.coordinator.commands.async_set_chamber_light(on)
        except DeviceError as err:
            raise to_ha_error(err) from err


@callback
def async_setup_printer_selects(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (PrintSpeedSelect(manager, coordinator),),
    )


@callback
def async_setup_printer_lights(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (ChamberLight(manager, coordinator),),
    )
