"""OttoEject entities: status, current macro and last macro result sensors; home, park and
emergency stop buttons. One device per OttoEject, under the hub device.

The shared platform modules (``sensor.py``, ``button.py``) call ``async_setup_sensors`` /
``async_setup_buttons``; entities of OttoEjects added later are added on the manager's signal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..entity import OttoCoordinatorEntity, async_follow_devices, farm_device_info
from ..moonraker import EjectorStatus, MacroAckTimeout, MoonrakerClientError
from ..runtime import OttoConfigEntry
from ..subentries import DeviceKind
from .coordinator import MacroOutcome, OttoEjectCoordinator, OttoEjectData
from .errors import to_ha_error
from .settings import MODEL

_LOGGER = logging.getLogger(__name__)

MACRO_HOME = "OTTOEJECT_HOME"
MACRO_PARK = "PARK_OTTOEJECT"
STATUS_OPTIONS = [status.value.lower() for status in EjectorStatus]


class OttoEjectEntity(OttoCoordinatorEntity[OttoEjectCoordinator]):
    """An entity of one OttoEject; unavailable while the robot is OFFLINE."""

    def __init__(self, coordinator: OttoEjectCoordinator, key: str) -> None:
        super().__init__(coordinator)
        entry = coordinator.config_entry
        settings = coordinator.settings
        self._attr_unique_id = f"{entry.entry_id}_ottoeject_{settings.id}_{key}"
        self._attr_device_info = farm_device_info(
            entry.entry_id,
            entry.runtime_data.hub_device_id,
            DeviceKind.OTTOEJECT,
            settings.id,
            name=settings.device_name,
            model=MODEL,
        )

    @property
    def available(self) -> bool:
        return super().available and self.coordinator.data.status is not EjectorStatus.OFFLINE


# -- sensors -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class OttoEjectSensorDescription(SensorEntityDescription):
    value_fn: Callable[[OttoEjectData], str | None]
    attributes_fn: Callable[[OttoEjectData], dict[str, Any]] = lambda _: {}


def _result_attributes(data: OttoEjectData) -> dict[str, Any]:
    result = data.last_result
    if result is None:
        return {}
    return {"macro": result.macro, "message": result.message, "finished_at": result.at}


SENSORS: tuple[OttoEjectSensorDescription, ...] = (
    OttoEjectSensorDescription(
        key="status",
        translation_key="ottoeject_status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=lambda data: data.status.value.lower(),
        attributes_fn=lambda data: {
            "klippy_state": data.snapshot.klippy_state,
            "state_message": data.snapshot.state_message,
        },
    ),
    OttoEjectSensorDescription(
        key="current_macro",
        translation_key="ottoeject_current_macro",
        value_fn=lambda data: data.current_macro,
    ),
    OttoEjectSensorDescription(
        key="last_macro_result",
        translation_key="ottoeject_last_macro_result",
        device_class=SensorDeviceClass.ENUM,
        options=[outcome.value for outcome in MacroOutcome],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.last_result.outcome.value if data.last_result else None,
        attributes_fn=_result_attributes,
    ),
)


class OttoEjectSensor(OttoEjectEntity, SensorEntity):
    entity_description: OttoEjectSensorDescription

    def __init__(
        self, coordinator: OttoEjectCoordinator, description: OttoEjectSensorDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> str | None:
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        return self.entity_description.attributes_fn(self.coordinator.data)


# -- buttons -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class OttoEjectButtonDescription(ButtonEntityDescription):
    press_fn: Callable[[OttoEjectCoordinator], Awaitable[object]]
    action: str


BUTTONS: tuple[OttoEjectButtonDescription, ...] = (
    OttoEjectButtonDescription(
        key="home",
        translation_key="ottoeject_home",
        action=MACRO_HOME,
        press_fn=lambda coordinator: coordinator.async_run_macro(MACRO_HOME),
    ),
    OttoEjectButtonDescription(
        key="park",
        translation_key="ottoeject_park",
        action=MACRO_PARK,
        press_fn=lambda coordinator: coordinator.async_run_macro(MACRO_PARK),
    ),
    OttoEjectButtonDescription(
        key="emergency_stop",
        translation_key="ottoeject_emergency_stop",
        action="emergency_stop",
        press_fn=lambda coordinator: coordinator.async_emergency_stop(),
    ),
)


class OttoEjectButton(OttoEjectEntity, ButtonEntity):
    entity_description: OttoEjectButtonDescription

    def __init__(
        self, coordinator: OttoEjectCoordinator, description: OttoEjectButtonDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        name = self.coordinator.settings.device_name
        try:
            await self.entity_description.press_fn(self.coordinator)
        except MacroAckTimeout:
            # The macro keeps running; the status sensor shows EJECTING until it ends.
            _LOGGER.info(
                "OttoEject %s: %s still running after the acknowledgement timeout",
                name,
                self.entity_description.action,
            )
        except MoonrakerClientError as err:
            raise to_ha_error(err, name, self.entity_description.action) from err


# -- platform setup ------------------------------------------------------------------------------
@callback
def _async_follow_ottoejects(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[OttoEjectCoordinator], list[Entity]],
) -> None:
    """Add entities for every OttoEject now and for those added later."""
    manager = entry.runtime_data.ottoejects
    async_follow_devices(
        hass,
        entry,
        DeviceKind.OTTOEJECT,
        async_add_entities,
        devices=lambda: {c.subentry_id: c for c in manager.sorted()},
        build=build,
    )


async def async_setup_sensors(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _async_follow_ottoejects(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: [OttoEjectSensor(coordinator, d) for d in SENSORS],
    )


async def async_setup_buttons(
    hass: HomeAssistant, entry: OttoConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    _async_follow_ottoejects(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: [OttoEjectButton(coordinator, d) for d in BUTTONS],
    )
