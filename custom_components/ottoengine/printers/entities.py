"""Printer entities: sensors, buttons and the build-plate binary sensor.

The shared platforms (``sensor.py``, ``button.py``, ``binary_sensor.py``) call the setup
functions here. One device per printer, under the hub; entities are added when a printer
subentry appears and removed with it (Home Assistant removes a subentry's entities).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..bambu import PrinterStatus, PrintState
from ..bambu.stages import STAGE_NAMES
from ..entity import OttoCoordinatorEntity, async_follow_devices, farm_device_info
from ..farm.device_errors import DeviceError
from ..farm.ports import CommandResult
from ..runtime import OttoConfigEntry
from ..subentries import DeviceKind
from .commands import PrinterCommands
from .const import BRAND_BAMBU_LAB, SIGNAL_BUILD_PLATE_UPDATED
from .coordinator import PrinterCoordinator
from .errors import to_ha_error
from .manager import PrintersManager

# States of the status sensor (lower-case gcode_state; offline printers are unavailable).
STATUS_OPTIONS = [state.value.lower() for state in PrintState if state is not PrintState.OFFLINE]
STAGE_OTHER = "other"
STAGE_OPTIONS = ["idle", *dict.fromkeys(STAGE_NAMES.values()), STAGE_OTHER]


class PrinterEntity(OttoCoordinatorEntity[PrinterCoordinator]):
    """An entity of one printer's device; available while the printer is online."""

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator, key: str) -> None:
        super().__init__(coordinator)
        entry_id = manager.entry.entry_id
        settings = coordinator.settings
        self.manager = manager
        self._attr_unique_id = f"{entry_id}_printer_{settings.id}_{key}"
        self._attr_device_info = farm_device_info(
            entry_id,
            manager.hub_device_id,
            DeviceKind.PRINTER,
            settings.id,
            name=settings.name,
            manufacturer=BRAND_BAMBU_LAB,
            model=settings.model,
            serial_number=settings.serial_number,
        )

    @property
    def available(self) -> bool:
        return super().available and self.coordinator.online


# -- sensors -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PrinterSensorDescription(SensorEntityDescription):
    value_fn: Callable[[PrinterCoordinator, PrinterStatus], Any]
    attributes_fn: Callable[[PrinterStatus], dict[str, Any]] | None = None


def _stage(status: PrinterStatus) -> str:
    stage = status.current_stage.lower()
    return stage if stage in STAGE_OPTIONS else STAGE_OTHER


def _filament_attributes(status: PrinterStatus) -> dict[str, Any]:
    filament = status.filament
    if filament is None:
        return {}
    return {
        "color": filament.color,
        "name": filament.name,
        "source": filament.source,
        "remaining_percent": filament.remaining_percent,
    }


SENSORS: tuple[PrinterSensorDescription, ...] = (
    PrinterSensorDescription(
        key="status",
        translation_key="printer_status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=lambda _c, status: status.status.value.lower(),
    ),
    PrinterSensorDescription(
        key="stage",
        translation_key="printer_stage",
        device_class=SensorDeviceClass.ENUM,
        options=STAGE_OPTIONS,
        value_fn=lambda _c, status: _stage(status),
        attributes_fn=lambda status: {"stage_id": status.current_stage_id},
    ),
    PrinterSensorDescription(
        key="progress",
        translation_key="printer_progress",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda _c, status: status.progress_percent,
    ),
    PrinterSensorDescription(
        key="remaining_time",
        translation_key="printer_remaining_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda _c, status: status.remaining_time_minutes,
    ),
    PrinterSensorDescription(
        key="end_time",
        translation_key="printer_end_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda coordinator, _s: coordinator.end_time,
    ),
    PrinterSensorDescription(
        key="nozzle_temperature",
        translation_key="printer_nozzle_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda _c, status: status.nozzle_temperature,
    ),
    PrinterSensorDescription(
        key="nozzle_target_temperature",
        translation_key="printer_nozzle_target_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=0,
        value_fn=lambda _c, status: status.nozzle_target_temperature,
    ),
    PrinterSensorDescription(
        key="bed_temperature",
        translation_key="printer_bed_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda _c, status: status.bed_temperature,
    ),
    PrinterSensorDescription(
        key="bed_target_temperature",
        translation_key="printer_bed_target_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=0,
        value_fn=lambda _c, status: status.bed_target_temperature,
    ),
    PrinterSensorDescription(
        key="layer",
        translation_key="printer_layer",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda _c, status: status.layer,
        attributes_fn=lambda status: {"total_layers": status.total_layers},
    ),
    PrinterSensorDescription(
        key="filament",
        translation_key="printer_filament",
        value_fn=lambda _c, status: status.filament.material if status.filament else None,
        attributes_fn=_filament_attributes,
    ),
)


