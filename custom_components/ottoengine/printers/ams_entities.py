"""Sensors of a printer's AMS units: one per tray, each unit's humidity and temperature.

Units are plugged in and out while Home Assistant runs, so these entities are not fixed when the
printer is set up: a listener on the printer's coordinator adds a unit's entities the first
time the printer reports the unit. A unit that goes away leaves its entities unavailable
(history and customisations stay; they come back with the unit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..bambu import AmsTray, AmsUnit
from ..runtime import OttoConfigEntry
from .coordinator import PrinterCoordinator
from .entities import PrinterEntity, async_setup_printer_entities
from .manager import PrintersManager
from .trays import tray_attributes, tray_state, tray_swatch


def _unit_label(unit: AmsUnit) -> str:
    """``AMS 1`` or ``AMS HT 1`` (product names: not translated)."""
    if unit.is_ht:
        return f"AMS HT {unit.key.removeprefix('ams_ht_')}"
    return f"AMS {unit.key.removeprefix('ams_')}"


class AmsEntity(PrinterEntity):
    """An entity of one AMS unit; available while the printer reports the unit."""

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        unit: AmsUnit,
        key: str,
    ) -> None:
        super().__init__(manager, coordinator, key)
        self.unit_id = unit.id
        self._attr_translation_placeholders = {"ams": _unit_label(unit)}

    @property
    def unit(self) -> AmsUnit | None:
        status = self.coordinator.data
        return status.ams.unit(self.unit_id) if status is not None else None

    @property
    def available(self) -> bool:
        return super().available and self.unit is not None


class AmsTraySensor(AmsEntity, SensorEntity):
    """One tray: the filament's name or type, with colour, remaining and state attributes."""

    _attr_translation_key = "printer_ams_tray"

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        unit: AmsUnit,
        tray: AmsTray,
    ) -> None:
        super().__init__(manager, coordinator, unit, tray.key)
        self.slot = tray.slot
        self._attr_translation_placeholders = {
            **self._attr_translation_placeholders,
            "tray": str(tray.slot + 1),
        }

    @property
    def tray(self) -> AmsTray | None:
        unit = self.unit
        return next((t for t in unit.trays if t.slot == self.slot), None) if unit else None

    @property
    def native_value(self) -> str | None:
        return tray_state(self.tray)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        tray = self.tray
        return tray_attributes(tray) if tray is not None else None

    @property
    def entity_picture(self) -> str | None:
        return tray_swatch(self.tray)


@dataclass(frozen=True, kw_only=True)
class AmsUnitSensorDescription(SensorEntityDescription):
    value_fn: Callable[[AmsUnit], float | int | None]
    attributes_fn: Callable[[AmsUnit], dict[str, Any]] | None = None


UNIT_SENSORS: tuple[AmsUnitSensorDescription, ...] = (
    AmsUnitSensorDescription(
        key="humidity",
        translation_key="printer_ams_humidity",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda unit: unit.humidity_level,
        attributes_fn=lambda unit: {"humidity_percent": unit.humidity_percent},
    ),
    AmsUnitSensorDescription(
        key="temperature",
        translation_key="printer_ams_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        suggested_display_precision=1,
        value_fn=lambda unit: unit.temperature,
    ),
)


class AmsUnitSensor(AmsEntity, SensorEntity):
    entity_description: AmsUnitSensorDescription

    def __init__(
        self,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        unit: AmsUnit,
        description: AmsUnitSensorDescription,
    ) -> None:
        super().__init__(manager, coordinator, unit, f"{unit.key}_{description.key}")
        self.entity_description = description

    @property
    def native_value(self) -> float | int | None:
        unit = self.unit
        return self.entity_description.value_fn(unit) if unit is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        unit = self.unit
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(unit) if unit is not None and attributes_fn is not None else None


class AmsEntityTracker:
    """Adds a unit's sensors when the printer first reports the unit (or a new tray of it)."""

    def __init__(
        self,
        entry: OttoConfigEntry,
        manager: PrintersManager,
        coordinator: PrinterCoordinator,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        self._manager = manager
        self._coordinator = coordinator
        self._add = async_add_entities
        self._known: set[str] = set()  # entity keys already added: "ams_1_tray_1"...
        entry.async_on_unload(coordinator.async_add_listener(self.async_check))

    def new_entities(self) -> list[SensorEntity]:
        """The sensors of units and trays the printer reports for the first time."""
        status = self._coordinator.data
        new: list[SensorEntity] = []
        for unit in status.ams.units if status is not None else ():
            for tray in unit.trays:
                if tray.key not in self._known:
                    self._known.add(tray.key)
                    new.append(AmsTraySensor(self._manager, self._coordinator, unit, tray))
            for description in UNIT_SENSORS:
                key = f"{unit.key}_{description.key}"
                if key not in self._known:
                    self._known.add(key)
                    new.append(AmsUnitSensor(self._manager, self._coordinator, unit, description))
        return new

    @callback
    def async_check(self) -> None:
        """On every status push: add what is new."""
        if new := self.new_entities():
            self._add(new, config_subentry_id=self._coordinator.subentry_id)


@callback
def async_setup_ams_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Follow every printer's AMS units (now and for printers added later)."""

    def build(manager: PrintersManager, coordinator: PrinterCoordinator) -> list[SensorEntity]:
        # Units already reported come with the printer's other entities; later ones on a push.
        return AmsEntityTracker(entry, manager, coordinator, async_add_entities).new_entities()

    async_setup_printer_entities(hass, entry, async_add_entities, build)
