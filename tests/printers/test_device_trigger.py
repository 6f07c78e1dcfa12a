"""Printer device triggers on the simulated farm: listed for printers, and automations using them
run when a print starts, finishes, fails (the farm's ``print_error`` fault) or is cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
import tempfile
from typing import Any

from aiohttp import FormData
from homeassistant.components import automation
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.components.device_automation.exceptions import InvalidDeviceAutomationConfig
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.bambu import PrinterStatus
from custom_components.ottoengine.const import DOMAIN
from custom_components.ottoengine.device_trigger import (
    async_get_triggers,
    async_validate_trigger_config,
)
from custom_components.ottoengine.printers.triggers import EVENT_PRINTER, PrinterTrigger

from ..farm_fixtures import FarmHandle
from ..helpers import setup_hub
from .helpers import build_job, fault, register, wait_for, wait_online

pytestmark = pytest.mark.usefixtures("loopback_enabled")

AUTOMATION_EVENT = "ottoengine_test_automation_ran"


@pytest.fixture(scope="module")
def job_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="otto-printer-triggers-") as name:
        # 2000 simulated seconds: 10 s at the farm's time scale of 200.
        yield build_job(Path(name), "trigger.gcode.3mf", prediction_s=2000)


def _automation(device_id: str, trigger_type: str) -> dict[str, Any]:
    return {
        "alias": trigger_type,
        "triggers": [
            {"trigger": "device", "domain": DOMAIN, "device_id": device_id, "type": trigger_type}
        ],
        "actions": [
            {
                "event": AUTOMATION_EVENT,
                "event_data": {"type": trigger_type, "file": "{{ trigger.event.data.file }}"},
            }
        ],
    }


async def test_only_printers_have_triggers(hass: HomeAssistant) -> None:
    entry = await setup_hub(hass)
    hub = entry.runtime_data.hub_device_id
    hub_triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [hub])
    assert [t for t in hub_triggers[hub] if t["domain"] == DOMAIN] == []
    assert await async_get_triggers(hass, "no-such-device") == []
    with pytest.raises(InvalidDeviceAutomationConfig, match="not an OttoEngine printer"):
        await async_validate_trigger_config(
            hass,
            {"platform": "device", "domain": DOMAIN, "device_id": hub, "type": "print_started"},
        )
    with pytest.raises(vol.Invalid):
        await async_validate_trigger_config(
            hass,
            {"platform": "device", "domain": DOMAIN, "device_id": hub, "type": "exploded"},
        )


async def test_triggers_run_automations(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim_farm: FarmHandle,
    device_registry: dr.DeviceRegistry,
    job_file: Path,
) -> None:
    entry = await setup_hub(hass)
    client = await hass_client()
    printer = sim_farm.printer("P1S")
    printer_id = await register(client, printer)
    await wait_online(entry, printer_id)
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_printer_{printer_id}"), entry.entry_id
    )
    assert device is not None

    # Listed for the printer (what the automation editor offers), not for the hub.
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    ours = [t for t in triggers[device.id] if t["domain"] == DOMAIN]  # not the entities' own
    assert sorted(t["type"] for t in ours) == sorted(PrinterTrigger)

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {automation.DOMAIN: [_automation(device.id, t.value) for t in PrinterTrigger]},
    )
    await hass.async_block_till_done()
    ran = async_capture_events(hass, AUTOMATION_EVENT)
    fired = async_capture_events(hass, EVENT_PRINTER)

    def ran_types() -> list[str]:
        return [event.data["type"] for event in ran]

    async def clear_plate() -> None:
        await hass.async_add_executor_job(
            lambda: sim_farm.operator("clear_printer_plate", printer=printer["name"])
        )

    async def start_print() -> None:
        form = FormData()
        form.add_field("file", job_file.read_bytes(), filename=job_file.name)
        response = await client.post(f"/api/printers/{printer_id}/upload", data=form)
        assert response.status == HTTPStatus.OK
        response = await client.post(
            f"/api/printers/{printer_id}/start-print", json={"filename": job_file.name}
        )
        assert response.status == HTTPStatus.ACCEPTED

    # A print that finishes.
    await start_print()
    await wait_for(lambda: "print_finished" in ran_types(), 30, "print finished")
    assert ran_types() == ["print_started", "print_finished"]
    event = fired[0]
    assert event.data["device_id"] == device.id
    assert event.data["printer_id"] == printer_id
    assert event.data["type"] == "print_started"

    # A print that fails with an error (the farm's fault), then the error goes away on the
    # next start.
    await clear_plate()
    ran.clear()
    await start_print()
    await wait_for(lambda: "print_started" in ran_types(), 20, "second print started")
    await wait_for(
        lambda: entry.runtime_data.printers.get(printer_id).data.status.value == "RUNNING",
        20,
        "running",
    )
    await fault(hass, sim_farm, printer["name"], "print_error")
    await wait_for(lambda: "printer_error" in ran_types(), 20, "print failed")
    assert ran_types() == ["print_started", "print_failed", "printer_error"]
    errors = next(e for e in fired if e.data["type"] == "printer_error").data["errors"]
    assert errors
    assert all(error["code"] for error in errors)

    # A print that is cancelled (the stop command).
    await clear_plate()
    ran.clear()
    await start_print()
    await wait_for(lambda: "print_started" in ran_types(), 20, "third print started")
    assert "printer_error_cleared" in ran_types()
    response = await client.post(f"/api/printers/{printer_id}/stop")
    assert response.status < 300, await response.text()
    await wait_for(lambda: "print_cancelled" in ran_types(), 20, "print cancelled")
    assert "print_failed" not in ran_types()
    assert "printer_error" not in ran_types()  # a cancel is not a printer error

    # A print that ends while the printer is unreachable counts when it reports again (the
    # coordinator compares with the last known status, as the client pushes them).
    coordinator = entry.runtime_data.printers.get(printer_id)
    assert coordinator is not None
    await coordinator.async_stop_client()
    ran.clear()
    for report in ({"gcode_state": "RUNNING"}, None, {"gcode_state": "FINISH"}):
        if report is None:
            coordinator._handle_status(PrinterStatus.from_report({}, online=False))
        else:
            coordinator._handle_status(PrinterStatus.from_report(report))
        await hass.async_block_till_done()
    assert ran_types() == ["print_started", "print_finished"]
