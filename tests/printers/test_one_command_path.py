"""Buttons, the send_gcode action and the REST API report the same error for the same failure.

All three go through the printer's ``PrinterCommands``; the simulated printer is made to fail
for real (broker down, commands refused) and each path is asked to act.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import coordinator_of, fault, register, wait_for, wait_online

pytestmark = pytest.mark.usefixtures("loopback_enabled")


async def _errors(
    hass: HomeAssistant, client: Any, button: Any, device_id: str, printer_id: int
) -> tuple[tuple[str | None, dict[str, str] | None], ...]:
    """(translation key, placeholders) of the button and the action, and the REST answer."""
    with pytest.raises(HomeAssistantError) as pressed:
        await button.async_press()
    with pytest.raises(HomeAssistantError) as acted:
        await hass.services.async_call(
            DOMAIN, "send_gcode", {"device_id": device_id, "gcode": "G28"}, blocking=True
        )
    response = await client.post(f"/api/printers/{printer_id}/pause")
    body = await response.json()
    return (
        (pressed.value.translation_key, pressed.value.translation_placeholders),
        (acted.value.translation_key, acted.value.translation_placeholders),
        (str(response.status), {"error": body["message"], "reason": body["reason"]}),
    )


async def test_same_failure_same_error_everywhere(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    entity_id = entity_registry.async_get_entity_id(
        "button", DOMAIN, f"{entry.entry_id}_printer_{printer_id}_pause"
    )
    button = hass.data["entity_components"]["button"].get_entity(entity_id)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None

    # The action works while the printer does.
    await hass.services.async_call(
        DOMAIN, "send_gcode", {"device_id": device.id, "gcode": "G28"}, blocking=True
    )

    # The printer refuses commands: 502 over REST, the same message in both HA errors.
    await fault(hass, sim_farm, printer["name"], "reject_commands", enabled=True)
    try:
        button_error, action_error, (status, rest) = await _errors(
            hass, client, button, device.id, printer_id
        )
    finally:
        await fault(hass, sim_farm, printer["name"], "clear")
    assert button_error == action_error
    assert button_error[0] in ("printer_developer_mode", "printer_command_failed")
    assert status == str(HTTPStatus.BAD_GATEWAY)
    assert button_error[1] is not None
    assert rest == {"error": button_error[1]["error"], "reason": button_error[1]["reason"]}

    # The printer's broker goes away: 503 over REST, "printer_offline" for both.
    await fault(hass, sim_farm, printer["name"], "mqtt_down")
    try:
        await wait_for(lambda: not coordinator_of(entry, printer_id).online, what="offline")
        button_error, action_error, (status, rest) = await _errors(
            hass, client, button, device.id, printer_id
        )
    finally:
        await fault(hass, sim_farm, printer["name"], "mqtt_up")
    assert button_error == action_error
    assert button_error[0] == "printer_offline"
    assert status == str(HTTPStatus.SERVICE_UNAVAILABLE)
    assert button_error[1] is not None
    assert rest == {"error": button_error[1]["error"], "reason": "device_unavailable"}
    assert printer["access_code"] not in str(rest)


async def test_send_gcode_refuses_what_is_not_a_printer_or_no_gcode(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("A1")
    printer_id = await register(client, printer)
    hub = device_registry.async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id)
    assert hub is not None
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN, "send_gcode", {"device_id": hub.id, "gcode": "G28"}, blocking=True
        )
    assert refused.value.translation_key == "not_a_printer"
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN, "send_gcode", {"device_id": device.id, "gcode": "  \n "}, blocking=True
        )
    assert refused.value.translation_key == "no_gcode"
