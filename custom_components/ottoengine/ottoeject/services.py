"""The ``ottoengine.run_macro`` action: run a G-code macro on an OttoEject device."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
import probatio as vol

from ..const import DOMAIN
from ..moonraker import MoonrakerClientError
from ..runtime import OttoRuntime
from .coordinator import OttoEjectCoordinator
from .errors import to_ha_error

SERVICE_RUN_MACRO: Final = "run_macro"
ATTR_MACRO: Final = "macro"
ATTR_PARAMS: Final = "params"

RUN_MACRO_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_MACRO): cv.string,
        vol.Optional(ATTR_PARAMS): vol.Schema({cv.string: vol.Any(str, int, float)}),
    }
)


@callback
def async_setup_ottoeject_services(hass: HomeAssistant) -> None:
    hass.services.async_register(
        DOMAIN,
        SERVICE_RUN_MACRO,
        _async_run_macro,
        schema=RUN_MACRO_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


def _coordinator(call: ServiceCall) -> OttoEjectCoordinator:
    device_id: str = call.data[ATTR_DEVICE_ID]
    device, entry = service.async_get_device_and_config_entry(
        call.hass, DOMAIN, device_id, include_child_devices=False
    )
    runtime: OttoRuntime = entry.runtime_data
    manager = runtime.ottoejects
    coordinator = None
    if manager is not None and device.config_subentry_id is not None:
        coordinator = manager.coordinators.get(device.config_subentry_id)
    if coordinator is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_an_ottoeject",
            translation_placeholders={"device": device.name_by_user or device.name or device_id},
        )
    return coordinator


async def _async_run_macro(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    macro: str = call.data[ATTR_MACRO]
    params: dict[str, Any] | None = call.data.get(ATTR_PARAMS)
    try:
        response = await coordinator.async_run_macro(macro, params)
    except MoonrakerClientError as err:
        raise to_ha_error(err, coordinator.settings.device_name, macro) from err
    return {"moonraker_response": response} if call.return_response else None
