"""The "Add printer" subentry flow of the hub, and its reconfiguration.

Printers found on the LAN (SSDP) and not configured yet are offered first; choosing one
prefills its name, model, address and serial. The connection is tested before the printer is
created (and its certificate pinned: trust on first use) or changed.

The same form sets the printer's place in the farm: the OttoEject that serves it (offered only
while the farm has more than one; otherwise the only one serves it), how it is cleared, its
nozzle and, in the collapsed "robot" section, the robot's macros and the bed's eject position.
The section suggests the defaults of the model (the discovered or configured one); a value
equal to the default of the model shown or chosen is stored as "no override", so that a model
change brings the new model's defaults. Macro parameters are set over REST only. Home
Assistant shows the errors of a section's fields at the section.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_IP_ADDRESS, CONF_NAME
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ..bambu import BambuError, DiscoveredPrinter
from ..bambu.models import normalize_model
from ..farm.orchestration.profiles import default_bed_position, default_macros
from ..farm.orchestration.topology import BedPosition, ClearingMethod, PrinterMacros
from ..farm.state import FarmState
from ..printers.connection import async_test_connection, error_key
from ..printers.const import (
    BRAND_BAMBU_LAB,
    CONF_ACCESS_CODE,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
)
from ..printers.manager import PrintersManager
from ..printers.settings import (
    CONF_CLEARING_METHOD,
    CONF_CLOSE_DOOR_MACRO,
    CONF_EJECT_MACRO,
    CONF_EJECT_POSITION,
    CONF_LOAD_MACRO,
    CONF_NOZZLE_DIAMETER,
    CONF_OTTOEJECT_ID,
    EJECT_AXES,
    MAX_EJECT_POSITION_MM,
    MAX_NOZZLE_DIAMETER_MM,
    MIN_EJECT_POSITION_MM,
    MIN_NOZZLE_DIAMETER_MM,
    MODELS,
    InvalidPrinterError,
    PrinterSettings,
    parse_access_code,
    parse_clearing_method,
    parse_close_door_macro,
    parse_eject_macro,
    parse_eject_position,
    parse_ip_address,
    parse_load_macro,
    parse_model,
    parse_name,
    parse_nozzle_diameter,
    parse_ottoeject_id,
    parse_serial,
)
from ..subentries import SUBENTRY_OTTOEJECT, DeviceKind, subentries_by_id
from . import loaded_runtime

CONF_PRINTER = "printer"
CHOICE_MANUAL = "manual"
SECTION_ROBOT = "robot"
CONF_EJECT_AXIS = "eject_axis"
CONF_EJECT_POSITION_MM = "eject_position_mm"
# Entered as the close-door macro: the printer has no door to close (an empty field means
# the model's default).
NO_DOOR = "-"

_ERRORS = {
    CONF_NAME: "invalid_name",
    CONF_MODEL: "invalid_model",
    CONF_IP_ADDRESS: "invalid_ip_address",
    CONF_SERIAL_NUMBER: "invalid_serial",
    CONF_ACCESS_CODE: "invalid_access_code",
    CONF_OTTOEJECT_ID: "invalid_ottoeject",
    CONF_CLEARING_METHOD: "invalid_clearing_method",
    CONF_NOZZLE_DIAMETER: "invalid_nozzle_diameter",
    CONF_EJECT_MACRO: "invalid_eject_macro",
    CONF_LOAD_MACRO: "invalid_load_macro",
    CONF_CLOSE_DOOR_MACRO: "invalid_close_door_macro",
    CONF_EJECT_POSITION: "invalid_eject_position",
}
# Settings entered in the "robot" section: their errors are shown at the section.
_ROBOT_FIELDS = frozenset(
    {CONF_EJECT_MACRO, CONF_LOAD_MACRO, CONF_CLOSE_DOOR_MACRO, CONF_EJECT_POSITION}
)

_MODEL_SELECTOR = SelectSelector(
    SelectSelectorConfig(options=list(MODELS), mode=SelectSelectorMode.DROPDOWN)
)
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))

_CLEARING_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[method.value for method in ClearingMethod],
        mode=SelectSelectorMode.LIST,
        translation_key="clearing_method",
    )
)
_NOZZLE_SELECTOR = NumberSelector(
    NumberSelectorConfig(
        min=MIN_NOZZLE_DIAMETER_MM,
        max=MAX_NOZZLE_DIAMETER_MM,
        step=0.05,
        unit_of_measurement="mm",
        mode=NumberSelectorMode.BOX,
    )
)
ROBOT_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_EJECT_MACRO): TextSelector(),
        vol.Optional(CONF_LOAD_MACRO): TextSelector(),
        vol.Optional(CONF_CLOSE_DOOR_MACRO): TextSelector(),
        vol.Optional(CONF_EJECT_AXIS): SelectSelector(
            SelectSelectorConfig(options=list(EJECT_AXES), mode=SelectSelectorMode.DROPDOWN)
        ),
        vol.Optional(CONF_EJECT_POSITION_MM): NumberSelector(
            NumberSelectorConfig(
                min=MIN_EJECT_POSITION_MM,
                max=MAX_EJECT_POSITION_MM,
                step=0.1,
                unit_of_measurement="mm",
                mode=NumberSelectorMode.BOX,
            )
        ),
    }
)
ADD_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_MODEL): _MODEL_SELECTOR,
        vol.Required(CONF_IP_ADDRESS): TextSelector(),
        vol.Required(CONF_SERIAL_NUMBER): TextSelector(),
        vol.Required(CONF_ACCESS_CODE): _PASSWORD,
    }
)
RECONFIGURE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_MODEL): _MODEL_SELECTOR,
        vol.Required(CONF_IP_ADDRESS): TextSelector(),
        vol.Required(CONF_ACCESS_CODE): _PASSWORD,
    }
)


def _with_topology(schema: vol.Schema, ejectors: dict[int, ConfigSubentry]) -> vol.Schema:
    """The form's connection fields plus the topology (an OttoEject only if there are 2+)."""
    fields: dict[Any, Any] = {}
    if len(ejectors) > 1:
        options = [
            SelectOptionDict(value=str(ejector_id), label=subentry.title)
            for ejector_id, subentry in sorted(ejectors.items())
        ]
        fields[vol.Optional(CONF_OTTOEJECT_ID)] = SelectSelector(
            SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
        )
    fields[vol.Required(CONF_CLEARING_METHOD, default=ClearingMethod.OTTOEJECT.value)] = (
        _CLEARING_SELECTOR
    )
    fields[vol.Optional(CONF_NOZZLE_DIAMETER)] = _NOZZLE_SELECTOR
    fields[vol.Optional(SECTION_ROBOT)] = section(ROBOT_SCHEMA, {"collapsed": True})
    return schema.extend(fields)


