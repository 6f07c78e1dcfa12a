"""The panel's websocket commands (``docs/panel.md``).

- ``ottoengine/panel/subscribe`` (any logged-in user): answers ``null``, then sends the farm
  and its changes on the subscription (``PanelSubscription``) until unsubscribed.
- ``ottoengine/panel/action`` (administrators): runs one of the integration's actions; its
  errors are answered as websocket errors with the translated message.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import websocket_api
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_HOME_ASSISTANT_ERROR,
    ERR_SERVICE_VALIDATION_ERROR,
)
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio as vol

from .actions import async_run_action
from .const import WS_ACTION, WS_SUBSCRIBE
from .subscription import PanelSubscription


@callback
def async_register_commands(hass: HomeAssistant) -> None:
    websocket_api.async_register_command(hass, ws_subscribe)
    websocket_api.async_register_command(hass, ws_action)


@websocket_command({vol.Required("type"): WS_SUBSCRIBE})
@callback
def ws_subscribe(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    subscription = PanelSubscription(hass, connection, msg["id"])
    connection.subscriptions[msg["id"]] = subscription.async_stop
    connection.send_result(msg["id"])
    subscription.async_start()


@websocket_command(
    {
        vol.Required("type"): WS_ACTION,
        vol.Required("action"): str,
        vol.Optional("data", default=dict): dict,
    }
)
@require_admin
@async_response
async def ws_action(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    try:
        response = await async_run_action(hass, msg["action"], msg["data"], connection.context(msg))
    except ServiceValidationError as err:
        connection.send_error(
            msg["id"],
            ERR_SERVICE_VALIDATION_ERROR,
            str(err),
            translation_domain=err.translation_domain,
            translation_key=err.translation_key,
            translation_placeholders=err.translation_placeholders,
        )
    except HomeAssistantError as err:
        connection.send_error(
            msg["id"],
            ERR_HOME_ASSISTANT_ERROR,
            str(err),
            translation_domain=err.translation_domain,
            translation_key=err.translation_key,
            translation_placeholders=err.translation_placeholders,
        )
    else:
        connection.send_result(msg["id"], response)
