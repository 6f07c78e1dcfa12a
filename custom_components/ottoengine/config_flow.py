"""Config flow: one OttoEngine farm hub per Home Assistant instance."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .const import DOMAIN, HUB_TITLE


class OttoEngineConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create the farm hub; printers, OttoEjects and racks are added to it afterwards."""

    VERSION = 1
    MINOR_VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(title=HUB_TITLE, data={})
        return self.async_show_form(step_id="user")
