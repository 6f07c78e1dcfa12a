"""The height-aware shelf planner: clearance geometry, store and grab choices, reasons."""

from __future__ import annotations

import random

import pytest

from custom_components.ottoengine.farm.orchestration.shelves import (
    HEIGHT_MARGIN_MM,
    choose_grab_shelf,
    choose_store_shelf,
    clearance_mm,
    clearances,
    could_ever_fit,
    no_shelf_reason,
    rack_is_full_reason,
    shelves_reached,
)
from custom_components.ottoengine.farm.racks import ShelfState
from ottosim.world import Plate, World

from .builders import rack


def all_clearances(
    picture: str,
    heights: dict[int, float | None] | None = None,
    *,
    reserved: set[int] | frozenset[int] = frozenset(),
    reserved_heights: dict[int, float | None] | None = None,
    spacing: float = 80.0,
) -> list[float]:
    shelves = rack(picture, spacing=spacing)
    return [
        clearance_mm(
            shelves,
            number,
            heights=heights or {},
            reserved=reserved,
            reserved_heights=reserved_heights or {},
        )
        for number in range(1, shelves.number_of_shelves + 1)
    ]


def test_margin_is_ten_mm() -> None:
    assert HEIGHT_MARGIN_MM == 10.0


@pytest.mark.parametrize(
    ("picture", "heights", "expected"),
    [
        # An empty rack: every shelf offers its spacing times the free shelves from it up.
        (". . . . . .", {}, [480, 400, 320, 240, 160, 80]),
        # Plates stop the run; a shelf holding a plate offers nothing.
        (". . E . . .", {}, [160, 80, 0, 240, 160, 80]),
        (". P1 . . . .", {1: 20.0}, [80, 0, 320, 240, 160, 80]),
        # 150 mm + 10 = 160 mm = exactly 2 shelves: shelf 3 is reached into, shelf 4 is free.
        ("P1 . . . . .", {1: 150.0}, [0, 0, 320, 240, 160, 80]),
        # 151 mm + 10 needs a third shelf.
        ("P1 . . . . .", {1: 151.0}, [0, 0, 0, 240, 160, 80]),
        # 70 mm + 10 = 80: its own shelf only.
        ("P1 . . . . .", {1: 70.0}, [0, 400, 320, 240, 160, 80]),
        # Unknown height (None or missing from ``heights``): only its own shelf.
        ("P1 . . . . .", {1: None}, [0, 400, 320, 240, 160, 80]),
        ("P1 . . . . .", {}, [0, 400, 320, 240, 160, 80]),
        # A reached-into shelf also ends the run of the free shelves below it.
        (". . P1 . . .", {1: 200.0}, [160, 80, 0, 0, 0, 80]),
        # A tall print near the top reaches past the rack: nothing breaks.
        (". . . . P1 .", {1: 300.0}, [320, 240, 160, 80, 0, 0]),
    ],
)
def test_clearance_geometry(
    picture: str, heights: dict[int, float | None], expected: list[float]
) -> None:
    assert all_clearances(picture, heights) == expected


def test_clearance_with_other_spacing() -> None:
    assert all_clearances("P1 . . .", {1: 100.0}, spacing=50.0) == [0, 0, 0, 50]


@pytest.mark.parametrize(
    ("picture", "reserved", "reserved_heights", "expected"),
    [
        # A reserved shelf (store or grab of another workflow) is not free.
        (". . . . . .", {3}, {}, [160, 80, 0, 240, 160, 80]),
        (". . E . . .", {3}, {}, [160, 80, 0, 240, 160, 80]),
        # A reserved store shelf counts as holding that job's print: it blocks above it too.
        (". . . . . .", set(), {2: 100.0}, [80, 0, 0, 240, 160, 80]),
        (". . . . . .", {2}, {2: 100.0}, [80, 0, 0, 240, 160, 80]),
        (". . . . . .", set(), {2: None}, [80, 0, 320, 240, 160, 80]),
    ],
)
def test_clearance_with_reservations(
    picture: str,
    reserved: set[int],
    reserved_heights: dict[int, float | None],
    expected: list[float],
) -> None:
    assert all_clearances(picture, reserved=reserved, reserved_heights=reserved_heights) == expected


def test_clearance_of_a_shelf_that_does_not_exist_is_zero() -> None:
    assert clearance_mm(rack(". ."), 3, heights={}) == 0.0
    assert clearance_mm(rack(". ."), 0, heights={}) == 0.0


def test_clearances_agree_with_the_simulated_farm() -> None:
    """Random racks: every free shelf's clearance equals the one the simulator enforces."""
    rng = random.Random(12)
    for case in range(300):
        count = rng.randint(1, 10)
        spacing = rng.choice([50.0, 80.0, 72.5, 120.0])
        cells: list[str] = []
        heights: dict[int, float | None] = {}
        world = World()
        world.add_rack("r", count, spacing_mm=spacing)
        for number in range(1, count + 1):
            roll = rng.random()
            if roll < 0.45:
                cells.append(".")
            elif roll < 0.65:
                cells.append("E")
                world.racks["r"][number - 1] = world.new_plate()
            else:
                height = rng.choice([None, 5.0, 70.0, 150.0, 151.0, rng.uniform(1, 400)])
                cells.append(f"P{number}")
                heights[number] = height
                world.racks["r"][number - 1] = Plate(100 + number, f"job{number}", height)
        shelves = rack(" ".join(cells), spacing=spacing)
        ours = clearances(shelves, heights=heights)
        for number in range(1, count + 1):
            shelf = shelves.shelf_by_number(number)
            assert shelf is not None
            if shelf.state is not ShelfState.NO_PLATE:
                assert ours[number] == 0
                continue
            expected = world.shelf_clearance_mm("r", number)
            assert ours[number] == expected, (case, cells, heights, number)