class PrinterSensor(PrinterEntity, SensorEntity):
    entity_description: PrinterSensorDescription

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        description: PrinterSensorDescription,
    ) -> None:
        super().__init__(manager, coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> str | int | float | datetime | None:
        status = self.coordinator.data
        value: str | int | float | datetime | None = self.entity_description.value_fn(
            self.coordinator, status
        )
        return value

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        attributes_fn = self.entity_description.attributes_fn
        if attributes_fn is None or self.coordinator.data is None:
            return None
        return attributes_fn(self.coordinator.data)


# -- buttons -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PrinterButtonDescription(ButtonEntityDescription):
    press_fn: Callable[[PrinterCommands], Awaitable[CommandResult]]


BUTTONS: tuple[PrinterButtonDescription, ...] = (
    PrinterButtonDescription(
        key="pause", translation_key="printer_pause", press_fn=lambda p: p.async_pause()
    ),
    PrinterButtonDescription(
        key="resume", translation_key="printer_resume", press_fn=lambda p: p.async_resume()
    ),
    PrinterButtonDescription(
        key="stop", translation_key="printer_stop", press_fn=lambda p: p.async_stop()
    ),
)


class PrinterButton(PrinterEntity, ButtonEntity):
    entity_description: PrinterButtonDescription

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        description: PrinterButtonDescription,
    ) -> None:
        super().__init__(manager, coordinator, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        try:
            await self.entity_description.press_fn(self.coordinator.commands)
        except DeviceError as err:
            raise to_ha_error(err) from err


# -- binary sensor -------------------------------------------------------------------------------
class BuildPlateSensor(PrinterEntity, BinarySensorEntity):
    """Whether the printer's bed holds a build plate, as the orchestrator tracks it.

    It is the farm's record, not a printer reading, so it stays available while the printer is
    offline.
    """

    _attr_translation_key = "printer_build_plate"

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator) -> None:
        super().__init__(manager, coordinator, "build_plate")

    @property
    def available(self) -> bool:
        return True

    @property
    def is_on(self) -> bool:
        return self.manager.has_build_plate(self.coordinator.printer_id)

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_BUILD_PLATE_UPDATED.format(
                    self.manager.entry.entry_id, self.coordinator.printer_id
                ),
                self.async_write_ha_state,
            )
        )


# -- platform setup ------------------------------------------------------------------------------
type EntityFactory = Callable[[PrintersManager, PrinterCoordinator], Iterable[Entity]]


@callback
def _async_setup_printer_entities(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: EntityFactory,
) -> None:
    """Add the entities of every printer now and of printers added later."""
    manager = entry.runtime_data.printers
    async_follow_devices(
        hass,
        entry,
        DeviceKind.PRINTER,
        async_add_entities,
        devices=lambda: {c.subentry_id: c for _, c in sorted(manager.coordinators.items())},
        build=lambda coordinator: factory(manager, coordinator),
    )


@callback
def async_setup_printer_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (
            PrinterSensor(manager, coordinator, description) for description in SENSORS
        ),
    )


@callback
def async_setup_printer_buttons(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (
            PrinterButton(manager, coordinator, description) for description in BUTTONS
        ),
    )


@callback
def async_setup_printer_binary_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (BuildPlateSensor(manager, coordinator),),
    )
