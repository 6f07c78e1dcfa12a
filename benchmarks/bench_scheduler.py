"""Benchmark: the cost of one scheduling decision (``farm.orchestration.scheduler.plan``).

Builds synthetic farms (printers of mixed models and filaments, four printers per OttoEject,
one six-shelf rack each, partly filled) with a queue of mixed jobs and times ``plan()``:

- ``shared items``: 200 print items, many copies each (the usual farm);
- ``one item per job``: every job its own item (compatibility cannot be shared);
- ``racks full``: no free shelf anywhere (every job starts with ``store_slot`` None);
- ``nothing fits``: the queue is all PETG and no printer has it (every job gets a reason).

    scripts/run python -m benchmarks.bench_scheduler [--repeat 5]

Prints milliseconds per decision (best and median of ``--repeat`` runs). Not run by the tests.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import random
import statistics
import time
from typing import Any

from custom_components.ottoengine.farm.jobs import JobSettings, PrintJob
from custom_components.ottoengine.farm.orchestration.profiles import (
    default_bed_position,
    default_macros,
)
from custom_components.ottoengine.farm.orchestration.scheduler import FreePrinter, Plan, plan
from custom_components.ottoengine.farm.orchestration.topology import (
    ClearingMethod,
    LoadedFilament,
    PrinterSetup,
)
from custom_components.ottoengine.farm.print_items import PrintItem
from custom_components.ottoengine.farm.racks import Rack, Shelf, ShelfState

NOW = datetime(2025, 5, 21, 10, 0, tzinfo=UTC)
MODELS = ("P1S", "X1C", "A1", "P1P")
LOADED = {
    "PLA": (LoadedFilament("PLA Basic", "#FFFFFF"),),
    "PETG": (LoadedFilament("PETG", "#000000"),),
    "PLA+ABS": (LoadedFilament("PLA", "#FF0000"), LoadedFilament("ABS", "#00FF00")),
}


@dataclass
class Farm:
    jobs: list[PrintJob]
    items: dict[int, PrintItem]
    free: list[FreePrinter]
    racks: dict[int, Rack]
    heights: dict[int, float | None]

    def decide(self) -> Plan:
        return plan(
            self.jobs,
            self.items,
            self.free,
            self.racks,
            heights=self.heights,
            reserved={},
            now=NOW,
        )


def _setup(printer_id: int, rng: random.Random, *, petg: bool) -> PrinterSetup:
    model = rng.choice(MODELS)
    loaded = LOADED[rng.choice(["PLA", "PETG", "PLA+ABS"] if petg else ["PLA", "PLA+ABS"])]
    clearing = ClearingMethod.MANUAL if printer_id % 10 == 9 else ClearingMethod.OTTOEJECT
    return PrinterSetup(
        printer_id=printer_id,
        name=f"{model}-{printer_id}",
        brand="Bambu Lab",
        model=model,
        ottoeject_id=printer_id // 4,
        clearing=clearing,
        macros=default_macros("Bambu Lab", model),
        bed=default_bed_position(model),
        nozzle_diameter_mm=0.4,
        filaments=loaded,
    )


def build(
    printers: int,
    jobs: int,
    *,
    items: int | None = 200,
    full: bool = False,
    petg: bool = True,
    seed: int = 1,
) -> Farm:
    rng = random.Random(seed)
    heights: dict[int, float | None] = {}
    racks: dict[int, Rack] = {}
    for rack_id in range((printers + 3) // 4):
        shelves = []
        for number in range(1, 7):
            shelf = Shelf(rack_id * 10 + number, number)
            roll = rng.random()
            if full or roll < 0.3:
                stored = 1_000_000 + rack_id * 10 + number
                shelf.state, shelf.print_job_id = ShelfState.WITH_PRINT, stored
                heights[stored] = rng.choice([None, 20.0, 60.0, 150.0])
            elif roll < 0.55:
                shelf.state = ShelfState.EMPTY_PLATE
            shelves.append(shelf)
        racks[rack_id] = Rack(rack_id, f"rack-{rack_id}", 80.0, "256x256", shelves)
    free = [
        FreePrinter(setup, setup.ottoeject_id, (printer_id // 4,))
        for printer_id in range(printers)
        for setup in [_setup(printer_id, rng, petg=petg)]
    ]
    count = jobs if items is None else items
    materials = ["PETG"] if not petg else ["PLA", "PETG", "ABS", "PLA"]
    catalogue = {
        item_id: PrintItem(
            item_id,
            f"part{item_id}.gcode.3mf",
            f"{item_id}.3mf",
            1000,
            f"{item_id:064x}",
            NOW,
            {
                "max_z_height_mm": rng.choice([None, rng.uniform(2, 250)]),
                "printer_model": rng.choice([None, "C12", "N2S", "BL-P001"]),
                "nozzle_diameter_mm": 0.4,
                "filaments": [
                    {"index": 1, "type": rng.choice(materials), "color": "#FFFFFF", "used_g": 5.0}
                ],
            },
        )
        for item_id in range(count)
    }
    queue = [
        PrintJob.create(
            job_id,
            job_id if items is None else rng.randrange(count),
            "part.gcode.3mf",
            JobSettings(
                auto_start=True,
                priority=rng.randint(1, 5),
                printer_id=rng.randrange(printers) if rng.random() < 0.05 else None,
            ),
            NOW - timedelta(seconds=rng.randrange(100_000)),
        )
        for job_id in range(jobs)
    ]
    return Farm(queue, catalogue, free, racks, heights)


SCENARIOS: dict[str, dict[str, Any]] = {
    "shared items": {},
    "one item per job": {"items": None},
    "racks full": {"full": True},
    "nothing fits": {"petg": False},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'farm':>18} {'scenario':>18} {'best ms':>9} {'median ms':>10} {'started':>8}")
    for printers, jobs in ((100, 1_000), (300, 10_000)):
        for name, options in SCENARIOS.items():
            farm = build(printers, jobs, **options)
            times: list[float] = []
            result: Plan | None = None
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = farm.decide()
                times.append((time.perf_counter() - start) * 1000)
            assert result is not None
            print(
                f"{f'{printers} x {jobs:,}':>18} {name:>18} {min(times):9.1f} "
                f"{statistics.median(times):10.1f} {len(result.assignments):8}"
            )


if __name__ == "__main__":
    main()
