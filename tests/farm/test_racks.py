"""Racks, shelves and the three shelf states, without Home Assistant."""

from __future__ import annotations

import itertools

import pytest

from custom_components.ottoengine.farm.racks import (
    InvalidRackError,
    InvalidShelfStateError,
    Rack,
    Shelf,
    ShelfState,
    check_shelf_state,
    parse_bed_size,
    parse_name,
    parse_shelf_count,
    parse_spacing,
    shelf_state_from_api,
    spacing_for_api,
)


@pytest.mark.parametrize(
    ("has_plate", "plate_state", "job", "expected"),
    [
        (False, None, None, (ShelfState.NO_PLATE, None)),
        (True, "empty", None, (ShelfState.EMPTY_PLATE, None)),
        (True, "with_print", 5, (ShelfState.WITH_PRINT, 5)),
    ],
)
def test_the_three_states(
    has_plate: bool,
    plate_state: str | None,
    job: int | None,
    expected: tuple[ShelfState, int | None],
) -> None:
    assert shelf_state_from_api(has_plate, plate_state, job) == expected


@pytest.mark.parametrize(
    ("has_plate", "plate_state", "job", "field"),
    [
        (None, None, None, "has_plate"),
        (1, None, None, "has_plate"),
        (False, "empty", None, "plate_state"),
        (False, "with_print", 3, "plate_state"),
        (False, None, 3, "print_job_id"),
        (True, None, None, "plate_state"),
        (True, "full", None, "plate_state"),
        (True, "empty", 3, "print_job_id"),
        (True, "with_print", None, "print_job_id"),
        (True, "with_print", 0, "print_job_id"),
        (True, "with_print", True, "print_job_id"),
    ],
)
def test_contradictions_name_the_field(
    has_plate: object, plate_state: object, job: object, field: str
) -> None:
    with pytest.raises(InvalidShelfStateError) as err:
        shelf_state_from_api(has_plate, plate_state, job)
    assert err.value.field == field


def test_shelf_state_properties_and_direct_checks() -> None:
    assert [(s.has_plate, s.plate_state) for s in ShelfState] == [
        (False, None),
        (True, "empty"),
        (True, "with_print"),
    ]
    with pytest.raises(InvalidShelfStateError):
        check_shelf_state(ShelfState.WITH_PRINT, None)
    with pytest.raises(InvalidShelfStateError):
        check_shelf_state(ShelfState.EMPTY_PLATE, 3)
    shelf = Shelf(1, 1)
    assert shelf.set_state(ShelfState.WITH_PRINT, 4) is True
    assert shelf.set_state(ShelfState.WITH_PRINT, 4) is False


def test_settings_validation() -> None:
    assert parse_bed_size(" 300 X 250 ") == "300x250"
    assert parse_shelf_count(50) == 50
    assert parse_spacing(72.5) == 72.5
    assert parse_name("  A ") == "A"
    assert spacing_for_api(80.0) == 80
    assert spacing_for_api(72.5) == 72.5
    for bad, parse in [
        ("256", parse_bed_size),
        ("0x10", parse_bed_size),
        (51, parse_shelf_count),
        (2.0, parse_shelf_count),
        (0.0, parse_spacing),
        (1001, parse_spacing),
        (True, parse_spacing),
        ("", parse_name),
    ]:
        with pytest.raises(InvalidRackError):
            parse(bad)


def test_resize_keeps_ids_and_refuses_to_drop_plates() -> None:
    ids = itertools.count(1)
    rack = Rack(1, "A", 80.0, "256x256")
    rack.resize(3, lambda: next(ids))
    assert [(s.id, s.shelf_number) for s in rack.shelves] == [(1, 1), (2, 2), (3, 3)]
    rack.shelves[2].set_state(ShelfState.EMPTY_PLATE, None)
    with pytest.raises(InvalidRackError):
        rack.resize(2, lambda: next(ids))
    rack.resize(4, lambda: next(ids))
    assert rack.shelf_by_number(4).id == 4
    assert rack.shelf_by_number(5) is None
    assert rack.shelf_by_id(4) is rack.shelves[3]
    assert rack.shelf_by_id(9) is None
    rack.shelves[2].set_state(ShelfState.NO_PLATE, None)
    removed = rack.resize(1, lambda: next(ids))
    assert [s.id for s in removed] == [2, 3, 4]
    assert rack.number_of_shelves == 1
