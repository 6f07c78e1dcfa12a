"""Helpers of the farm panel's tests: a farm with a printer, an OttoEject and a rack; reports."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.ottoengine.bambu import PrinterStatus
from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.moonraker import EjectorSnapshot
from custom_components.ottoengine.ottoeject.coordinator import OttoEjectData
from custom_components.ottoengine.panel.const import WS_ACTION, WS_SUBSCRIBE

from ..jobs.helpers import OTTOEJECT, PRINTER, setup_farm

RACK = ConfigSubentryData(
    data={
        "id": 1,
        "name": "Rack A",
        "number_of_shelves": 3,
        "shelf_spacing_mm": 80,
        "bed_size": "256x256",
        "ottoeject_id": 1,
    },
    subentry_type="rack",
    title="Rack A",
    unique_id="1",
)
PRINTER_AT_WORK = {
    "print": {
        "gcode_state": "RUNNING",
        "stg_cur": 0,
        "mc_percent": 42,
        "mc_remaining_time": 30,
        "nozzle_temper": 220.0,
        "nozzle_target_temper": 220.0,
        "bed_temper": 60.0,
        "bed_target_temper": 60.0,
        "chamber_temper": 31.0,
    }
}


async def setup_panel_farm(hass: HomeAssistant) -> MockConfigEntry:
    """The hub with printer 1, OttoEject 1 and rack 1 (3 shelves, served by the OttoEject)."""
    return await setup_farm(hass, subentries=[PRINTER, OTTOEJECT, RACK])


def printer_device(hass: HomeAssistant, entry: MockConfigEntry, printer_id: int = 1) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None
    return device.id


def report(entry: MockConfigEntry, printer_id: int, state: dict[str, Any]) -> None:
    """The printer reports ``state`` (its coordinator's push)."""
    coordinator = entry.runtime_data.printers.coordinators[printer_id]
    coordinator.async_set_updated_data(PrinterStatus.from_report(state))


def robot_ready(entry: MockConfigEntry, ottoeject_id: int = 1) -> None:
    """The OttoEject's status stream reports it ready."""
    coordinator = entry.runtime_data.ottoejects.by_id(ottoeject_id)
    assert coordinator is not None
    snapshot = EjectorSnapshot(
        reachable=True, klippy_connected=True, klippy_state="ready", idle_timeout_state="Idle"
    )
    coordinator.async_set_updated_data(OttoEjectData(snapshot))


async def subscribe(ws: MockHAClientWebSocket) -> tuple[int, dict[str, Any]]:
    """Subscribe; returns the subscription id and the first snapshot's FARM."""
    await ws.send_json_auto_id({"type": WS_SUBSCRIBE})
    result = await ws.receive_json()
    assert result["success"], result
    assert result["result"] is None
    event = await ws.receive_json()
    assert event["id"] == result["id"]
    assert event["event"]["kind"] == "snapshot"
    return int(result["id"]), event["event"]["farm"]


async def next_event(ws: MockHAClientWebSocket, subscription: int) -> dict[str, Any]:
    message = await ws.receive_json()
    assert message["id"] == subscription, message
    assert message["type"] == "event", message
    return dict(message["event"])


async def action(
    ws: MockHAClientWebSocket, name: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run a panel action; answers the whole result message (``success``, ``result``/``error``)."""
    message: dict[str, Any] = {"type": WS_ACTION, "action": name}
    if data is not None:
        message["data"] = data
    await ws.send_json_auto_id(message)
    return dict(await ws.receive_json())