def _robot_suggestions(
    macros: PrinterMacros, bed: BedPosition, *, no_door: bool = False
) -> dict[str, Any]:
    """The "robot" section showing these macros and eject position."""
    suggested: dict[str, Any] = {
        CONF_EJECT_MACRO: macros.eject,
        CONF_LOAD_MACRO: macros.load,
        CONF_EJECT_AXIS: bed.axis,
        CONF_EJECT_POSITION_MM: bed.position_mm,
    }
    if no_door:
        suggested[CONF_CLOSE_DOOR_MACRO] = NO_DOOR
    elif macros.close_door is not None:
        suggested[CONF_CLOSE_DOOR_MACRO] = macros.close_door
    return suggested


def _model_defaults(model: str) -> dict[str, Any]:
    """The "robot" section of a model without overrides."""
    return _robot_suggestions(default_macros(BRAND_BAMBU_LAB, model), default_bed_position(model))


def _topology(
    user_input: dict[str, Any],
    ejectors: dict[int, ConfigSubentry],
    model: str,
    suggested_model: str | None,
    current: PrinterSettings | None,
) -> dict[str, Any]:
    """The topology settings of a submitted form; raises ``InvalidPrinterError``.

    A macro or eject position equal to the default of the chosen model or of the model whose
    defaults were suggested is no override. Without the OttoEject field (the farm has at most
    one), a reconfigured printer keeps its OttoEject while that exists.
    """
    if CONF_OTTOEJECT_ID in user_input:
        ottoeject_id = parse_ottoeject_id(int(user_input[CONF_OTTOEJECT_ID]), ejectors)
    elif len(ejectors) > 1 or current is None or current.ottoeject_id not in ejectors:
        ottoeject_id = None
    else:
        ottoeject_id = current.ottoeject_id
    models = {model} if suggested_model is None else {model, suggested_model}
    robot: dict[str, Any] = user_input.get(SECTION_ROBOT) or {}
    defaults = [default_macros(BRAND_BAMBU_LAB, name) for name in models]
    eject = parse_eject_macro(robot.get(CONF_EJECT_MACRO))
    load = parse_load_macro(robot.get(CONF_LOAD_MACRO))
    door_input = robot.get(CONF_CLOSE_DOOR_MACRO)
    door = parse_close_door_macro("" if door_input == NO_DOOR else door_input)
    if eject in {default.eject for default in defaults}:
        eject = None
    if load in {default.load for default in defaults}:
        load = None
    if (door or None) in {default.close_door for default in defaults}:
        door = None
    position = _eject_position(robot, model)
    if position in {default_bed_position(name) for name in models}:
        position = None
    return {
        CONF_OTTOEJECT_ID: ottoeject_id,
        CONF_CLEARING_METHOD: parse_clearing_method(user_input.get(CONF_CLEARING_METHOD)),
        CONF_NOZZLE_DIAMETER: parse_nozzle_diameter(user_input.get(CONF_NOZZLE_DIAMETER)),
        CONF_EJECT_MACRO: eject,
        CONF_LOAD_MACRO: load,
        CONF_CLOSE_DOOR_MACRO: door,
        CONF_EJECT_POSITION: position,
    }


