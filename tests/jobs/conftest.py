"""Print files are written under a temporary configuration folder, never the harness's."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest


@pytest.fixture(autouse=True)
def config_dir_in_tmp(hass: HomeAssistant, tmp_path: Path) -> None:
    hass.config.config_dir = str(tmp_path)
