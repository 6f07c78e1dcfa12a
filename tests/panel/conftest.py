"""Fixtures of the farm panel's tests: a hub whose devices never connect (their reports are
pushed by the tests), print files under tmp."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest

from custom_components.ottoengine.printers.coordinator import PrinterCoordinator

from ..printers.helpers import robots_offline


@pytest.fixture(autouse=True)
def quiet_devices(hass: HomeAssistant, tmp_path: Path) -> Iterator[None]:
    """No printer or OttoEject connects: the tests push their reports themselves."""
    hass.config.config_dir = str(tmp_path)
    with patch.object(PrinterCoordinator, "async_start_client", autospec=True), robots_offline():
        yield