def test_shelves_reached() -> None:
    shelves = rack(". .")
    assert shelves_reached(shelves, None) == 1
    assert shelves_reached(shelves, 0.0) == 1
    assert shelves_reached(shelves, 70.0) == 1
    assert shelves_reached(shelves, 70.5) == 2
    assert shelves_reached(shelves, 150.0) == 2


def test_could_ever_fit_is_the_whole_rack_height() -> None:
    shelves = rack(". . . . . .")  # 480 mm
    assert could_ever_fit(shelves, 470.0)
    assert not could_ever_fit(shelves, 470.5)
    assert could_ever_fit(shelves, None)


def choose(
    picture: str,
    height: float | None,
    heights: dict[int, float | None] | None = None,
    *,
    reserved: set[int] | frozenset[int] = frozenset(),
    reserved_heights: dict[int, float | None] | None = None,
) -> int | None:
    choice = choose_store_shelf(
        rack(picture),
        height,
        heights=heights or {},
        reserved=reserved,
        reserved_heights=reserved_heights or {},
    )
    return None if choice is None else choice.shelf_number


@pytest.mark.parametrize(
    ("picture", "height", "expected"),
    [
        # A small print takes the tightest shelf (the top one), keeping tall room below.
        (". . . . . .", 20.0, 6),
        (". . . . . .", 70.0, 6),
        # 71 mm needs 81 mm: two free shelves (160 mm) at least; shelf 5 is the tightest.
        (". . . . . .", 71.0, 5),
        # 300 mm needs 310: shelf 3 (320) is the tightest fit.
        (". . . . . .", 300.0, 3),
        # 330 mm needs 340: shelf 2 (400) wastes less than shelf 1 (480).
        (". . . . . .", 330.0, 2),
        # 470 mm needs everything.
        (". . . . . .", 470.0, 1),
        # Only gaps between plates: the one that fits best.
        (". E . . E .", 60.0, 1),
        (". E . . E .", 100.0, 3),
        # Equal clearance everywhere: the position table (tiny prints low), then lower shelf.
        (". E . E . E", 20.0, 1),
        (". E . E . E", 65.0, 1),
        # Unknown height is planned as a one-spacing print: the tightest free shelf.
        (". . . . . E", None, 5),
    ],
)
def test_choose_store_shelf(picture: str, height: float | None, expected: int) -> None:
    assert choose(picture, height) == expected


def test_choose_store_shelf_position_table_for_tall_prints() -> None:
    # 150 mm + 10 = 160: every two-shelf gap fits equally; LARGE prefers shelves 2-4.
    assert choose(". . E . . E . . E", 150.0) == 4


def test_choose_store_shelf_returns_the_clearance() -> None:
    choice = choose_store_shelf(rack(". . E . . ."), 100.0, heights={})
    assert choice is not None
    assert (choice.rack_id, choice.shelf_number, choice.clearance_mm) == (1, 1, 160.0)


def test_choose_store_shelf_skips_reserved_and_reached_shelves() -> None:
    assert choose(". . . . . .", 20.0, reserved={6}) == 5
    # Shelf 5 reserved to store a print: shelves 4 and 6 are left, tiny prints go low.
    assert choose(". . . . . .", 20.0, reserved_heights={5: 20.0}) == 4
    # The 200 mm print on shelf 1 reaches into shelves 2 and 3.
    assert choose("P9 . . . E .", 60.0, {9: 200.0}) == 4
    assert choose("P9 . . . E .", 60.0, {9: 200.0}, reserved={4}) == 6


def test_choose_store_shelf_none_when_nothing_fits() -> None:
    assert choose("E E E", 10.0) is None
    assert choose(". E . E", 80.0) is None
    assert choose("P1 . .", 20.0, {1: 500.0}) is None


def test_store_exact_fit_is_accepted() -> None:
    # 150 + 10 == 160: fits on two shelves exactly.
    assert choose(". . E", 150.0) == 1
    assert choose(". . E", 150.5) is None


@pytest.mark.parametrize(
    ("picture", "store", "reserved", "expected"),
    [
        ("E . . . E .", 3, set(), 1),  # 1 and 5 both two away: the lower
        ("E . . E E .", 3, set(), 4),
        ("E . . E E .", 3, {4}, 1),
        (". . . E E .", 3, {4}, 5),
        (". . . . . .", 3, set(), None),
        ("E . E . E .", None, set(), 5),  # without a store shelf: the highest
        ("E . E . E .", None, {5}, 3),
        ("P1 E . .", 3, set(), 2),
    ],
)
def test_choose_grab_shelf(
    picture: str, store: int | None, reserved: set[int], expected: int | None
) -> None:
    assert choose_grab_shelf(rack(picture), store, reserved=reserved) == expected


def test_no_shelf_reason() -> None:
    shelves = rack(". E . E . E")
    assert (
        no_shelf_reason(shelves, 150.0, heights={})
        == "no free shelf with 160 mm clearance on rack 'rack-1' (largest free: 80 mm)"
    )
    assert no_shelf_reason(rack("E E"), 10.0, heights={}) == "no free shelf on rack 'rack-1'"
    assert (
        no_shelf_reason(rack(". ."), 200.0, heights={})
        == "rack 'rack-1' is only 160 mm tall (the print needs 210 mm)"
    )
    assert (
        no_shelf_reason(rack(". ."), 10.0, heights={}, reserved={1, 2})
        == "no free shelf on rack 'rack-1'"
    )
    assert rack_is_full_reason is no_shelf_reason
