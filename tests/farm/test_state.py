"""The farm state's records, slot rules and the exact round trip through ``as_dict``."""

from __future__ import annotations

from datetime import UTC, datetime
import json

import pytest

from custom_components.ottoengine.farm.job_status import JobStatus
from custom_components.ottoengine.farm.jobs import JobSettings
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.racks import ShelfState
from custom_components.ottoengine.farm.slots import SlotError, check_slots
from custom_components.ottoengine.farm.state import FarmState

T0 = datetime(2026, 5, 21, 10, 0, tzinfo=UTC)


def _farm() -> FarmState:
    state = FarmState()
    item = state.add_print_item(
        PrintItem(
            id=state.ids.allocate("print_item"),
            filename="cube.gcode",
            stored_name="1_cube.gcode",
            size_bytes=2_621_440,
            sha256="ab" * 32,
            created_at=T0,
            metadata={"estimated_print_time_s": 2700, "layer_count": 150, "filament_used_g": 15.5},
            thumbnail_name="1_thumbnail.png",
        )
    )
    rack = state.create_rack(state.ids.allocate("rack"), "A", 4, 80.0, "256x256")
    rack.shelves[1].set_state(ShelfState.EMPTY_PLATE, None)
    job = state.create_job(item, JobSettings(printer_id=1, auto_start=True, priority=2), T0)
    job.transition(JobStatus.PRINTING, "print started", T0)
    job.set_progress(40)
    rack.shelves[0].set_state(ShelfState.WITH_PRINT, job.id)
    state.create_job(item, JobSettings(rack_id=rack.id, store_slot=3, grab_slot=2), T0)
    return state


def test_round_trip_is_exact() -> None:
    state = _farm()
    data = state.as_dict()
    # What HA's Store writes is JSON.
    restored = FarmState.from_dict(json.loads(json.dumps(data)))
    assert restored.as_dict() == data
    assert restored.jobs[1].status is JobStatus.PRINTING
    assert restored.jobs[1].started_at == T0
    assert restored.racks[1].shelves[0].state is ShelfState.WITH_PRINT
    assert restored.print_items[1].estimated_print_time_min == 45
    assert restored.ids.allocate("job") == 3
    assert restored.ids.allocate("shelf") == 5


def test_empty_state() -> None:
    data = FarmState.from_dict(None).as_dict()
    assert data == FarmState().as_dict()
    assert (data["next_ids"], data["print_items"], data["jobs"], data["racks"]) == ({}, [], [], [])


def test_queries() -> None:
    state = _farm()
    assert state.print_item_by_sha256("ab" * 32) is state.print_items[1]
    assert state.print_item_by_sha256("cd") is None
    assert [job.id for job in state.unfinished_jobs_of_item(1)] == [1, 2]
    assert [job.id for job in state.unfinished_jobs_of_rack(1)] == [2]
    assert state.stored_name_in_use("1_cube.gcode")
    assert state.find_shelf(4) == (state.racks[1], state.racks[1].shelves[3])
    assert state.find_shelf(9) is None
    item = state.print_items[1]
    assert (item.layer_count, item.filament_used_g, item.max_z_height_mm) == (150, 15.5, None)
    removed = state.update_rack(state.racks[1], "B", 5, 90.0, "300x300")
    assert removed == []
    assert state.racks[1].shelves[4].id == 5


@pytest.mark.parametrize(
    ("settings", "field", "conflict"),
    [
        (JobSettings(store_slot=1), "rack_id", False),
        (JobSettings(rack_id=1, store_slot=5), "store_slot", False),
        (JobSettings(rack_id=1, store_slot=4, grab_slot=4), "grab_slot", False),
        (JobSettings(rack_id=1, store_slot=1), "store_slot", True),
        (JobSettings(rack_id=1, store_slot=2), "store_slot", True),
        (JobSettings(rack_id=1, store_slot=3), "store_slot", True),
        (JobSettings(rack_id=1, grab_slot=2), "grab_slot", True),
        (JobSettings(rack_id=1, grab_slot=4), "grab_slot", True),
    ],
)
def test_slot_rules(settings: JobSettings, field: str, conflict: bool) -> None:
    state = _farm()
    with pytest.raises(SlotError) as err:
        check_slots(settings, state.racks.get(settings.rack_id or 0), state.jobs.values())
    assert (err.value.field, err.value.conflict) == (field, conflict)


def test_slots_free_again_once_the_other_job_finished() -> None:
    state = _farm()
    state.jobs[2].transition(JobStatus.CANCELLED, "no", T0)
    check_slots(
        JobSettings(rack_id=1, store_slot=3, grab_slot=2), state.racks[1], state.jobs.values()
    )
    check_slots(JobSettings(), None, state.jobs.values())
