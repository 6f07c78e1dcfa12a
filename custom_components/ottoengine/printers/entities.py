"""Printer entities: sensors, buttons and binary sensors (build plate, problem, door).

The shared platforms (``sensor.py``, ``button.py``, ``binary_sensor.py``) call the setup
functions here. One device per printer, under the hub; entities are added when a printer
subentry appears and removed with it (Home Assistant removes a subentry's entities). The AMS
entities (``ams_entities.py``) follow the units the printer reports; print speed and chamber
light are in ``controls.py``, the firmware update entity in ``firmware.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfLength,
    UnitOfMass,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..bambu import PrinterError, PrinterStatus, PrintState
from ..bambu.hms import PRINT_CANCELLED_ERROR
from ..bambu.models import has_chamber_sensor, has_door_sensor
from ..bambu.stages import STAGE_NAMES
from ..entity import OttoCoordinatorEntity, async_follow_devices, farm_device_info
from ..farm.device_errors import DeviceError
from ..farm.ports import CommandResult, PrinterPort
from ..farm.print_items import PrintItem
from ..runtime import OttoConfigEntry
from ..subentries import DeviceKind
from .const import BRAND_BAMBU_LAB, SIGNAL_BUILD_PLATE_UPDATED
from .coordinator import PrinterCoordinator
from .errors import to_ha_error
from .manager import PrintersManager
from .trays import active_tray_key, tray_attributes, tray_state, tray_swatch

# States of the status sensor (lower-case gcode_state; offline printers are unavailable).
STATUS_OPTIONS = [state.value.lower() for state in PrintState if state is not PrintState.OFFLINE]
STAGE_OTHER = "other"
STAGE_OPTIONS = ["idle", *dict.fromkeys(STAGE_NAMES.values()), STAGE_OTHER]
PRINT_ERROR_NONE = "none"
# States of the active tray sensor: every slot a printer can feed from, or none.
ACTIVE_TRAY_NONE = "none"
ACTIVE_TRAY_OPTIONS = [
    *(f"ams_{unit}_tray_{slot}" for unit in range(1, 5) for slot in range(1, 5)),
    *(f"ams_ht_{unit}_tray_1" for unit in range(1, 9)),
    "external_spool",
    ACTIVE_TRAY_NONE,
]


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
    picture_fn: Callable[[PrinterStatus], str | None] | None = None
    # Whether the printer has it at all (the model's sensors); checked when entities are added.
    exists_fn: Callable[[PrinterCoordinator], bool] = lambda _coordinator: True


def _job_item(coordinator: PrinterCoordinator) -> PrintItem | None:
    """The print file of the farm's job on this printer (jobs started elsewhere: ``None``)."""
    runtime = coordinator.config_entry.runtime_data
    view = runtime.orchestrator.engine.printer_view(coordinator.printer_id)
    job = runtime.state.jobs.get(view.job_id) if view.job_id is not None else None
    return runtime.state.print_items.get(job.print_item_id) if job is not None else None


def _print_weight(coordinator: PrinterCoordinator, _status: PrinterStatus) -> float | None:
    item = _job_item(coordinator)
    return item.filament_used_g if item is not None else None


def _print_length(coordinator: PrinterCoordinator, _status: PrinterStatus) -> float | None:
    item = _job_item(coordinator)
    value = item.metadata.get("filament_used_m") if item is not None else None
    return float(value) if value is not None else None


def _error_attributes(error: PrinterError) -> dict[str, Any]:
    return {
        "code": error.code,
        "text": error.description,
        "url": error.url,
        "severity": error.severity,
        "module": error.module,
    }


def _hms_attributes(status: PrinterStatus) -> dict[str, Any]:
    return {"errors": [_error_attributes(error) for error in status.hms_errors]}


def _print_error(status: PrinterStatus) -> str:
    error = status.print_error_info
    return error.code if error is not None else PRINT_ERROR_NONE


def _print_error_attributes(status: PrinterStatus) -> dict[str, Any]:
    error = status.print_error_info
    return {"text": error.description if error is not None else None}


def _spool_attributes(status: PrinterStatus) -> dict[str, Any]:
    spool = status.ams.external_spool
    return tray_attributes(spool) if spool is not None else {}


def _active_tray_attributes(status: PrinterStatus) -> dict[str, Any]:
    tray = status.ams.active_tray
    return tray_attributes(tray) if tray is not None else {"tray_id": status.ams.active_tray_id}


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


