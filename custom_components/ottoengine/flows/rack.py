"""The "Add rack" subentry flow of the hub, and its reconfiguration.

The form offers the OttoEject that serves the rack only while the farm has more than one
(otherwise the only one serves it); a reconfigured rack keeps its OttoEject while that exists.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
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
    CONF_OTTOEJECT_ID,
    CONF_SHELF_SPACING_MM,
    RackSettings,
    name_in_use,
    parse_ottoeject_id,
)
from ..runtime import OttoRuntime
from ..subentries import SUBENTRY_OTTOEJECT, DeviceKind, subentries_by_id
from . import loaded_runtime

_ERRORS = {
    CONF_NAME: "invalid_name",
    CONF_NUMBER_OF_SHELVES: "invalid_number_of_shelves",
    CONF_SHELF_SPACING_MM: "invalid_shelf_spacing",
    CONF_BED_SIZE: "invalid_bed_size",
    CONF_OTTOEJECT_ID: "invalid_ottoeject",
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


def _schema(ejectors: dict[int, ConfigSubentry]) -> vol.Schema:
    """The rack's settings, plus its OttoEject when the farm has more than one."""
    if len(ejectors) <= 1:
        return SCHEMA
    options = [
        SelectOptionDict(value=str(ejector_id), label=subentry.title)
        for ejector_id, subentry in sorted(ejectors.items())
    ]
    return SCHEMA.extend(
        {
            vol.Optional(CONF_OTTOEJECT_ID): SelectSelector(
                SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
            )
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
            values = self._validate(user_input, errors, current=None)
            if values is not None:
                settings = RackSettings(runtime.state.ids.allocate(DeviceKind.RACK), *values)
                runtime.async_state_changed()
                return self.async_create_entry(
                    title=settings.name, data=settings.as_data(), unique_id=str(settings.id)
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_schema(self._ejectors()), user_input),
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
            values = self._validate(user_input, errors, current=current)
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
        ejectors = self._ejectors()
        suggested = current.as_data()
        del suggested[CONF_OTTOEJECT_ID]
        if current.ottoeject_id in ejectors:
            suggested[CONF_OTTOEJECT_ID] = str(current.ottoeject_id)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _schema(ejectors), user_input or suggested
            ),
            errors=errors,
        )

    def _runtime(self) -> OttoRuntime | None:
        return loaded_runtime(self._get_entry())

    def _ejectors(self) -> dict[int, ConfigSubentry]:
        return subentries_by_id(self._get_entry(), SUBENTRY_OTTOEJECT)

    def _validate(
        self, user_input: dict[str, Any], errors: dict[str, str], *, current: RackSettings | None
    ) -> tuple[str, int, float, str, int | None] | None:
        ejectors = self._ejectors()
        try:
            name = parse_name(user_input[CONF_NAME])
            count = user_input[CONF_NUMBER_OF_SHELVES]
            shelves = parse_shelf_count(int(count) if float(count).is_integer() else count)
            spacing = parse_spacing(user_input[CONF_SHELF_SPACING_MM])
            bed_size = parse_bed_size(user_input[CONF_BED_SIZE])
            if CONF_OTTOEJECT_ID in user_input:
                ottoeject_id = parse_ottoeject_id(int(user_input[CONF_OTTOEJECT_ID]), ejectors)
            elif len(ejectors) > 1 or current is None or current.ottoeject_id not in ejectors:
                ottoeject_id = None
            else:  # the field is not shown: the rack keeps its OttoEject
                ottoeject_id = current.ottoeject_id
        except InvalidRackError as err:
            errors[err.field] = _ERRORS[err.field]
            return None
        if name_in_use(self._get_entry(), name, except_id=current.id if current else None):
            errors[CONF_NAME] = "name_in_use"
            return None
        return name, shelves, spacing, bed_size, ottoeject_id
