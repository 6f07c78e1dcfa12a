"""Actions of the OttoEngine integration (registered once, in ``async_setup``)."""

from __future__ import annotations

from typing import Final

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import service
from homeassistant.helpers.entity import Entity
import probatio as vol

from .const import DOMAIN
from .farm.racks import ShelfState
from .orchestrator.services import async_setup_orchestrator_services
from .ottoeject.services import async_setup_ottoeject_services
from .printers.action_services import async_setup_printer_action_services
from .printers.services import async_setup_printer_services
from .racks.entities import ShelfSensor

SERVICE_SET_SHELF_STATE: Final = "set_shelf_state"
ATTR_STATE: Final = "state"
ATTR_PRINT_JOB_ID: Final = "print_job_id"


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_SET_SHELF_STATE,
        entity_domain=SENSOR_DOMAIN,
        schema={
            vol.Required(ATTR_STATE): vol.In([state.value for state in ShelfState]),
            vol.Optional(ATTR_PRINT_JOB_ID): vol.All(vol.Coerce(int), vol.Range(min=1)),
        },
        func=_async_set_shelf_state,
    )
    async_setup_ottoeject_services(hass)
    async_setup_printer_services(hass)
    async_setup_printer_action_services(hass)
    async_setup_orchestrator_services(hass)


async def _async_set_shelf_state(entity: Entity, call: ServiceCall) -> None:
    if not isinstance(entity, ShelfSensor):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_shelf",
            translation_placeholders={"entity_id": entity.entity_id},
        )
    entity.async_set_shelf_state(
        ShelfState(call.data[ATTR_STATE]), call.data.get(ATTR_PRINT_JOB_ID)
    )
    # The action returns only once the shelf's state is saved.
    if not await entity.runtime.async_commit():
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="state_not_saved")
