"""The hub's options: the upload size limit, the OttoEjects' default acknowledgement timeout and
the orchestrator's timings (start confirmation timeout, start attempts, bed settle time).

All are read when they are used, so a change applies at once without reloading the hub.
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
from ..farm.orchestration.engine import OrchestratorSettings
from ..moonraker.client import DEFAULT_ACK_TIMEOUT
from ..orchestrator.const import CONF_BED_SETTLE, CONF_START_ATTEMPTS, CONF_START_TIMEOUT
from ..ottoeject.settings import CONF_MACRO_ACK_TIMEOUT

MIB = 1024 * 1024
CONF_MAX_UPLOAD_MIB = "max_upload_mib"
MAX_UPLOAD_MIB_RANGE = (1, 64 * 1024)  # 1 MiB … 64 GiB
ACK_TIMEOUT_RANGE = (1.0, 600.0)
START_TIMEOUT_RANGE = (10.0, 3600.0)
START_ATTEMPTS_RANGE = (1, 10)
BED_SETTLE_RANGE = (0.0, 300.0)


def _seconds(low: float, high: float, step: float) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=step, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
        )
    )


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
                    CONF_START_TIMEOUT: float(user_input[CONF_START_TIMEOUT]),
                    CONF_START_ATTEMPTS: int(user_input[CONF_START_ATTEMPTS]),
                    CONF_BED_SETTLE: float(user_input[CONF_BED_SETTLE]),
                }
            )
        defaults = OrchestratorSettings()
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
                vol.Required(CONF_MACRO_ACK_TIMEOUT, default=current_timeout): _seconds(
                    *ACK_TIMEOUT_RANGE, 0.5
                ),
                vol.Required(
                    CONF_START_TIMEOUT,
                    default=float(options.get(CONF_START_TIMEOUT, defaults.start_timeout_s)),
                ): _seconds(*START_TIMEOUT_RANGE, 1),
                vol.Required(
                    CONF_START_ATTEMPTS,
                    default=int(options.get(CONF_START_ATTEMPTS, defaults.start_attempts)),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=START_ATTEMPTS_RANGE[0],
                        max=START_ATTEMPTS_RANGE[1],
                        step=1,
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_BED_SETTLE,
                    default=float(options.get(CONF_BED_SETTLE, defaults.bed_settle_s)),
                ): _seconds(*BED_SETTLE_RANGE, 0.5),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)
