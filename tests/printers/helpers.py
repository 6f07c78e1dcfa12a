"""Helpers of the printers' tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
import contextlib
from http import HTTPStatus
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.moonraker import MoonrakerStatusStream
from custom_components.ottoengine.ottoeject.settings import OttoEjectSettings
from custom_components.ottoengine.printers import const
from custom_components.ottoengine.printers.coordinator import PrinterCoordinator
from custom_components.ottoengine.printers.manager import PrintersManager

from ..farm_fixtures import FarmHandle
from ..printfile.builders import BambuPlate, BambuProject, build_bambu_3mf


def settle_s() -> float:
    """How long a printer connection may take to show a change: silence noticed (offline_after),
    a forced reconnect's cooldown, then whole attempts (connect timeout plus longest backoff) with
    room for a machine under load; read when waiting (the tests' fixture shortens them)."""
    settings = const.CONNECTION_SETTINGS
    attempts = 3 * (settings.connect_timeout + settings.backoff_max)
    return settings.offline_after + settings.reconnect_cooldown + attempts


async def wait_for(
    condition: Callable[[], Any], timeout: float | None = None, what: str = "condition"
) -> Any:
    """Poll ``condition`` (real time passes) until it is truthy; return its value.

    ``timeout`` defaults to ``settle_s()``."""
    deadline = time.monotonic() + (settle_s() if timeout is None else timeout)
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def manager_of(entry: MockConfigEntry) -> PrintersManager:
    manager = entry.runtime_data.printers
    assert manager is not None
    return manager


def coordinator_of(entry: MockConfigEntry, printer_id: int) -> PrinterCoordinator:
    coordinator = manager_of(entry).get(printer_id)
    assert coordinator is not None
    return coordinator


async def wait_online(
    entry: MockConfigEntry, printer_id: int, timeout: float | None = None
) -> None:
    await wait_for(
        lambda: (c := manager_of(entry).get(printer_id)) is not None and c.online,
        timeout,
        f"printer {printer_id} online",
    )


def registration(printer: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The POST /api/printers body of a simulated printer."""
    return {
        "name": printer["name"],
        "brand": "Bambu Lab",
        "model": printer["model"],
        "type": "FDM",
        "ip_address": printer["ip"],
        "access_code": printer["access_code"],
        "serial_number": printer["serial_number"],
        **changes,
    }


async def register(client: Any, printer: dict[str, Any], **changes: Any) -> int:
    response = await client.post("/api/printers/", json=registration(printer, **changes))
    assert response.status == HTTPStatus.CREATED, await response.text()
    body = await response.json()
    return int(body["id"])


@contextlib.contextmanager
def robots_offline() -> Iterator[None]:
    """OttoEjects of a test are configured, but their status streams never connect."""
    with patch.object(MoonrakerStatusStream, "start", autospec=True):
        yield


async def add_ottoeject(
    hass: HomeAssistant, entry: MockConfigEntry, ottoeject_id: int, name: str
) -> ConfigSubentry:
    """An OttoEject subentry of the hub (with a known identity: nothing asks the robot)."""
    settings = OttoEjectSettings(ottoeject_id, name, "127.0.1.250", port=7100 + ottoeject_id)
    subentry = settings.new_subentry(f"host:robot-{ottoeject_id}")
    hass.config_entries.async_add_subentry(entry, subentry)
    await hass.async_block_till_done()
    return subentry


async def farm_call(hass: HomeAssistant, farm: FarmHandle, method: str, *args: Any) -> Any:
    """A control call of the simulated farm (blocking HTTP) from the executor."""
    return await hass.async_add_executor_job(getattr(farm, method), *args)


async def fault(
    hass: HomeAssistant, farm: FarmHandle, device: str, name: str, **params: Any
) -> Any:
    return await hass.async_add_executor_job(lambda: farm.fault(device, name, **params))


def build_job(directory: Path, name: str, prediction_s: int = 600) -> Path:
    """A sliced ``.gcode.3mf`` the simulated printers can print."""
    plate = BambuPlate(prediction_s=prediction_s, layer_count=50)
    return build_bambu_3mf(directory / name, BambuProject(sliced=[plate]))


async def wait_truth(
    hass: HomeAssistant,
    farm: FarmHandle,
    condition: Callable[[dict[str, Any]], Any],
    what: str,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """Poll the farm's ground truth (``GET /truth``, off the event loop) until ``condition``."""
    deadline = time.monotonic() + timeout
    while True:
        truth: dict[str, Any] = await farm_call(hass, farm, "truth")
        if condition(truth):
            return truth
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
