"""The world's rules on their own: shelf clearance, the event log, operator actions."""

from __future__ import annotations

import time

import pytest

from ottosim.world import EVENT_LOG_LIMIT, OperatorError, PhysicalError, World


def world_with_print(height_mm: float | None, *, shelves: int = 6, spacing: float = 80.0) -> World:
    """A P1S with a finished print of ``height_mm`` on its plate, its bed down, a robot and a
    rack with empty plates on shelves 5 and 6."""
    world = World()
    world.add_printer("p1s-1", "P1S")
    world.add_rack("rack-1", shelves, empty_plates=(5, 6), spacing_mm=spacing)
    world.add_ejector("ottoeject-1", "rack-1")
    world.start_print("p1s-1")
    world.finish_print("p1s-1", "part", height_mm=height_mm)
    world.move_bed("p1s-1", z_mm=200)
    world.eject("ottoeject-1", "p1s-1")
    return world


def test_clearance_counts_consecutive_free_shelves_above() -> None:
    world = world_with_print(10.0)
    # Shelves 1-4 free, 5 and 6 hold plates: 4 has nothing free above, 1 has 2, 3 and 4.
    assert [world.shelf_clearance_mm("rack-1", n) for n in range(1, 7)] == [
        320.0,
        240.0,
        160.0,
        80.0,
        80.0,
        80.0,
    ]
    assert world.truth()["rack_geometry"]["rack-1"]["shelf_spacing_mm"] == 80.0


@pytest.mark.parametrize(
    ("height", "shelf", "fits"),
    [
        (70.0, 4, True),  # 70 + 10 margin = 80: exactly one shelf
        (70.5, 4, False),
        (150.0, 3, True),  # needs 160, shelf 3 has 160
        (150.1, 3, False),
        (310.0, 1, True),
        (310.5, 1, False),
        (None, 4, True),  # unknown height: not checked
    ],
)
def test_a_print_must_fit_under_the_shelf_above(
    height: float | None, shelf: int, fits: bool
) -> None:
    world = world_with_print(height)
    if fits:
        world.store("ottoeject-1", shelf)
        assert world.violations == []
        assert world.racks["rack-1"][shelf - 1] is not None
        return
    with pytest.raises(PhysicalError, match="clearance"):
        world.store("ottoeject-1", shelf)
    assert len(world.violations) == 1
    assert f"needs {height + 10:g} mm) to shelf {shelf}" in world.violations[0]
    assert world.grippers["ottoeject-1"] is not None  # refused: nothing moved
    assert world.racks["rack-1"][shelf - 1] is None


def test_the_spacing_of_the_rack_counts() -> None:
    world = world_with_print(100.0, spacing=120.0)
    world.store("ottoeject-1", 4)  # 110 mm needed, 120 mm there
    assert world.violations == []


def test_a_tall_print_reaches_into_the_shelves_above_it() -> None:
    world = world_with_print(150.0)  # takes up shelves 1 and 2
    world.store("ottoeject-1", 1)
    assert world.print_reaching_into("rack-1", 2) is not None
    assert world.print_reaching_into("rack-1", 3) is None
    assert world.shelf_clearance_mm("rack-1", 2) == 0.0
    assert world.shelf_clearance_mm("rack-1", 3) == 160.0
    world.grab("ottoeject-1", 5)
    with pytest.raises(PhysicalError, match="on shelf 1 reaches into"):
        world.store("ottoeject-1", 2)
    world.store("ottoeject-1", 3)
    assert len(world.violations) == 1


def test_events_are_timestamped_counted_and_bounded() -> None:
    world = World()
    before = time.time()
    first = world.record("p1s-1", "custom", detail=1, device="ignored", t=0)
    assert first["device"] == "p1s-1"
    assert first["t"] >= before
    assert (first["seq"], first["event"], first["detail"]) == (1, "custom", 1)
    for n in range(EVENT_LOG_LIMIT + 5):
        world.record("x", "tick", n=n)
    assert len(world.events) == EVENT_LOG_LIMIT
    assert world.events_recorded == EVENT_LOG_LIMIT + 6
    assert world.events[0]["n"] == 5
    last = world.events[-1]
    assert world.events_since(last["t"]) == []
    assert world.truth(since=last["t"] - 3600)["events"][-1] == last


def test_violations_are_events_too() -> None:
    world = World()
    world.add_printer("p1s-1", "P1S", with_plate=False)
    with pytest.raises(PhysicalError):
        world.start_print("p1s-1")
    [event] = [e for e in world.events if e["event"] == "violation"]
    assert event["device"] == "p1s-1"
    assert event["message"] == world.violations[0]


def test_operator_refuses_what_a_person_cannot_do() -> None:
    world = world_with_print(20.0)
    world.add_printer("p1p-2", "P1P")
    world.start_print("p1p-2")
    with pytest.raises(OperatorError) as printing:
        world.operator("remove_plate_from_printer", printer="p1p-2")
    assert printing.value.status == 409
    with pytest.raises(OperatorError) as unknown:
        world.operator("teleport")
    assert unknown.value.status == 400
    assert not [e for e in world.events if e["event"] == "operator_action"]


def test_operator_takes_plates_and_prints() -> None:
    world = world_with_print(20.0)
    taken = world.operator("take_plate_from_gripper", ejector="ottoeject-1")
    assert taken == {"action": "take_plate_from_gripper", "plate_id": 1, "print": "part"}
    assert world.grippers["ottoeject-1"] is None
    moved = [e for e in world.events if e["event"] == "plate_moved"][-1]
    assert (moved["device"], moved["to"]) == ("operator", {"kind": "operator"})
    # A print stored on shelf 2; take_print_off_shelf with leave_plate keeps the plate there.
    world.grab("ottoeject-1", 5)
    world.load("ottoeject-1", "p1s-1")
    world.start_print("p1s-1")
    world.finish_print("p1s-1", "second", height_mm=30.0)
    world.move_bed("p1s-1", z_mm=200)
    world.eject("ottoeject-1", "p1s-1")
    world.store("ottoeject-1", 2)
    result = world.operator("take_print_off_shelf", rack="rack-1", shelf=2, leave_plate=True)
    assert result["print"] == "second"
    plate = world.racks["rack-1"][1]
    assert plate is not None
    assert (plate.print_label, plate.height_mm) == (None, None)
    action = [e for e in world.events if e["event"] == "operator_action"][-1]
    assert (action["action"], action["rack"], action["shelf"], action["leave_plate"]) == (
        "take_print_off_shelf",
        "rack-1",
        2,
        True,
    )
    assert world.violations == []
