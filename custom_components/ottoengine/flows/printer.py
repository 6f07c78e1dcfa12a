"""The "Add printer" subentry flow of the hub, and its reconfiguration.

Printers found on the LAN (SSDP) and not configured yet are offered first; choosing one
prefills its name, model, address and serial. The connection is tested before the printer is
created (and its certificate pinned: trust on first use) or changed.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_IP_ADDRESS, CONF_NAME
from homeassistant.helpers.selector import (
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
from ..farm.state import FarmState
from ..printers.connection import async_test_connection, error_key
from ..printers.const import (
    CONF_ACCESS_CODE,
    CONF_MODEL,
    CONF_SERIAL_NUMBER,
)
from ..printers.manager import PrintersManager
from ..printers.settings import (
    MODELS,
    InvalidPrinterError,
    PrinterSettings,
    parse_access_code,
    parse_ip_address,
    parse_model,
    parse_name,
    parse_serial,
)
from ..subentries import DeviceKind
from . import loaded_runtime

CONF_PRINTER = "printer"
CHOICE_MANUAL = "manual"

_ERRORS = {
    CONF_NAME: "invalid_name",
    CONF_MODEL: "invalid_model",
    CONF_IP_ADDRESS: "invalid_ip_address",
    CONF_SERIAL_NUMBER: "invalid_serial",
    CONF_ACCESS_CODE: "invalid_access_code",
}

_MODEL_SELECTOR = SelectSelector(
    SelectSelectorConfig(options=list(MODELS), mode=SelectSelectorMode.DROPDOWN)
)
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))

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


def _label(printer: DiscoveredPrinter) -> str:
    details = ", ".join(part for part in (printer.model, printer.ip_address) if part)
    return f"{printer.name or printer.serial} ({details})"


class PrinterSubentryFlow(ConfigSubentryFlow):
    """Add a Bambu Lab printer (found on the LAN or entered by hand) or change one."""

    _prefill: dict[str, Any] | None = None

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
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = parse_name(user_input[CONF_NAME])
                model = parse_model(user_input[CONF_MODEL])
                host = parse_ip_address(user_input[CONF_IP_ADDRESS])
                serial = parse_serial(user_input[CONF_SERIAL_NUMBER])
                access_code = parse_access_code(user_input[CONF_ACCESS_CODE])
            except InvalidPrinterError as err:
                errors[err.field] = _ERRORS[err.field]
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
                    )
                    manager.store.async_schedule_save()
                    return self.async_create_entry(
                        title=name, data=settings.as_data(), unique_id=serial
                    )
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(
                ADD_SCHEMA, user_input or self._prefill
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
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = parse_name(user_input[CONF_NAME])
                model = parse_model(user_input[CONF_MODEL])
                host = parse_ip_address(user_input[CONF_IP_ADDRESS])
                access_code = parse_access_code(user_input[CONF_ACCESS_CODE])
            except InvalidPrinterError as err:
                errors[err.field] = _ERRORS[err.field]
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
                    )
                    return self.async_update_and_abort(
                        self._get_entry(), subentry, title=name, data=settings.as_data()
                    )
        suggested = user_input or {
            CONF_NAME: current.name,
            CONF_MODEL: current.model,
            CONF_IP_ADDRESS: current.ip_address,
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"serial_number": current.serial_number},
        )

    def _manager(self) -> PrintersManager | None:
        runtime = loaded_runtime(self._get_entry())
        return runtime.printers if runtime is not None else None
