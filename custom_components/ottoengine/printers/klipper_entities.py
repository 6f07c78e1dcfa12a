"""Entities of a Klipper printer: the Bambu printer's core sensors and buttons where the data
exists (same keys, translation keys and unique ids), fed by its ``KlipperPrinterCoordinator``.

Status, stage, progress, remaining and end time, nozzle and bed temperature and target, layer,
current job and file; pause, resume and stop; the farm's *Build plate present* record. No AMS, HMS, camera, Wi-Fi or chamber entities:
a Klipper printer reports none of that. The status uses the Bambu sensor's states (the farm's
state in ``gcode_state`` words), the stage the Bambu stage names that fit (``printing``,
``paused_user``, ``heatbed_preheating``, ``heating_hotend``; other preparations ``other``).
The platform files add these with one call each, like the Bambu printers' entities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.button import ButtonEntity
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..entity import OttoCoordinatorEntity, async_follow_devices, farm_device_info
from ..farm.device_errors import DeviceError
from ..farm.ports import PrinterState
from ..klipper import KlipperSnapshot
from ..runtime import OttoConfigEntry
from ..subentries import DeviceKind
from .const import SIGNAL_BUILD_PLATE_UPDATED
from .entities import BUTTONS, STAGE_OPTIONS, STAGE_OTHER, STATUS_OPTIONS, PrinterButtonDescription
from .errors import to_ha_error
from .klipper_coordinator import KlipperPrinterCoordinator
from .klipper_rest_json import status_word
from .manager import PrintersManager

STAGE_IDLE = "idle"


class KlipperPrinterEntity(OttoCoordinatorEntity[KlipperPrinterCoordinator]):
    """An entity of one Klipper printer's device; available while the printer is online."""

    def __init__(
        self, manager: PrintersManager, coordinator: KlipperPrinterCoordinator, key: str
    ) -> None:
        super().__init__(coordinator)
        entry_id = manager.entry.entry_id
        settings = coordinator.settings
        self._attr_unique_id = f"{entry_id}_printer_{settings.id}_{key}"
        self._attr_device_info = farm_device_info(
            entry_id,
            manager.hub_device_id,
            DeviceKind.PRINTER,
            settings.id,
            name=settings.name,
            manufacturer=settings.brand,
            model=settings.model,
        )

    @property
    def available(self) -> bool:
        return super().available and self.coordinator.online


def klipper_stage(snapshot: KlipperSnapshot) -> str:
    """The Bambu stage name that says what the printer does."""
    if snapshot.state is PrinterState.RUNNING:
        return "printing"
    if snapshot.state is PrinterState.PAUSED:
        return "paused_user"
    if snapshot.state is PrinterState.PREPARING:
        heat = snapshot.temperatures
        if snapshot.detail == "heating":
            bed_cold = (
                heat.bed is not None
                and heat.bed_target is not None
                and heat.bed < heat.bed_target - 2
            )
            return "heatbed_preheating" if bed_cold else "heating_hotend"
        return STAGE_OTHER
    return STAGE_IDLE


def _job_name(snapshot: KlipperSnapshot) -> str | None:
    if not snapshot.filename:
        return None
    name = PurePosixPath(snapshot.filename).name
    return name.removesuffix(".gcode") or name


# -- sensors -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class KlipperSensorDescription(SensorEntityDescription):
    value_fn: Callable[[KlipperPrinterCoordinator, KlipperSnapshot], Any]
    attributes_fn: Callable[[KlipperSnapshot], dict[str, Any]] | None = None


def _temperature(
    key: str, value_fn: Callable[[KlipperSnapshot], float | None], *, target: bool
) -> KlipperSensorDescription:
    return KlipperSensorDescription(
        key=key,
        translation_key=f"printer_{key}",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=None if target else SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC if target else None,
        suggested_display_precision=0,
        value_fn=lambda _c, snapshot: value_fn(snapshot),
    )


