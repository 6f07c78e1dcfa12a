"""Fixtures of the orchestrator's tests: quick printer and robot connections, files in tmp."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest

from custom_components.ottoengine.ottoeject import coordinator as ottoeject_coordinator
from custom_components.ottoengine.printers import const as printer_const

from ..printers.conftest import FAST


@pytest.fixture(autouse=True)
def fast_devices(monkeypatch: pytest.MonkeyPatch, hass: HomeAssistant, tmp_path: Path) -> None:
    """Quick reconnects; discovery on a free loopback port; print files under tmp."""
    monkeypatch.setattr(printer_const, "CONNECTION_SETTINGS", FAST)
    monkeypatch.setattr(printer_const, "DISCOVERY_BINDS", (("127.0.0.1", 0, None),))
    monkeypatch.setattr(printer_const, "DISCOVERY_WARMUP", 0.0)
    monkeypatch.setattr(ottoeject_coordinator, "STREAM_POLL_INTERVAL", 0.3)
    monkeypatch.setattr(ottoeject_coordinator, "STREAM_RECONNECT_MIN", 0.1)
    monkeypatch.setattr(ottoeject_coordinator, "STREAM_RECONNECT_MAX", 0.4)
    hass.config.config_dir = str(tmp_path)
