"""The "Add printer" subentry flow of the hub, and its reconfiguration.

Printers found on the LAN and not configured yet are offered first: Bambu Lab printers (SSDP;
choosing one prefills its name, model, address and serial) and Klipper printers (Moonraker's
zeroconf announcements, ``moonraker_browser``; choosing one prefills its name, address and
port). "Enter manually" adds a Bambu Lab printer, "Klipper printer" a Klipper one by hand (host,
port, optional Moonraker API key, name and model); with nothing found, these two are a menu. The
connection is tested before the printer is created or changed (a Bambu printer's certificate is
pinned: trust on first use; a Klipper printer must answer, accept the key and not be an
OttoEject, and its Moonraker identity becomes its unique id).

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
from homeassistant.const import CONF_API_KEY, CONF_IP_ADDRESS, CONF_NAME, CONF_PORT
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
from ..farm.orchestration.profiles import default_bed_position, default_macros, klipper_profile
from ..farm.orchestration.topology import BedPosition, ClearingMethod, PrinterMacros
from ..farm.state import FarmState
from ..moonraker_browser import async_discovered_printers
from ..ottoeject.discovery import DiscoveredOttoEject
from ..printers.connection import async_test_connection, error_key
from ..printers.const import (
    BRAND_BAMBU_LAB,
    CONF_ACCESS_CODE,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
    DRIVER_KLIPPER,
)
from ..printers.klipper_connection import KlipperConnectionError, async_test_klipper
from ..printers.klipper_settings import (
    KLIPPER_DEFAULT_PORT,
    KLIPPER_MODELS,
    parse_klipper_model,
    parse_moonraker_api_key,
    parse_moonraker_port,
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
CHOICE_KLIPPER = "klipper"
KLIPPER_CHOICE_PREFIX = "klipper:"
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
    CONF_PORT: "invalid_port",
    CONF_API_KEY: "invalid_api_key",
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
_KLIPPER_MODEL_SELECTOR = SelectSelector(
    SelectSelectorConfig(options=list(KLIPPER_MODELS), mode=SelectSelectorMode.DROPDOWN)
)
_PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
KLIPPER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TextSelector(),
        vol.Required(CONF_MODEL): _KLIPPER_MODEL_SELECTOR,
        vol.Required(CONF_IP_ADDRESS): TextSelector(),
        vol.Required(CONF_PORT, default=KLIPPER_DEFAULT_PORT): _PORT_SELECTOR,
        vol.Optional(CONF_API_KEY): _PASSWORD,
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


def _defaults(model: str, klipper: bool) -> tuple[PrinterMacros, BedPosition]:
    """A model's robot macros and eject position (a Klipper model's from its profile)."""
    if klipper:
        profile = klipper_profile(model)
        return profile.macros, profile.bed
    return default_macros(BRAND_BAMBU_LAB, model), default_bed_position(model)


def _model_defaults(model: str) -> dict[str, Any]:
    """The "robot" section of a model without overrides."""
    return _robot_suggestions(*_defaults(model, False))


def _topology(
    user_input: dict[str, Any],
    ejectors: dict[int, ConfigSubentry],
    model: str,
    suggested_model: str | None,
    current: PrinterSettings | None,
    *,
    klipper: bool = False,
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
    defaults = [_defaults(name, klipper)[0] for name in models]
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
    position = _eject_position(robot, _defaults(model, klipper)[1])
    if position in {_defaults(name, klipper)[1] for name in models}:
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


def _eject_position(robot: dict[str, Any], default: BedPosition) -> BedPosition | None:
    """The section's axis and position (one left empty: the model's), ``None`` if both are."""
    axis = robot.get(CONF_EJECT_AXIS)
    position_mm = robot.get(CONF_EJECT_POSITION_MM)
    if axis is None and position_mm is None:
        return None
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


def _klipper_label(printer: DiscoveredOttoEject) -> str:
    return f"{printer.name} (Klipper, {printer.host}:{printer.port})"


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
        klippers = self._discovered_klippers()
        if user_input is not None:
            choice = user_input[CONF_PRINTER]
            if choice == CHOICE_KLIPPER:
                return await self.async_step_klipper()
            klipper = next((k for k in klippers if KLIPPER_CHOICE_PREFIX + k.key == choice), None)
            if klipper is not None:
                self._prefill = {
                    CONF_NAME: klipper.name,
                    CONF_IP_ADDRESS: klipper.host,
                    CONF_PORT: klipper.port,
                }
                return await self.async_step_klipper()
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
        if not found and not klippers:
            return self.async_show_menu(
                step_id="user", menu_options=[CHOICE_MANUAL, CHOICE_KLIPPER]
            )
        options = [SelectOptionDict(value=p.serial, label=_label(p)) for p in found]
        options += [
            SelectOptionDict(value=KLIPPER_CHOICE_PREFIX + k.key, label=_klipper_label(k))
            for k in klippers
        ]
        options.append(SelectOptionDict(value=CHOICE_MANUAL, label=CHOICE_MANUAL))
        options.append(SelectOptionDict(value=CHOICE_KLIPPER, label=CHOICE_KLIPPER))
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

    async def async_step_klipper(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A Klipper printer: host, port, API key, name and model; tested before it is added."""
        manager = self._manager()
        if manager is None:
            return self.async_abort(reason="hub_not_loaded")
        ejectors = self._ejectors()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = parse_name(user_input[CONF_NAME])
                model = parse_klipper_model(user_input[CONF_MODEL])
                host = parse_ip_address(user_input[CONF_IP_ADDRESS])
                port = parse_moonraker_port(user_input.get(CONF_PORT))
                api_key = parse_moonraker_api_key(user_input.get(CONF_API_KEY))
                topology = _topology(user_input, ejectors, model, None, None, klipper=True)
            except InvalidPrinterError as err:
                _show_error(errors, err)
            else:
                if self._klipper_at(host, port) is not None:
                    return self.async_abort(reason="already_configured")
                try:
                    unique_id = await async_test_klipper(self.hass, host, port, api_key)
                except KlipperConnectionError as err:
                    errors["base"] = err.key
                else:
                    if unique_id is not None and unique_id in manager.configured_serials():
                        return self.async_abort(reason="already_configured")
                    state: FarmState = manager.store.state
                    settings = PrinterSettings(
                        id=state.ids.allocate(DeviceKind.PRINTER),
                        name=name,
                        model=model,
                        ip_address=host,
                        serial_number="",
                        access_code="",
                        brand=klipper_profile(model).brand,
                        driver=DRIVER_KLIPPER,
                        port=port,
                        api_key=api_key,
                        **topology,
                    )
                    manager.store.async_schedule_save()
                    return self.async_create_entry(
                        title=name, data=settings.as_data(), unique_id=unique_id
                    )
        return self.async_show_form(
            step_id="klipper",
            data_schema=self.add_suggested_values_to_schema(
                _with_topology(KLIPPER_SCHEMA, ejectors), user_input or self._prefill
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
        if current.is_klipper:
            return await self.async_step_reconfigure_klipper()
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

    async def async_step_reconfigure_klipper(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A Klipper printer's address, port, key, name, model and topology."""
        subentry = self._get_reconfigure_subentry()
        current = PrinterSettings.from_subentry(subentry)
        ejectors = self._ejectors()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = parse_name(user_input[CONF_NAME])
                model = parse_klipper_model(user_input[CONF_MODEL])
                host = parse_ip_address(user_input[CONF_IP_ADDRESS])
                port = parse_moonraker_port(user_input.get(CONF_PORT))
                api_key = parse_moonraker_api_key(user_input.get(CONF_API_KEY))
                topology = _topology(
                    user_input, ejectors, model, current.model, current, klipper=True
                )
            except InvalidPrinterError as err:
                _show_error(errors, err)
            else:
                other = self._klipper_at(host, port)
                try:
                    if other is not None and other.subentry_id != subentry.subentry_id:
                        raise KlipperConnectionError("already_configured", f"{host}:{port}")
                    await async_test_klipper(self.hass, host, port, api_key)
                except KlipperConnectionError as err:
                    errors["base"] = err.key
                else:
                    settings = current.with_changes(
                        name=name,
                        model=model,
                        brand=klipper_profile(model).brand,
                        ip_address=host,
                        port=port,
                        api_key=api_key,
                        **topology,
                    )
                    return self.async_update_and_abort(
                        self._get_entry(), subentry, title=name, data=settings.as_data()
                    )
        return self.async_show_form(
            step_id="reconfigure_klipper",
            data_schema=self.add_suggested_values_to_schema(
                _with_topology(KLIPPER_SCHEMA, ejectors),
                user_input or _current_klipper_values(current, ejectors),
            ),
            errors=errors,
        )

    def _discovered_klippers(self) -> list[DiscoveredOttoEject]:
        """Klipper printers announced on the network and not configured."""
        return [
            found
            for found in async_discovered_printers(self.hass)
            if self._klipper_at(found.host, found.port) is None
        ]

    def _klipper_at(self, host: str, port: int) -> ConfigSubentry | None:
        """The Klipper printer reached at this address and port, if one is configured."""
        for subentry in self._get_entry().subentries.values():
            if subentry.subentry_type != DeviceKind.PRINTER:
                continue
            settings = PrinterSettings.from_subentry(subentry)
            if settings.is_klipper and (settings.ip_address, settings.port) == (host, port):
                return subentry
        return None

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


def _current_klipper_values(
    current: PrinterSettings, ejectors: dict[int, ConfigSubentry]
) -> dict[str, Any]:
    """The Klipper reconfigure form's suggestions (the API key is never shown)."""
    values = _current_values(current, ejectors)
    values[CONF_PORT] = current.port
    return values
