"""Helpers of the Klipper printer tests: the simulated K1C farm and its registration."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.printers import klipper_coordinator
from custom_components.ottoengine.printers.klipper_coordinator import KlipperPrinterCoordinator

from ..farm_fixtures import FarmHandle, run_farm
from .helpers import manager_of, wait_for

K1C = "k1c-1"
TIME_SCALE = 200.0


def klipper_farm_fixture() -> Any:
    """A module's farm: one simulated K1C (real Moonraker) and one OttoEject, no Bambu printer."""

    @pytest.fixture(scope="module")
    def klipper_farm() -> Iterator[FarmHandle]:
        with run_farm(printers=0, ejectors=1, klipper_printers=1, time_scale=TIME_SCALE) as farm:
            yield farm

    return klipper_farm


@pytest.fixture
def fast_klipper(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poll and reconnect quickly so that outages and recoveries show within a second."""
    monkeypatch.setattr(klipper_coordinator, "STREAM_POLL_INTERVAL", 0.3)
    monkeypatch.setattr(klipper_coordinator, "STREAM_RECONNECT_MIN", 0.1)
    monkeypatch.setattr(klipper_coordinator, "STREAM_RECONNECT_MAX", 0.4)


def k1c(farm: FarmHandle) -> dict[str, Any]:
    (printer,) = farm.description["klipper_printers"]
    return dict(printer)


def klipper_registration(farm: FarmHandle, **changes: Any) -> dict[str, Any]:
    """The POST /api/printers body of the simulated K1C."""
    printer = k1c(farm)
    return {
        "name": "K1C Left",
        "brand": "Creality",
        "model": printer["model"],
        "ip_address": printer["ip"],
        "port": printer["port"],
        **changes,
    }


async def register_k1c(client: Any, farm: FarmHandle, **changes: Any) -> int:
    response = await client.post("/api/printers", json=klipper_registration(farm, **changes))
    assert response.status == HTTPStatus.CREATED, await response.text()
    return int((await response.json())["id"])


def klipper_of(entry: MockConfigEntry, printer_id: int) -> KlipperPrinterCoordinator:
    coordinator = manager_of(entry).klipper(printer_id)
    assert coordinator is not None
    return coordinator


async def wait_klipper_online(entry: MockConfigEntry, printer_id: int) -> None:
    await wait_for(
        lambda: (c := manager_of(entry).klipper(printer_id)) is not None and c.online,
        20.0,
        f"Klipper printer {printer_id} online",
    )