def _eject_position(robot: dict[str, Any], model: str) -> BedPosition | None:
    """The section's axis and position (one left empty: the model's), ``None`` if both are."""
    axis = robot.get(CONF_EJECT_AXIS)
    position_mm = robot.get(CONF_EJECT_POSITION_MM)
    if axis is None and position_mm is None:
        return None
    default = default_bed_position(model)
    return parse_eject_position(
        {
            "axis": default.axis if axis is None else axis,
            "position_mm": default.position_mm if position_mm is None else position_mm,
        }
    )


def _show_error(errors: dict[str, str], err: InvalidPrinterError) -> None:
    errors[SECTION_ROBOT if err.field in _ROBOT_FIELDS else err.field] = _ERRORS[err.field]


def _label(printer: DiscoveredPrinter) -> str:
    details = ", ".join(part for part in (printer.model, printer.ip_address) if part)
    return f"{printer.name or printer.serial} ({details})"


class PrinterSubentryFlow(ConfigSubentryFlow):
    """Add a Bambu Lab printer (found on the LAN or entered by hand) or change one."""

    _prefill: dict[str, Any] | None = None
    # The model whose defaults the "robot" section suggested (a discovered printer's).
    _suggested_model: str | None = None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        manager = self._manager()
        if manager is None:
            return self.async_abort(reason="hub_not_loaded")
        found = await manager.async_discovered()
        if user_input is not None:
            choice = user_input[CONF_PRINTER]
            printer = next((p for p in found if p.serial == choice), None)
            if printer is not None:
                self._prefill = {
                    CONF_NAME: printer.name or printer.serial,
                    CONF_MODEL: printer.model,
                    CONF_IP_ADDRESS: printer.ip_address,
                    CONF_SERIAL_NUMBER: printer.serial,
                }
                self._suggested_model = normalize_model(printer.model)
                if self._suggested_model is not None:
                    self._prefill[SECTION_ROBOT] = _model_defaults(self._suggested_model)
            return await self.async_step_manual()
        if not found:
            return await self.async_step_manual()
        options = [SelectOptionDict(value=p.serial, label=_label(p)) for p in found]
        options.append(SelectOptionDict(value=CHOICE_MANUAL, label=CHOICE_MANUAL))
        schema = vol.Schema(
            {
                vol.Required(CONF_PRINTER): SelectSelector(
                    SelectSelectorConfig(
                        options=options,
                        mode=SelectSelectorMode.LIST,
                        translation_key="printer_choice",
                    )
                )
            }
        )
        return self.async_show_form(step_id="user", data_schema=schema)

    async def async_step_manual(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        manager = self._manager()
        if manager is None:
            return self.async_abort(reason="hub_not_loaded")
        ejectors = self._ejectors()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = parse_name(user_input[CONF_NAME])
                model = parse_model(user_input[CONF_MODEL])
                host = parse_ip_address(user_input[CONF_IP_ADDRESS])
                serial = parse_serial(user_input[CONF_SERIAL_NUMBER])
                access_code = parse_access_code(user_input[CONF_ACCESS_CODE])
                topology = _topology(user_input, ejectors, model, self._suggested_model, None)
            except InvalidPrinterError as err:
                _show_error(errors, err)
            else:
                if serial in manager.configured_serials():
                    return self.async_abort(reason="already_configured")
                try:
                    fingerprint = await async_test_connection(
                        host, serial, access_code, model=model
                    )
                except BambuError as err:
                    errors["base"] = error_key(err)
                else:
                    state: FarmState = manager.store.state
                    settings = PrinterSettings(
                        id=state.ids.allocate(DeviceKind.PRINTER),
                        name=name,
                        model=model,
                        ip_address=host,
                        serial_number=serial,
                        access_code=access_code,
                        fingerprint=fingerprint or None,
                        **topology,
                    )
                    manager.store.async_schedule_save()
                    return self.async_create_entry(
                        title=name, data=settings.as_data(), unique_id=serial
                    )
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(
                _with_topology(ADD_SCHEMA, ejectors), user_input or self._prefill
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        if self._manager() is None:
            return self.async_abort(reason="hub_not_loaded")
        subentry = self._get_reconfigure_subentry()
        current = PrinterSettings.from_subentry(subentry)
        ejectors = self._ejectors()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = parse_name(user_input[CONF_NAME])
                model = parse_model(user_input[CONF_MODEL])
                host = parse_ip_address(user_input[CONF_IP_ADDRESS])
                access_code = parse_access_code(user_input[CONF_ACCESS_CODE])
                topology = _topology(user_input, ejectors, model, current.model, current)
            except InvalidPrinterError as err:
                _show_error(errors, err)
            else:
                try:
                    fingerprint = await async_test_connection(
                        host,
                        current.serial_number,
                        access_code,
                        model=model,
                        fingerprint=current.fingerprint,
                    )
                except BambuError as err:
                    errors["base"] = error_key(err)
                else:
                    settings = current.with_changes(
                        name=name,
                        model=model,
                        ip_address=host,
                        access_code=access_code,
                        fingerprint=current.fingerprint or fingerprint or None,
                        **topology,
                    )
                    return self.async_update_and_abort(
                        self._get_entry(), subentry, title=name, data=settings.as_data()
                    )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _with_topology(RECONFIGURE_SCHEMA, ejectors),
                user_input or _current_values(current, ejectors),
            ),
            errors=errors,
            description_placeholders={"serial_number": current.serial_number},
        )

    def _manager(self) -> PrintersManager | None:
        runtime = loaded_runtime(self._get_entry())
        return runtime.printers if runtime is not None else None

    def _ejectors(self) -> dict[int, ConfigSubentry]:
        return subentries_by_id(self._get_entry(), SUBENTRY_OTTOEJECT)


def _current_values(
    current: PrinterSettings, ejectors: dict[int, ConfigSubentry]
) -> dict[str, Any]:
    """The reconfigure form's suggestions: the printer as configured (no access code)."""
    values: dict[str, Any] = {
        CONF_NAME: current.name,
        CONF_MODEL: current.model,
        CONF_IP_ADDRESS: current.ip_address,
        CONF_CLEARING_METHOD: current.clearing_method.value,
        SECTION_ROBOT: _robot_suggestions(
            current.macros(), current.bed_position(), no_door=current.close_door_macro == ""
        ),
    }
    if current.ottoeject_id in ejectors:
        values[CONF_OTTOEJECT_ID] = str(current.ottoeject_id)
    if current.nozzle_diameter_mm is not None:
        values[CONF_NOZZLE_DIAMETER] = current.nozzle_diameter_mm
    return values
