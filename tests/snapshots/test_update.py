"""Update entities: each printer's firmware."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .conftest import Farm


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.UPDATE]


async def test_updates(
    hass: HomeAssistant,
    farm: Farm,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, farm.entry.entry_id)
    assert farm.placement("update") == snapshot(name="placement")
