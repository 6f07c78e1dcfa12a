"""One scheduling decision: order, printer choice, shelves, reservations, reasons to wait."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set as AbstractSet
from datetime import datetime, timedelta
import random

from custom_components.ottoengine.farm.jobs import PrintJob
from custom_components.ottoengine.farm.orchestration.compatibility import can_print, why_nobody
from custom_components.ottoengine.farm.orchestration.scheduler import (
    Assignment,
    FreePrinter,
    Plan,
    plan,
)
from custom_components.ottoengine.farm.orchestration.shelves import (
    clearance_mm,
    needed_clearance_mm,
)
from custom_components.ottoengine.farm.orchestration.topology import (
    ClearingMethod,
    LoadedFilament,
    PrinterSetup,
)
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.racks import Rack, ShelfState

from .builders import T0, item, job, printer, rack

MANUAL = ClearingMethod.MANUAL
PLA = (LoadedFilament("PLA", "#FFFFFF"),)
PETG = (LoadedFilament("PETG", "#000000"),)
FILAMENT_CHOICES: list[list[tuple[str | None, str | None]]] = [
    [],
    [("PLA", "#FFFFFF")],
    [("PETG", None)],
    [("PLA", None), ("ABS", None)],
]


def robot(setup: PrinterSetup, *rack_ids: int) -> FreePrinter:
    return FreePrinter(setup, 1, rack_ids)


def manual(setup: PrinterSetup) -> FreePrinter:
    return FreePrinter(setup, None, ())


def decide(
    jobs: Sequence[PrintJob],
    items: Sequence[PrintItem],
    free: Sequence[FreePrinter],
    racks: Sequence[Rack] = (),
    *,
    heights: Mapping[int, float | None] | None = None,
    reserved: Mapping[int, AbstractSet[int]] | None = None,
    reserved_heights: Mapping[int, Mapping[int, float | None]] | None = None,
    start_after: Mapping[int, datetime] | None = None,
    busy: Sequence[FreePrinter] = (),
    match_color: bool = False,
) -> Plan:
    return plan(
        jobs,
        {entry.id: entry for entry in items},
        free,
        {entry.id: entry for entry in racks},
        heights=heights or {},
        reserved=reserved or {},
        now=T0,
        start_after=start_after,
        reserved_heights=reserved_heights,
        busy=busy,
        match_color=match_color,
    )


def placed(result: Plan) -> dict[int, int]:
    """job id -> printer id."""
    return {entry.job_id: entry.printer_id for entry in result.assignments}


# -- order and printers ------------------------------------------------------------------------


def test_priority_then_age_then_id() -> None:
    jobs = [
        job(1, priority=2, age_min=100),
        job(2, priority=1, age_min=5),
        job(3, priority=1, age_min=10),
        job(4, priority=1, age_min=10),
    ]
    one = [manual(printer(1, clearing=MANUAL))]
    assert placed(decide(jobs, [item()], one)) == {3: 1}
    two = [manual(printer(1, clearing=MANUAL)), manual(printer(2, clearing=MANUAL))]
    assert placed(decide(jobs, [item()], two)) == {3: 1, 4: 2}
    four = [manual(printer(n, clearing=MANUAL)) for n in range(1, 5)]
    assert [a.job_id for a in decide(jobs, [item()], four).assignments] == [3, 4, 2, 1]


def test_copies_spread_over_printers_one_job_each() -> None:
    jobs = [job(n) for n in range(1, 6)]
    free = [manual(printer(n, clearing=MANUAL)) for n in (7, 8, 9)]
    result = decide(jobs, [item()], free)
    assert placed(result) == {1: 7, 2: 8, 3: 9}
    assert result.waiting == {}  # jobs 4 and 5 merely wait for a printer


def test_fixed_printer() -> None:
    free = [manual(printer(1, clearing=MANUAL)), manual(printer(2, clearing=MANUAL))]
    result = decide([job(1, printer_id=2), job(2)], [item()], free)
    assert placed(result) == {1: 2, 2: 1}


def test_fixed_printer_taken_or_busy_waits_without_reason() -> None:
    free = [manual(printer(1, clearing=MANUAL))]
    result = decide(
        [job(1, printer_id=1), job(2, printer_id=1), job(3, printer_id=5)], [item()], free
    )
    assert placed(result) == {1: 1}
    assert result.waiting == {}


def test_fixed_printer_that_cannot_print_it() -> None:
    free = [manual(printer(1, clearing=MANUAL, filaments=PLA)), manual(printer(2, clearing=MANUAL))]
    result = decide([job(1, printer_id=1)], [item(filaments=[("PETG", None)])], free)
    assert result.assignments == ()
    assert result.waiting == {1: "printer 'P1S-1' has no PETG loaded"}


def test_only_compatible_printers() -> None:
    free = [
        manual(printer(1, clearing=MANUAL, filaments=PLA)),
        manual(printer(2, clearing=MANUAL, filaments=PETG)),
    ]
    items = [item(1, filaments=[("PETG", None)]), item(2, filaments=[("PLA", None)])]
    result = decide([job(1, 1), job(2, 1), job(3, 2)], items, free)
    assert placed(result) == {1: 2, 3: 1}
    assert result.waiting == {}


def test_nobody_can_print_it() -> None:
    free = [manual(printer(1, clearing=MANUAL, filaments=PLA))]
    busy = [manual(printer(2, clearing=MANUAL, filaments=PLA))]
    items = [item(1, filaments=[("PETG", None)]), item(2, height=300.0)]
    result = decide([job(1, 1), job(2, 2)], items, free, busy=busy)
    assert result.assignments == ()
    assert result.waiting == {
        1: "no printer has PETG loaded",
        2: "no printer is tall enough (300 mm)",
    }


def test_a_busy_printer_that_could_print_it_means_no_reason() -> None:
    free = [manual(printer(1, clearing=MANUAL, filaments=PLA))]
    busy = [manual(printer(2, clearing=MANUAL, filaments=PETG))]
    result = decide([job(1)], [item(filaments=[("PETG", None)])], free, busy=busy)
    assert result.assignments == ()
    assert result.waiting == {}


def test_colour_matching_is_optional() -> None:
    free = [manual(printer(1, clearing=MANUAL, filaments=PLA))]
    red = [item(filaments=[("PLA", "#FF0000")])]
    assert placed(decide([job(1)], red, free)) == {1: 1}
    result = decide([job(1)], red, free, match_color=True)
    assert result.waiting == {1: "no printer has PLA in #FF0000 loaded"}


def test_start_after() -> None:
    free = [manual(printer(1, clearing=MANUAL)), manual(printer(2, clearing=MANUAL))]
    later = {1: T0 + timedelta(hours=2), 2: T0 - timedelta(minutes=1), 3: T0}
    result = decide([job(1), job(2), job(3)], [item()], free, start_after=later)
    assert placed(result) == {2: 1, 3: 2}
    assert result.waiting == {1: "scheduled for 2025-05-21T12:00:00.000Z"}


def test_missing_item_or_rack() -> None:
    free = [manual(printer(1, clearing=MANUAL))]
    result = decide([job(1, item_id=9), job(2, rack_id=4)], [item()], free)
    assert result.assignments == ()
    assert result.waiting == {1: "print item 9 does not exist", 2: "rack 4 does not exist"}


def test_manual_printers_get_no_rack() -> None:
    result = decide(
        [job(1, rack_id=1, store_slot=1)],
        [item()],
        [manual(printer(1, clearing=MANUAL))],
        [rack(". . E")],
    )
    assert result.assignments == (Assignment(1, 1, None, None, None, None),)


# -- shelves -----------------------------------------------------------------------------------


def test_store_and_grab_shelf() -> None:
    result = decide([job(1)], [item(height=50.0)], [robot(printer(1), 1)], [rack(". . . . E .")])
    # Shelves 4 and 6 fit best (80 mm); small prints prefer low shelves; grab next to it.
    assert result.assignments == (Assignment(1, 1, 1, 4, 5, 80.0),)


def test_grab_none_without_empty_plates() -> None:
    result = decide([job(1)], [item(height=50.0)], [robot(printer(1), 1)], [rack(". . .")])
    assert result.assignments == (Assignment(1, 1, 1, 3, None, 80.0),)


def test_reservations_within_one_plan() -> None:
    shelves = rack(". . . . E E")
    free = [robot(printer(1), 1), robot(printer(2), 1), robot(printer(3), 1)]
    items = [item(1, height=150.0), item(2, height=50.0)]
    result = decide([job(1, 1), job(2, 1), job(3, 2)], items, free, [shelves])
    first, second, third = result.assignments
    # 150 mm needs 160: shelves 3 (160 mm) fits best; it also takes shelf 4 above it.
    assert (first.store_slot, first.grab_slot, first.clearance_mm) == (3, 5, 160.0)
    # Shelves 3-4 are taken now: the second tall print needs shelves 1-2.
    assert (second.store_slot, second.grab_slot, second.clearance_mm) == (1, 6, 160.0)
    # Nothing left for the small one: it starts anyway and waits for a shelf.
    assert (third.printer_id, third.store_slot, third.grab_slot) == (3, None, None)


def test_reservations_of_other_workflows() -> None:
    shelves = rack(". . . . E .")
    free = [robot(printer(1), 1)]
    result = decide(
        [job(1)],
        [item(height=50.0)],
        free,
        [shelves],
        reserved={1: {6, 5}},
        reserved_heights={1: {3: 100.0}},
    )
    # 6 and 5 (its grab) are another workflow's; 3 and 4 hold a 100 mm print to come.
    assert result.assignments == (Assignment(1, 1, 1, 2, None, 80.0),)


def test_stored_prints_block_the_shelves_they_reach_into() -> None:
    shelves = rack("P50 . . . E .")
    result = decide(
        [job(1)], [item(height=100.0)], [robot(printer(1), 1)], [shelves], heights={50: 200.0}
    )
    # Shelves 2-3 are reached into by the 200 mm print; shelf 4 offers 80, shelf 6 80: none
    # fits 110 mm, so the job starts and waits on the printer for a shelf.
    assert result.assignments == (Assignment(1, 1, None, None, None, None),)


def test_too_tall_for_every_rack_waits() -> None:
    result = decide([job(1)], [item(height=250.0)], [robot(printer(1), 1)], [rack(". . .")])
    assert result.assignments == ()
    assert result.waiting == {1: "no printer's rack has room for the print (250 mm)"}


def test_too_tall_for_the_rack_but_a_manual_printer_takes_it() -> None:
    free = [robot(printer(1), 1), manual(printer(2, clearing=MANUAL))]
    result = decide([job(1)], [item(height=250.0)], free, [rack(". . .")])
    assert placed(result) == {1: 2}


def test_printer_without_a_rack() -> None:
    result = decide([job(1)], [item()], [robot(printer(1))])
    assert result.waiting == {
        1: "no compatible printer: printer 'P1S-1' has no rack to store prints on"
    }


def test_a_printer_that_can_store_now_is_preferred() -> None:
    full, free_rack = rack("E E E", rack_id=1), rack(". . E", rack_id=2, name="rack-2")
    free = [robot(printer(1), 1), robot(printer(2), 2)]
    result = decide([job(1), job(2)], [item(height=20.0)], free, [full, free_rack])
    assert result.assignments == (
        Assignment(1, 2, 2, 2, 3, 80.0),
        Assignment(2, 1, None, None, None, None),
    )


def test_best_rack_of_several_prefers_one_with_plates_to_grab() -> None:
    no_plates, with_plates = rack(". .", rack_id=1), rack(". . E", rack_id=2, name="rack-2")
    result = decide(
        [job(1)], [item(height=20.0)], [robot(printer(1), 1, 2)], [no_plates, with_plates]
    )
    assert result.assignments == (Assignment(1, 1, 2, 2, 3, 80.0),)


def test_explicit_slots_are_kept_while_valid() -> None:
    shelves = rack(". . . E E .")
    setup = [robot(printer(1), 1)]
    mine = job(1, rack_id=1, store_slot=1, grab_slot=4)
    assert decide([mine], [item(height=50.0)], setup, [shelves]).assignments == (
        Assignment(1, 1, 1, 1, 4, 240.0),
    )
    # Shelf 1 reserved by another workflow, shelf 4 too: both chosen anew.
    result = decide([mine], [item(height=50.0)], setup, [shelves], reserved={1: {1, 4}})
    assert result.assignments == (Assignment(1, 1, 1, 3, 5, 80.0),)


def test_explicit_store_that_is_too_low_is_replaced() -> None:
    shelves = rack(". E . . . .")
    mine = job(1, rack_id=1, store_slot=1)
    result = decide([mine], [item(height=100.0)], [robot(printer(1), 1)], [shelves])
    assert result.assignments == (Assignment(1, 1, 1, 5, 2, 160.0),)


def test_job_rack_choice_limits_printers_and_racks() -> None:
    one, two = rack(". E", rack_id=1), rack(". E", rack_id=2, name="rack-2")
    free = [robot(printer(1), 1), robot(printer(2), 1, 2)]
    result = decide([job(1, rack_id=2)], [item(height=20.0)], free, [one, two])
    assert result.assignments == (Assignment(1, 2, 2, 1, 2, 80.0),)
    only_one = decide([job(1, rack_id=2)], [item(height=20.0)], free[:1], [one, two])
    assert only_one.waiting == {
        1: "no compatible printer: printer 'P1S-1' does not store on rack 'rack-2'"
    }


def test_unknown_height_fits_any_free_shelf() -> None:
    result = decide([job(1)], [item(height=None)], [robot(printer(1), 1)], [rack("E . E")])
    assert result.assignments == (Assignment(1, 1, 1, 2, 1, 80.0),)


def test_inputs_are_not_changed() -> None:
    shelves = rack(". . E")
    reserved: dict[int, set[int]] = {1: set()}
    heights: dict[int, float | None] = {}
    decide(
        [job(1)], [item()], [robot(printer(1), 1)], [shelves], reserved=reserved, heights=heights
    )
    assert reserved == {1: set()}
    assert heights == {}
    assert shelves.as_dict() == rack(". . E").as_dict()


def test_a_large_farm_is_planned() -> None:
    """300 printers, 10,000 queued jobs: runs (the timing lives in benchmarks/)."""
    rng = random.Random(3)
    racks = [rack(" ".join(rng.choice(". . E") for _ in range(6)), rack_id=n) for n in range(75)]
    free = [
        robot(
            printer(n, rng.choice(["P1S", "X1C", "A1"]), filaments=rng.choice([PLA, PETG])), n // 4
        )
        for n in range(300)
    ]
    items = [
        item(n, height=rng.uniform(5, 250), filaments=[(rng.choice(["PLA", "PETG", "ABS"]), None)])
        for n in range(200)
    ]
    jobs = [
        job(n, rng.randrange(200), priority=rng.randint(1, 5), age_min=rng.uniform(0, 1000))
        for n in range(10_000)
    ]
    result = decide(jobs, items, free, racks)
    assert 0 < len(result.assignments) <= 300
    assert len({a.printer_id for a in result.assignments}) == len(result.assignments)
    stored = [(a.rack_id, a.store_slot) for a in result.assignments if a.store_slot is not None]
    assert len(stored) == len(set(stored))


# -- reasons and printer choice across heights -----------------------------------------------


def test_reasons_name_each_jobs_own_height() -> None:
    free = [manual(printer(1, clearing=MANUAL)), manual(printer(2, "X1C", clearing=MANUAL))]
    items = [item(1, height=300.0), item(2, height=280.0), item(3, height=None)]
    result = decide([job(1, 1), job(2, 2), job(3, 3)], items, free)
    assert placed(result) == {3: 1}
    assert result.waiting == {
        1: "no printer is tall enough (300 mm)",
        2: "no printer is tall enough (280 mm)",
    }


def test_mixed_reasons_name_the_first_printer_with_the_jobs_height() -> None:
    free = [
        manual(printer(1, "A1 mini", clearing=MANUAL)),
        manual(printer(2, clearing=MANUAL, filaments=PLA)),
    ]
    items = [
        item(1, height=200.0, filaments=[("PETG", None)]),
        item(2, height=210.0, filaments=[("PETG", None)]),
    ]
    result = decide([job(1, 1), job(2, 2)], items, free)
    assert result.waiting == {
        1: "no compatible printer: printer 'A1 mini-1' builds up to 180 mm; the print is 200 mm tall",
        2: "no compatible printer: printer 'A1 mini-1' builds up to 180 mm; the print is 210 mm tall",
    }


def test_fixed_printer_whose_racks_are_too_short() -> None:
    result = decide(
        [job(1, printer_id=1)], [item(height=250.0)], [robot(printer(1), 1)], [rack(". . .")]
    )
    assert result.waiting == {
        1: "printer 'P1S-1' stores on racks at most 240 mm tall; the print needs 260 mm"
    }


def test_tall_jobs_go_to_tall_printers_short_ones_to_the_first_free() -> None:
    free = [
        manual(printer(1, "A1 mini", clearing=MANUAL)),
        manual(printer(2, "H2D", clearing=MANUAL)),
    ]
    items = [item(1, height=300.0), item(2, height=50.0)]
    tall_first = decide([job(1, 1, age_min=2), job(2, 2, age_min=1)], items, free)
    assert placed(tall_first) == {1: 2, 2: 1}
    short_first = decide([job(1, 2, age_min=2), job(2, 1, age_min=1)], items, free)
    assert placed(short_first) == {1: 1, 2: 2}
    # The short job took the only tall printer: the tall one waits for it, without a reason.
    both_short = decide(
        [job(1, 2, age_min=3), job(2, 2, age_min=2), job(3, 1, age_min=1)], items, free
    )
    assert placed(both_short) == {1: 1, 2: 2}
    assert both_short.waiting == {}


def test_agrees_with_can_print_on_random_farms() -> None:
    """Manual printers only: a job waits with ``why_nobody`` over every printer's ``can_print``
    exactly when no printer can print it; otherwise it starts or waits without a reason."""
    rng = random.Random(5)
    models = ["P1S", "X1C", "A1", "A1 mini", "H2D", "Voron"]
    loads = [(), PLA, PETG, (*PLA, *PETG), (LoadedFilament("ABS", None),)]
    for _ in range(60):
        setups = [
            printer(
                n,
                rng.choice(models),
                clearing=MANUAL,
                nozzle=rng.choice([None, 0.4, 0.6]),
                filaments=rng.choice(loads),
            )
            for n in range(rng.randint(0, 8))
        ]
        split = rng.randint(0, len(setups))
        free = [manual(s) for s in setups[:split]]
        busy = [manual(s) for s in setups[split:]]
        items = [
            item(
                n,
                height=rng.choice(
                    [None, 20.0, 179.0, 181.0, 255.0, 300.0, 330.0, rng.uniform(1, 400)]
                ),
                model=rng.choice([None, "C12", "N1", "O1D", "N2S"]),
                nozzle=rng.choice([None, 0.4, 0.6]),
                filaments=rng.choice(FILAMENT_CHOICES),
            )
            for n in range(6)
        ]
        jobs = [job(n, rng.randrange(6), age_min=rng.uniform(0, 9)) for n in range(20)]
        color = rng.random() < 0.3
        result = decide(jobs, items, free, busy=busy, match_color=color)
        started = placed(result)
        for one in jobs:
            wanted = items[one.print_item_id]
            reasons = [can_print(s, wanted, match_color=color) for s in setups]
            if all(reason is not None for reason in reasons):
                assert one.id not in started
                expected = why_nobody([r for r in reasons if r is not None], wanted)
                assert result.waiting.get(one.id) == expected
            else:
                assert one.id not in result.waiting
                if one.id not in started:  # every free printer that could print it is taken
                    able = {
                        f.setup.printer_id
                        for f in free
                        if can_print(f.setup, wanted, match_color=color) is None
                    }
                    assert able <= set(started.values())
                if one.id in started:
                    setup = next(s for s in setups if s.printer_id == started[one.id])
                    assert can_print(setup, wanted, match_color=color) is None
        assert len(set(started.values())) == len(started) <= len(free)


def test_planned_shelves_never_collide_on_random_farms() -> None:
    """Every planned store shelf fits its print given everything else the plan reserved."""
    rng = random.Random(8)
    for _ in range(150):
        racks = [
            rack(
                " ".join(rng.choice([".", ".", "E", "P900"]) for _ in range(rng.randint(1, 8))),
                rack_id=n,
                spacing=rng.choice([50.0, 80.0]),
                name=f"rack-{n}",
            )
            for n in range(rng.randint(1, 3))
        ]
        free = [
            robot(printer(n), *rng.sample(range(len(racks)), rng.randint(1, len(racks))))
            for n in range(rng.randint(1, 8))
        ]
        items = [
            item(n, height=rng.choice([None, 5.0, 70.0, 150.0, rng.uniform(1, 300)]))
            for n in range(5)
        ]
        jobs = [job(n, rng.randrange(5)) for n in range(12)]
        heights = {900: rng.choice([None, 10.0, 100.0, 200.0])}
        result = decide(jobs, items, free, racks, heights=heights)
        by_id = {entry.id: entry for entry in racks}
        height_of = {one.id: items[one.print_item_id].max_z_height_mm for one in jobs}
        for mine in result.assignments:
            if mine.store_slot is None:
                assert (mine.grab_slot, mine.clearance_mm) == (None, None)
                continue
            assert mine.rack_id is not None
            others = [a for a in result.assignments if a is not mine and a.rack_id == mine.rack_id]
            reserved = {a.grab_slot for a in others if a.grab_slot is not None}
            stores = {a.store_slot: height_of[a.job_id] for a in others if a.store_slot is not None}
            assert mine.store_slot not in stores
            assert mine.grab_slot is None or mine.grab_slot not in reserved
            shelves = by_id[mine.rack_id]
            room = clearance_mm(
                shelves,
                mine.store_slot,
                heights=heights,
                reserved=reserved,
                reserved_heights=stores,
            )
            assert mine.clearance_mm is not None
            assert room <= mine.clearance_mm  # later assignments may take shelves above it
            assert room >= needed_clearance_mm(shelves, height_of[mine.job_id])
            if mine.grab_slot is not None:
                grab = shelves.shelf_by_number(mine.grab_slot)
                assert grab is not None
                assert grab.state is ShelfState.EMPTY_PLATE
