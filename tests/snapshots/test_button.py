"""Button entities of every device kind that has buttons: printers and OttoEjects."""

from __future__ import annotations

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .conftest import Farm


@pytest.fixture
def platforms() -> list[Platform]:
    return [Platform.BUTTON]


async def test_buttons(
    hass: HomeAssistant,
    farm: Farm,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    # A pressed button's state is the (frozen) time of the press.
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: "button.eject_left_home"},
        blocking=True,
    )
    await snapshot_platform(hass, entity_registry, snapshot, farm.entry.entry_id)
    assert farm.placement("button") == snapshot(name="placement")