KLIPPER_SENSORS: tuple[KlipperSensorDescription, ...] = (
    KlipperSensorDescription(
        key="status",
        translation_key="printer_status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=lambda _c, snapshot: status_word(snapshot).lower(),
        attributes_fn=lambda snapshot: {"detail": snapshot.detail, "message": snapshot.message},
    ),
    KlipperSensorDescription(
        key="stage",
        translation_key="printer_stage",
        device_class=SensorDeviceClass.ENUM,
        options=STAGE_OPTIONS,
        value_fn=lambda _c, snapshot: klipper_stage(snapshot),
    ),
    KlipperSensorDescription(
        key="progress",
        translation_key="printer_progress",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda _c, snapshot: snapshot.progress_percent,
    ),
    KlipperSensorDescription(
        key="remaining_time",
        translation_key="printer_remaining_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda _c, snapshot: snapshot.to_printer_snapshot().remaining_minutes,
    ),
    KlipperSensorDescription(
        key="end_time",
        translation_key="printer_end_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda coordinator, _s: coordinator.end_time,
    ),
    _temperature("nozzle_temperature", lambda s: s.temperatures.extruder, target=False),
    _temperature(
        "nozzle_target_temperature", lambda s: s.temperatures.extruder_target, target=True
    ),
    _temperature("bed_temperature", lambda s: s.temperatures.bed, target=False),
    _temperature("bed_target_temperature", lambda s: s.temperatures.bed_target, target=True),
    KlipperSensorDescription(
        key="layer",
        translation_key="printer_layer",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda _c, snapshot: snapshot.layer,
        attributes_fn=lambda snapshot: {"total_layers": snapshot.total_layers},
    ),
    KlipperSensorDescription(
        key="job_name",
        translation_key="printer_job_name",
        value_fn=lambda _c, snapshot: _job_name(snapshot),
    ),
    KlipperSensorDescription(
        key="current_file",
        translation_key="printer_current_file",
        entity_registry_enabled_default=False,
        value_fn=lambda _c, snapshot: snapshot.filename,
    ),
)


class KlipperPrinterSensor(KlipperPrinterEntity, SensorEntity):
    entity_description: KlipperSensorDescription

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: KlipperPrinterCoordinator,
        description: KlipperSensorDescription,
    ) -> None:
        super().__init__(manager, coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> str | int | float | datetime | None:
        value: str | int | float | datetime | None = self.entity_description.value_fn(
            self.coordinator, self.coordinator.data
        )
        return value

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(self.coordinator.data) if attributes_fn is not None else None


# -- buttons -------------------------------------------------------------------------------------
class KlipperPrinterButton(KlipperPrinterEntity, ButtonEntity):
    entity_description: PrinterButtonDescription

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: KlipperPrinterCoordinator,
        description: PrinterButtonDescription,
    ) -> None:
        super().__init__(manager, coordinator, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        try:
            await self.entity_description.press_fn(self.coordinator.port)
        except DeviceError as err:
            raise to_ha_error(err) from err


# -- binary sensors ------------------------------------------------------------------------------
class KlipperBuildPlateSensor(KlipperPrinterEntity, BinarySensorEntity):
    """Whether the printer's bed holds a build plate, as the orchestrator tracks it (the farm's
    record, not a printer reading: available while the printer is offline)."""

    _attr_translation_key = "printer_build_plate"

    def __init__(self, manager: PrintersManager, coordinator: KlipperPrinterCoordinator) -> None:
        super().__init__(manager, coordinator, "build_plate")
        self.manager = manager

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
@callback
def _follow_klipper_printers(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[PrintersManager, KlipperPrinterCoordinator], list[Any]],
) -> None:
    manager = entry.runtime_data.printers
    async_follow_devices(
        hass,
        entry,
        DeviceKind.PRINTER,
        async_add_entities,
        devices=lambda: {c.subentry_id: c for _, c in sorted(manager.klipper_coordinators.items())},
        build=lambda coordinator: build(manager, coordinator),
    )


@callback
def async_setup_klipper_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _follow_klipper_printers(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: [
            KlipperPrinterSensor(manager, coordinator, description)
            for description in KLIPPER_SENSORS
        ],
    )


@callback
def async_setup_klipper_buttons(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _follow_klipper_printers(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: [
            KlipperPrinterButton(manager, coordinator, description) for description in BUTTONS
        ],
    )


@callback
def async_setup_klipper_binary_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _follow_klipper_printers(
        hass,
        entry,
        async_add_entities,
        lambda manager, coordinator: [KlipperBuildPlateSensor(manager, coordinator)],
    )
