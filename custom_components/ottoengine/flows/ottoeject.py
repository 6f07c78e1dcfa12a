"""The "Add OttoEject" subentry flow of the hub, and its reconfiguration.

The robot's Moonraker is asked for its identity before anything is stored: a wrong or missing
API key and an unreachable robot are told apart, and the identity (CPU serial, else Klippy's
host name; never the address) is the subentry's unique id, so one robot cannot be added twice
and reconfiguring cannot silently point an OttoEject at another robot. Robots announced over
zeroconf are offered first, prefilled.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_API_KEY, CONF_IP_ADDRESS, CONF_PORT
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ..moonraker import MoonrakerAuthError, MoonrakerClientError
from ..ottoeject.discovery import DiscoveredOttoEject, async_forget, async_unconfigured
from ..ottoeject.identity import async_fetch_identity
from ..ottoeject.settings import (
    CONF_DEVICE_NAME,
    CONF_MACRO_ACK_TIMEOUT,
    MAX_ACK_TIMEOUT,
    MOONRAKER_DEFAULT_PORT,
    OttoEjectSettings,
    address_in_use,
    name_in_use,
    parse_api_key,
    parse_host,
    parse_name,
    parse_port,
)
from ..runtime import OttoRuntime
from ..subentries import SUBENTRY_OTTOEJECT, DeviceKind
from . import loaded_runtime

CONF_DISCOVERED = "discovered"
CONNECT_TIMEOUT = 10.0

SCHEMA = vol.Schema(
    {
        vol.Required(CONF_DEVICE_NAME): TextSelector(),
        vol.Required(CONF_IP_ADDRESS): TextSelector(),
        vol.Required(CONF_PORT, default=MOONRAKER_DEFAULT_PORT): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Optional(CONF_API_KEY): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        vol.Optional(CONF_MACRO_ACK_TIMEOUT): NumberSelector(
            NumberSelectorConfig(
                min=1,
                max=MAX_ACK_TIMEOUT,
                step=1,
                unit_of_measurement="s",
                mode=NumberSelectorMode.BOX,
            )
        ),
    }
)


class OttoEjectSubentryFlow(ConfigSubentryFlow):
    """Add an OttoEject (discovered or by address) or change how it is reached."""

    def __init__(self) -> None:
        self._discovered: dict[str, DiscoveredOttoEject] = {}
        self._prefill: dict[str, Any] = {}

    # -- add -----------------------------------------------------------------------------------
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the announced robots, or go straight to entering an address."""
        if self._runtime() is None:
            return self.async_abort(reason="hub_not_loaded")
        self._discovered = {
            found.key: found for found in async_unconfigured(self.hass, self._get_entry())
        }
        if not self._discovered:
            return await self.async_step_connect()
        return self.async_show_menu(step_id="user", menu_options=["discovered", "connect"])

    async def async_step_discovered(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pick one of the announced robots; its address is filled in."""
        if user_input is not None:
            found = self._discovered[user_input[CONF_DISCOVERED]]
            self._prefill = {
                CONF_DEVICE_NAME: found.name,
                CONF_IP_ADDRESS: found.host,
                CONF_PORT: found.port,
            }
            return await self.async_step_connect()
        options = [
            SelectOptionDict(value=found.key, label=found.label)
            for found in self._discovered.values()
        ]
        return self.async_show_form(
            step_id="discovered",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_DISCOVERED): SelectSelector(
                        SelectSelectorConfig(options=options)
                    )
                }
            ),
        )

    async def async_step_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Name, address, port and API key; the robot is contacted before it is added."""
        runtime = self._runtime()
        if runtime is None:
            return self.async_abort(reason="hub_not_loaded")
        entry = self._get_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            values = self._validate(user_input, errors, except_id=None)
            if values is not None:
                name, host, port, api_key = values
                unique_id = await self._identity(host, port, api_key, errors)
                if unique_id is not None:
                    if any(
                        subentry.subentry_type == SUBENTRY_OTTOEJECT
                        and subentry.unique_id == unique_id
                        for subentry in entry.subentries.values()
                    ):
                        return self.async_abort(reason="already_configured")
                    settings = OttoEjectSettings(
                        runtime.state.ids.allocate(DeviceKind.OTTOEJECT),
                        name,
                        host,
                        port,
                        api_key,
                        _ack_timeout(user_input),
                    )
                    runtime.async_state_changed()
                    async_forget(self.hass, host, port)
                    return self.async_create_entry(
                        title=name, data=settings.as_data(), unique_id=unique_id
                    )
        suggested = {k: v for k, v in (user_input or self._prefill).items() if k != CONF_API_KEY}
        return self.async_show_form(
            step_id="connect",
            data_schema=self.add_suggested_values_to_schema(SCHEMA, suggested),
            errors=errors,
        )

    # -- reconfigure ---------------------------------------------------------------------------
    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Rename the OttoEject or change its address, port or API key (same robot only)."""
        if self._runtime() is None:
            return self.async_abort(reason="hub_not_loaded")
        entry = self._get_entry()
        subentry = self._get_reconfigure_subentry()
        current = OttoEjectSettings.from_subentry(subentry)
        errors: dict[str, str] = {}
        if user_input is not None:
            # An empty API key keeps the stored one (it is never shown in the form).
            values = self._validate(
                {CONF_API_KEY: current.api_key, **{k: v for k, v in user_input.items() if v}},
                errors,
                except_id=current.id,
            )
            if values is not None:
                name, host, port, api_key = values
                unique_id = await self._identity(host, port, api_key, errors)
                if unique_id is not None:
                    if subentry.unique_id is not None and unique_id != subentry.unique_id:
                        return self.async_abort(reason="unique_id_mismatch")
                    settings = OttoEjectSettings(
                        current.id, name, host, port, api_key, _ack_timeout(user_input)
                    )
                    return self.async_update_and_abort(
                        entry,
                        subentry,
                        title=name,
                        data=settings.as_data(),
                        unique_id=unique_id,
                    )
        suggested = user_input or {
            CONF_DEVICE_NAME: current.device_name,
            CONF_IP_ADDRESS: current.ip_address,
            CONF_PORT: current.port,
            CONF_MACRO_ACK_TIMEOUT: current.macro_ack_timeout,
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                SCHEMA,
                {k: v for k, v in suggested.items() if k != CONF_API_KEY and v is not None},
            ),
            errors=errors,
        )

    # -- helpers -------------------------------------------------------------------------------
    def _runtime(self) -> OttoRuntime | None:
        return loaded_runtime(self._get_entry())

    def _validate(
        self, user_input: dict[str, Any], errors: dict[str, str], *, except_id: int | None
    ) -> tuple[str, str, int, str | None] | None:
        entry = self._get_entry()
        checks = (
            (CONF_DEVICE_NAME, parse_name, "invalid_name"),
            (CONF_IP_ADDRESS, parse_host, "invalid_host"),
            (CONF_PORT, parse_port, "invalid_port"),
            (CONF_API_KEY, parse_api_key, "invalid_api_key"),
        )
        values: dict[str, Any] = {}
        for key, parse, error in checks:
            try:
                values[key] = parse(user_input.get(key))
            except ValueError:
                errors[key] = error
        if errors:
            return None
        if name_in_use(entry, values[CONF_DEVICE_NAME], except_id=except_id):
            errors[CONF_DEVICE_NAME] = "name_in_use"
        elif address_in_use(entry, values[CONF_IP_ADDRESS], values[CONF_PORT], except_id=except_id):
            errors[CONF_IP_ADDRESS] = "address_in_use"
        if errors:
            return None
        return (
            values[CONF_DEVICE_NAME],
            values[CONF_IP_ADDRESS],
            values[CONF_PORT],
            values[CONF_API_KEY],
        )

    async def _identity(
        self, host: str, port: int, api_key: str | None, errors: dict[str, str]
    ) -> str | None:
        """The robot's unique id, or ``None`` with ``errors`` set."""
        try:
            unique_id = await async_fetch_identity(
                self.hass, host, port, api_key, timeout=CONNECT_TIMEOUT
            )
        except MoonrakerAuthError:
            errors["base"] = "invalid_auth"
            return None
        except MoonrakerClientError, ValueError:
            errors["base"] = "cannot_connect"
            return None
        return unique_id


def _ack_timeout(user_input: dict[str, Any]) -> float | None:
    """The optional per-OttoEject acknowledgement timeout (the selector bounds it)."""
    value = user_input.get(CONF_MACRO_ACK_TIMEOUT)
    return float(value) if value else None
