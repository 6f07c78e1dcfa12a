"""The "Add rack" subentry flow and its reconfiguration."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ottoengine.const import DOMAIN, HUB_TITLE
from custom_components.ottoengine.farm.racks import ShelfState

from ..helpers import setup_hub
from ..printers.helpers import add_ottoeject

RACK = {"name": "A", "number_of_shelves": 4, "shelf_spacing_mm": 80, "bed_size": "256x256"}


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rack"), context={"source": SOURCE_USER}
    )


async def _add(hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]) -> Any:
    result = await _start(hass, entry)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data)
    await hass.async_block_till_done()
    return result


async def test_add_rack(hass: HomeAssistant, device_registry: dr.DeviceRegistry) -> None:
    entry = await setup_hub(hass)
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "number_of_shelves": 4.0, "bed_size": "300X300"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "A"
    assert result["unique_id"] == "1"
    assert result["data"] == {
        "id": 1,
        "name": "A",
        "number_of_shelves": 4,
        "shelf_spacing_mm": 80.0,
        "bed_size": "300x300",
        "ottoeject_id": None,
    }
    await hass.async_block_till_done()
    rack = entry.runtime_data.state.racks[1]
    assert (rack.name, rack.number_of_shelves, rack.bed_size) == ("A", 4, "300x300")
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_rack_1"), entry.entry_id
    )
    assert device is not None
    assert device.via_device_id == entry.runtime_data.hub_device_id
    assert hass.states.get("sensor.a_shelf_4").state == "no_plate"
    # Ids come from the farm and are never reused.
    assert (await _add(hass, entry, {**RACK, "name": "B"}))["unique_id"] == "2"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"name": "   "}, {"name": "invalid_name"}),
        ({"name": "a"}, {"name": "name_in_use"}),
        ({"number_of_shelves": 2.5}, {"number_of_shelves": "invalid_number_of_shelves"}),
        ({"bed_size": "big"}, {"bed_size": "invalid_bed_size"}),
    ],
)
async def test_add_rack_errors(
    hass: HomeAssistant, change: dict[str, Any], error: dict[str, str]
) -> None:
    entry = await setup_hub(hass)
    await _add(hass, entry, RACK)
    result = await _start(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B", **change}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    # Correcting the input finishes the flow.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_flows_need_the_loaded_hub(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HUB_TITLE,
        data={},
        subentries_data=[
            {"data": {**RACK, "id": 1}, "subentry_type": "rack", "title": "A", "unique_id": "1"}
        ],
    )
    entry.add_to_hass(hass)
    result = await _start(hass, entry)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"
    (subentry_id,) = entry.subentries
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"


async def _reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    (subentry_id,) = [s.subentry_id for s in entry.subentries.values() if s.title == "A"]
    return await entry.start_subentry_reconfigure_flow(hass, subentry_id)


async def test_reconfigure_rack(hass: HomeAssistant, device_registry: dr.DeviceRegistry) -> None:
    entry = await setup_hub(hass)
    await _add(hass, entry, RACK)
    await _add(hass, entry, {**RACK, "name": "B"})
    result = await _reconfigure(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "b"}
    )
    assert result["errors"] == {"name": "name_in_use"}

    # Shelves holding a plate cannot be removed.
    runtime = entry.runtime_data
    rack = runtime.state.racks[1]
    runtime.async_set_shelf(rack, rack.shelves[3], ShelfState.EMPTY_PLATE, None, "api")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "number_of_shelves": 2}
    )
    assert result["errors"] == {"number_of_shelves": "shelves_hold_plates"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Left", "number_of_shelves": 6, "shelf_spacing_mm": 95.5, "bed_size": "256x256"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    # The hub was not reloaded: the same runtime, the rack updated in place.
    assert entry.runtime_data is runtime
    assert (rack.name, rack.number_of_shelves, rack.shelf_spacing_mm) == ("Left", 6, 95.5)
    assert rack.shelves[3].state is ShelfState.EMPTY_PLATE
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_rack_1"), entry.entry_id
    )
    assert device.name == "Left"
    assert hass.states.get("sensor.left_shelf_6").state == "no_plate"


async def test_removing_the_subentry_removes_the_rack(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_hub(hass)
    await _add(hass, entry, RACK)
    runtime = entry.runtime_data
    (subentry_id,) = entry.subentries
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data is runtime
    assert runtime.state.racks == {}
    assert hass.states.get("sensor.a_shelf_1") is None
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{entry.entry_id}_rack_1"), entry.entry_id
        )
        is None
    )


async def test_a_subentry_change_that_would_drop_plates_keeps_the_shelves(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Changed elsewhere (not through the checked flow or API): the shelves stay as they are."""
    entry = await setup_hub(hass)
    await _add(hass, entry, RACK)
    runtime = entry.runtime_data
    rack = runtime.state.racks[1]
    runtime.async_set_shelf(rack, rack.shelves[3], ShelfState.EMPTY_PLATE, None, "api")
    (subentry,) = entry.subentries.values()
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, "number_of_shelves": 2}
    )
    await hass.async_block_till_done()
    assert rack.number_of_shelves == 4
    assert "keeps its 4 shelves" in caplog.text