def _fan_sensor(
    fan: str, percent: Callable[[PrinterStatus], int | None]
) -> PrinterSensorDescription:
    """A fan's speed in percent (diagnostic, disabled by default)."""
    return PrinterSensorDescription(
        key=f"{fan}_fan",
        translation_key=f"printer_{fan}_fan",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda _c, status: percent(status),
    )


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
    PrinterSensorDescription(
        key="active_tray",
        translation_key="printer_active_tray",
        device_class=SensorDeviceClass.ENUM,
        options=ACTIVE_TRAY_OPTIONS,
        value_fn=lambda _c, status: active_tray_key(status.ams, ACTIVE_TRAY_OPTIONS),
        attributes_fn=_active_tray_attributes,
        picture_fn=lambda status: tray_swatch(status.ams.active_tray),
    ),
    PrinterSensorDescription(
        key="external_spool",
        translation_key="printer_external_spool",
        value_fn=lambda _c, status: tray_state(status.ams.external_spool),
        attributes_fn=_spool_attributes,
        picture_fn=lambda status: tray_swatch(status.ams.external_spool),
    ),
    PrinterSensorDescription(
        key="hms_errors",
        translation_key="printer_hms_errors",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda _c, status: len(status.hms_errors),
        attributes_fn=_hms_attributes,
    ),
    PrinterSensorDescription(
        key="print_error",
        translation_key="printer_print_error",
        value_fn=lambda _c, status: _print_error(status),
        attributes_fn=_print_error_attributes,
    ),
    PrinterSensorDescription(
        key="job_name",
        translation_key="printer_job_name",
        value_fn=lambda _c, status: status.subtask_name,
    ),
    PrinterSensorDescription(
        key="current_file",
        translation_key="printer_current_file",
        entity_registry_enabled_default=False,
        value_fn=lambda _c, status: status.gcode_file,
    ),
    PrinterSensorDescription(
        key="print_weight",
        translation_key="printer_print_weight",
        device_class=SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.GRAMS,
        suggested_display_precision=1,
        value_fn=_print_weight,
    ),
    PrinterSensorDescription(
        key="print_length",
        translation_key="printer_print_length",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.METERS,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        value_fn=_print_length,
    ),
    PrinterSensorDescription(
        key="chamber_temperature",
        translation_key="printer_chamber_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda _c, status: status.chamber_temperature,
        exists_fn=lambda coordinator: has_chamber_sensor(coordinator.settings.model),
    ),
    _fan_sensor("part_cooling", lambda status: status.part_cooling_fan_percent),
    _fan_sensor("aux", lambda status: status.aux_fan_percent),
    _fan_sensor("chamber", lambda status: status.chamber_fan_percent),
    _fan_sensor("heatbreak", lambda status: status.heatbreak_fan_percent),
    PrinterSensorDescription(
        key="wifi_signal",
        translation_key="printer_wifi_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda _c, status: status.wifi_signal_dbm,
    ),
    PrinterSensorDescription(
        key="nozzle_type",
        translation_key="printer_nozzle_type",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda _c, status: status.nozzle_type,
    ),
    PrinterSensorDescription(
        key="nozzle_diameter",
        translation_key="printer_nozzle_diameter",
        native_unit_of_measurement=UnitOfLength.MILLIMETERS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda _c, status: status.nozzle_diameter,
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

    @property
    def entity_picture(self) -> str | None:
        picture_fn = self.entity_description.picture_fn
        if picture_fn is None or self.coordinator.data is None:
            return None
        return picture_fn(self.coordinator.data)


# -- buttons -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PrinterButtonDescription(ButtonEntityDescription):
    """A printer button; any driver's ``PrinterPort`` takes its command (Bambu and Klipper)."""

    press_fn: Callable[[PrinterPort], Awaitable[CommandResult]]


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


# -- binary sensors ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PrinterBinarySensorDescription(BinarySensorEntityDescription):
    is_on_fn: Callable[[PrinterStatus], bool | None]
    attributes_fn: Callable[[PrinterStatus], dict[str, Any]] | None = None
    exists_fn: Callable[[PrinterCoordinator], bool] = lambda _coordinator: True


def _has_problem(status: PrinterStatus) -> bool:
    """An HMS entry or a print error is active (a cancelled print is not a problem)."""
    error = status.print_error
    return bool(status.hms_errors) or error not in {0, PRINT_CANCELLED_ERROR}


def _problem_attributes(status: PrinterStatus) -> dict[str, Any]:
    error = status.print_error_info
    return {
        **_hms_attributes(status),
        "print_error": _error_attributes(error) if error is not None else None,
    }


BINARY_SENSORS: tuple[PrinterBinarySensorDescription, ...] = (
    PrinterBinarySensorDescription(
        key="problem",
        translation_key="printer_problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=_has_problem,
        attributes_fn=_problem_attributes,
    ),
    PrinterBinarySensorDescription(
        key="door",
        translation_key="printer_door",
        device_class=BinarySensorDeviceClass.DOOR,
        is_on_fn=lambda status: status.door_open,
        exists_fn=lambda coordinator: has_door_sensor(coordinator.settings.model),
    ),
)


class PrinterBinarySensor(PrinterEntity, BinarySensorEntity):
    entity_description: PrinterBinarySensorDescription

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        description: PrinterBinarySensorDescription,
    ) -> None:
        super().__init__(manager, coordinator, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        status = self.coordinator.data
        return self.entity_description.is_on_fn(status) if status is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        attributes_fn = self.entity_description.attributes_fn
        if attributes_fn is None or self.coordinator.data is None:
            return None
        return attributes_fn(self.coordinator.data)


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
def async_setup_printer_entities(
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
    async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (
            PrinterSensor(manager, coordinator, description)
            for description in SENSORS
            if description.exists_fn(coordinator)
        ),
    )


@callback
def async_setup_printer_buttons(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_setup_printer_entities(
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
    async_setup_printer_entities(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: (
            BuildPlateSensor(manager, coordinator),
            *(
                PrinterBinarySensor(manager, coordinator, description)
                for description in BINARY_SENSORS
                if description.exists_fn(coordinator)
            ),
        ),
    )
