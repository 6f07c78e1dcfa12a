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
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .const import DOMAIN, HUB_TITLE
from .flows.hub_options import HubOptionsFlow
from .flows.ottoeject import OttoEjectSubentryFlow
from .flows.printer import PrinterSubentryFlow
from .flows.rack import RackSubentryFlow
from .ottoeject.discovery import async_configured_or_moved, async_record, from_zeroconf
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
        # One farm per Home Assistant (not `single_config_entry`: that would drop the OttoEject
        # announcements below before they reach this flow).
        if self._async_current_entries(include_ignore=False):
            return self.async_abort(reason="single_instance_allowed")
        if user_input is not None:
            return self.async_create_entry(title=HUB_TITLE, data={})
        return self.async_show_form(step_id="user")

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A Moonraker (OttoEject) announced itself.

        Subentry flows cannot be started by discovery: the robot is recorded and offered by the
        hub's "Add OttoEject" flow. Without a hub yet, this offers to create it.
        """
        found = from_zeroconf(discovery_info)
        if await async_configured_or_moved(self.hass, found):
            return self.async_abort(reason="ottoeject_already_configured")
        async_record(self.hass, found)
        if self._async_current_entries(include_ignore=False):
            return self.async_abort(
                reason="ottoeject_discovered", description_placeholders={"name": found.label}
            )
        await self.async_set_unique_id(DOMAIN)
        self._abort_if_unique_id_configured()
        self.context["title_placeholders"] = {"name": found.name}
        return await self.async_step_user()
