"""Camera entities: each printer's camera (registry entries and states)."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .conftest import Farm


@pytest.fixture(autouse=True)
def fixed_tokens() -> Iterator[None]:
    """Access tokens are random: a fixed one keeps the states comparable."""
    with patch("homeassistant.components.camera._RND.getrandbits", return_value=0xABC):
        yield


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.CAMERA]


async def test_cameras(
    hass: HomeAssistant,
    farm: Farm,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, farm.entry.entry_id)
    assert farm.placement("camera") == snapshot(name="placement")
