"""Config flow: one OttoEngine farm hub per Home Assistant instance."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.core import callback

from .const import DOMAIN, HUB_TITLE
from .flows.hub_options import HubOptionsFlow
from .flows.ottoeject import OttoEjectSubentryFlow
from .flows.printer import PrinterSubentryFlow
from .flows.rack import RackSubentryFlow
from .subentries import SUBENTRY_OTTOEJECT, SUBENTRY_PRINTER, SUBENTRY_RACK


class OttoEngineConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create the farm hub; printers, OttoEjects and racks are added to it afterwards."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HubOptionsFlow:
        return HubOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Devices of the farm are added to the hub as subentries."""
        return {
            SUBENTRY_PRINTER: PrinterSubentryFlow,
            SUBENTRY_RACK: RackSubentryFlow,
            SUBENTRY_OTTOEJECT: OttoEjectSubentryFlow,
        }

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        # One farm per Home Assistant: the manifest's `single_config_entry` refuses a second.
        if user_input is not None:
            return self.async_create_entry(title=HUB_TITLE, data={})
        return self.async_show_form(step_id="user")
