"""The "Add rack" subentry flow of the hub, and its reconfiguration."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import probatio as vol

from ..farm.racks import (
    DEFAULT_BED_SIZE,
    DEFAULT_SHELF_SPACING_MM,
    DEFAULT_SHELVES,
    MAX_SHELF_SPACING_MM,
    MAX_SHELVES,
    MIN_SHELVES,
    InvalidRackError,
    ShelfState,
    parse_bed_size,
    parse_name,
    parse_shelf_count,
    parse_spacing,
)
from ..racks.settings import (
    CONF_BED_SIZE,
    CONF_NUMBER_OF_SHELVES,
    CONF_SHELF_SPACING_MM,
    RackSettings,
    name_in_use,
)
from ..runtime import OttoRuntime
from ..subentries import DeviceKind
from . import loaded_runtime

_ERRORS = {
    CONF_NAME: "invalid_name",
    CONF_NUMBER_OF_SHELVES: "invalid_number_of_shelves",
    CONF_SHELF_SPACING_MM: "invalid_shelf_spacing",
    CONF_BED_SIZE: "invalid_bed_size",
}

SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_NUMBER_OF_SHELVES, default=DEFAULT_SHELVES): NumberSelector(
            NumberSelectorConfig(
                min=MIN_SHELVES, max=MAX_SHELVES, step=1, mode=NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_SHELF_SPACING_MM, default=DEFAULT_SHELF_SPACING_MM): NumberSelector(
            NumberSelectorConfig(
                min=0.1,
                max=MAX_SHELF_SPACING_MM,
                step=0.1,
                unit_of_measurement="mm",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Required(CONF_BED_SIZE, default=DEFAULT_BED_SIZE): TextSelector(),
    }
)


class RackSubentryFlow(ConfigSubentryFlow):
    """Add a rack (name, shelves, spacing, bed size) or change one."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        runtime = self._runtime()
        if runtime is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            values = self._validate(user_input, errors, rack_id=None)
            if values is not None:
                settings = RackSettings(runtime.state.ids.allocate(DeviceKind.RACK), *values)
                runtime.async_state_changed()
                return self.async_create_entry(
                    title=settings.name, data=settings.as_data(), unique_id=str(settings.id)
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        runtime = self._runtime()
        if runtime is None:
            return self.async_abort(reason="hub_not_loaded")
        subentry = self._get_reconfigure_subentry()
        current = RackSettings.from_subentry(subentry)
        errors: dict[str, str] = {}
        if user_input is not None:
            values = self._validate(user_input, errors, rack_id=current.id)
            if values is not None:
                settings = RackSettings(current.id, *values)
                rack = runtime.state.racks.get(current.id)
                if rack is not None and any(
                    shelf.state is not ShelfState.NO_PLATE
                    for shelf in rack.shelves[settings.number_of_shelves :]
                ):
                    errors[CONF_NUMBER_OF_SHELVES] = "shelves_hold_plates"
                else:
                    return self.async_update_and_abort(
                        self._get_entry(), subentry, title=settings.name, data=settings.as_data()
                    )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                SCHEMA, user_input or current.as_data()
            ),
            errors=errors,
        )

    def _runtime(self) -> OttoRuntime | None:
        return loaded_runtime(self._get_entry())

    def _validate(
        self, user_input: dict[str, Any], errors: dict[str, str], *, rack_id: int | None
    ) -> tuple[str, int, float, str] | None:
        try:
            name = parse_name(user_input[CONF_NAME])
            count = user_input[CONF_NUMBER_OF_SHELVES]
            shelves = parse_shelf_count(int(count) if float(count).is_integer() else count)
            spacing = parse_spacing(user_input[CONF_SHELF_SPACING_MM])
            bed_size = parse_bed_size(user_input[CONF_BED_SIZE])
        except InvalidRackError as err:
            errors[err.field] = _ERRORS[err.field]
            return None
        if name_in_use(self._get_entry(), name, except_id=rack_id):
            errors[CONF_NAME] = "name_in_use"
            return None
        return name, shelves, spacing, bed_size
