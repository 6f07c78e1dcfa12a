"""A change is confirmed only once it is on disk: a REST answer 2xx or an action returning means
the farm's state was saved, so a crash right after (a SIGKILL, a power cut) loses none of it.
When the state cannot be saved, the change is not confirmed: 503 over REST, an error from the
action."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.const import DOMAIN, STORAGE_KEY
from custom_components.ottoengine.storage import FarmStore

from ..helpers import setup_hub

RACK = {"name": "A", "number_of_shelves": 3, "shelf_spacing_mm": 80, "bed_size": "256x256"}


def _stored(hass_storage: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = hass_storage[STORAGE_KEY]["data"]
    return data


async def test_a_created_rack_is_on_disk_when_answered(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_storage: dict[str, Any]
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    response = await client.post("/api/ottoracks/", json=RACK)
    assert response.status == HTTPStatus.CREATED
    # No time passes, no delayed write runs: the answer itself waited for the write.
    assert [rack["name"] for rack in _stored(hass_storage)["racks"]] == ["A"]


async def test_an_action_returns_once_its_change_is_on_disk(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    await setup_hub(hass)
    await hass.services.async_call(DOMAIN, "pause_processing", blocking=True)
    assert _stored(hass_storage)["processing"]["enabled"] is False


async def test_a_change_that_cannot_be_saved_is_not_confirmed(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_hub(hass)
    client = await hass_client()
    with patch.object(Store, "async_save", side_effect=OSError("disk full")):
        response = await client.post("/api/ottoracks/", json=RACK)
        assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
        body = await response.json()
        assert "could not be saved" in body["message"]
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call(DOMAIN, "pause_processing", blocking=True)
        assert raised.value.translation_key == "state_not_saved"
        # Health says so too.
        response = await client.get("/api/orchestration/health")
        assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
        assert (await response.json())["data"]["services"]["database"] == "failed"
    # Once the disk takes writes again, the next change saves everything.
    response = await client.post("/api/ottoracks/", json={**RACK, "name": "B"})
    assert response.status == HTTPStatus.CREATED
    response = await client.get("/api/orchestration/health")
    assert (await response.json())["data"]["services"]["database"] == "connected"


async def test_only_changes_are_written(hass: HomeAssistant) -> None:
    """A confirmation with nothing new to confirm (a device command, a repeated request) costs
    no write; a change, or a failed write, is written by the next confirmation."""
    store = FarmStore(hass)
    await store.async_load()
    with patch.object(Store, "async_save", autospec=True) as save:
        await store.async_save_now()
        assert save.call_count == 0
        store.async_schedule_save()
        await store.async_save_now()
        await store.async_save_now()
        assert save.call_count == 1
        # The orchestrator marks a command in flight, then saves before sending it.
        await store.async_save_now(changed=True)
        assert save.call_count == 2
        save.side_effect = OSError("disk full")
        store.async_schedule_save()
        await store.async_save_now()
        assert store.last_save_failed
        save.side_effect = None
        await store.async_save_now()
        assert save.call_count == 4
        assert not store.last_save_failed
