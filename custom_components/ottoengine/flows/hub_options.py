"""The hub's options: the upload size limit and the OttoEjects' default acknowledgement timeout.

Both are read when they are used, so a change applies at once without reloading the hub.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import probatio as vol

from ..const import CONF_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES
from ..moonraker.client import DEFAULT_ACK_TIMEOUT
from ..ottoeject.settings import CONF_MACRO_ACK_TIMEOUT

MIB = 1024 * 1024
CONF_MAX_UPLOAD_MIB = "max_upload_mib"
MAX_UPLOAD_MIB_RANGE = (1, 64 * 1024)  # 1 MiB … 64 GiB
ACK_TIMEOUT_RANGE = (1.0, 600.0)


class HubOptionsFlow(OptionsFlow):
    """Edit the farm-wide settings of the OttoEngine hub."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        options = self.config_entry.options
        if user_input is not None:
            return self.async_create_entry(
                data={
                    **options,
                    CONF_MAX_UPLOAD_BYTES: int(user_input[CONF_MAX_UPLOAD_MIB]) * MIB,
                    CONF_MACRO_ACK_TIMEOUT: float(user_input[CONF_MACRO_ACK_TIMEOUT]),
                }
            )
        current_mib = int(options.get(CONF_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES)) // MIB
        current_timeout = float(options.get(CONF_MACRO_ACK_TIMEOUT, DEFAULT_ACK_TIMEOUT))
        schema = vol.Schema(
            {
                vol.Required(CONF_MAX_UPLOAD_MIB, default=max(current_mib, 1)): NumberSelector(
                    NumberSelectorConfig(
                        min=MAX_UPLOAD_MIB_RANGE[0],
                        max=MAX_UPLOAD_MIB_RANGE[1],
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="MiB",
                    )
                ),
                vol.Required(CONF_MACRO_ACK_TIMEOUT, default=current_timeout): NumberSelector(
                    NumberSelectorConfig(
                        min=ACK_TIMEOUT_RANGE[0],
                        max=ACK_TIMEOUT_RANGE[1],
                        step=0.5,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)