def _fields(result: dict[str, Any]) -> list[str]:
    return [str(key) for key in result["data_schema"].schema]


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_the_ottoeject_of_a_rack(hass: HomeAssistant) -> None:
    entry = await setup_hub(hass)
    first = await add_ottoeject(hass, entry, 1, "Left robot")
    # One OttoEject: it serves every rack, there is nothing to choose.
    result = await _start(hass, entry)
    assert "ottoeject_id" not in _fields(result)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], RACK)
    assert result["data"]["ottoeject_id"] is None

    second = await add_ottoeject(hass, entry, 2, "Right robot")
    result = await _start(hass, entry)
    assert result["data_schema"].schema["ottoeject_id"].config["options"] == [
        {"value": "1", "label": "Left robot"},
        {"value": "2", "label": "Right robot"},
    ]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B", "ottoeject_id": "2"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["ottoeject_id"] == 2
    await hass.async_block_till_done()
    (rack_b,) = [s.subentry_id for s in entry.subentries.values() if s.title == "B"]

    # The OttoEject chosen is removed while the form is open.
    result = await _start(hass, entry)
    hass.config_entries.async_remove_subentry(entry, first.subentry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "C", "ottoeject_id": "1"}
    )
    assert result["errors"] == {"ottoeject_id": "invalid_ottoeject"}
    assert "ottoeject_id" not in _fields(result)

    # One OttoEject left: not offered, the rack keeps it.
    result = await entry.start_subentry_reconfigure_flow(hass, rack_b)
    assert "ottoeject_id" not in _fields(result)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[rack_b].data["ottoeject_id"] == 2

    # Two again: the current one is suggested; another is chosen.
    third = await add_ottoeject(hass, entry, 3, "Spare robot")
    result = await entry.start_subentry_reconfigure_flow(hass, rack_b)
    assert _suggested(result)["ottoeject_id"] == "2"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B", "ottoeject_id": "3"}
    )
    assert entry.subentries[rack_b].data["ottoeject_id"] == 3

    # Its OttoEject removed: the id is kept until the rack is reconfigured, then dropped.
    hass.config_entries.async_remove_subentry(entry, third.subentry_id)
    await hass.async_block_till_done()
    assert entry.subentries[rack_b].data["ottoeject_id"] == 3
    result = await entry.start_subentry_reconfigure_flow(hass, rack_b)
    assert "ottoeject_id" not in _suggested(result)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[rack_b].data["ottoeject_id"] is None
    # With two OttoEjects, leaving the field empty means none of them.
    await add_ottoeject(hass, entry, 4, "Fourth robot")
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[rack_b], data={**entry.subentries[rack_b].data, "ottoeject_id": 2}
    )
    result = await entry.start_subentry_reconfigure_flow(hass, rack_b)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**RACK, "name": "B"}
    )
    assert entry.subentries[rack_b].data["ottoeject_id"] is None
    assert second.subentry_id in entry.subentries
