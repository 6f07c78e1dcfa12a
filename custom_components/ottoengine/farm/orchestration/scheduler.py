"""One scheduling decision: which queued job starts on which free printer, and where it stores.

``plan`` is pure: it reads the queue, the free printers and the racks and answers a ``Plan``
(nothing is changed). Rules:

- jobs are taken by priority (1 first), then age (``created_at``, then id);
- a job runs on its ``settings.printer_id`` if set, else on any compatible printer
  (``compatibility``); each free printer takes at most one job per plan, so copies of an item
  spread over the printers;
- among several suitable free printers the first (in ``free``'s order) that can store the print
  right away wins (manual-clearing printers always can), else the first one;
- an OttoEject-cleared printer gets a store shelf (the job's own rack/store/grab choice if still
  valid, else the best shelf of its racks, ``shelves.choose_store_shelf``; racks that also have
  an empty plate to grab come first) and the grab shelf nearest it (``None``: no empty plate,
  the printer waits for plates after storing);
- when no shelf is free now the job still starts (``store_slot`` ``None``: the print waits on
  the printer until a shelf frees up), unless the print can never fit on the printer's racks;
- shelves reserved by earlier assignments of the same plan count for later ones.

``waiting`` holds only jobs that cannot start even when printers free up: scheduled for later,
printable by no printer of the farm (free or ``busy``), missing item or rack, a fixed printer
that cannot print it. A job that merely waits for a suitable printer to become free (its fixed
printer busy or offline, every suitable printer taken) has no entry. Pass the farm's busy
printers as ``busy`` so that a job only a busy printer can print is not reported as printable
by nobody.

Cost: printers are grouped into pools (same capabilities, clearing and racks); compatibility is
decided once per (pool, item requirements but the height), the height against each pool's
limits (build height, tallest rack); reasons once per band of heights; shelf choices once per
rack and height until a reservation changes the rack. A job costs about the number of pools
that still have free printers, and O(1) once every free printer is taken.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime
import math

from ..clock import to_iso
from ..jobs import PrintJob
from ..print_items import PrintItem
from ..racks import Rack, ShelfState
from .compatibility import (
    Capabilities,
    Mismatch,
    Requirements,
    height_mismatch,
    model_mismatch,
    tool_mismatch,
    why_nobody,
)
from .shelves import (
    HEIGHT_MARGIN_MM as MARGIN,
    ShelfChoice,
    best_store_shelf,
    choose_grab_shelf,
    clearances,
    fits,
    rack_height_mm,
)
from .topology import ClearingMethod, PrinterSetup


@dataclass(frozen=True, slots=True)
class FreePrinter:
    """A printer as the scheduler sees it; ``rack_ids``: the racks its OttoEject serves."""

    setup: PrinterSetup
    ejector_id: int | None
    rack_ids: tuple[int, ...]  # manual-clearing printers: may be empty


@dataclass(frozen=True, slots=True)
class Assignment:
    """Start ``job_id`` on ``printer_id``; store on ``store_slot`` of ``rack_id``, then grab.

    Manual-clearing printers: rack and slots ``None``. ``store_slot`` ``None`` on an OttoEject
    printer: no shelf is free now; the workflow chooses store and grab shelves once the print
    is done (``rack_id`` is then the job's own rack choice, if any).
    """

    job_id: int
    printer_id: int
    rack_id: int | None
    store_slot: int | None
    grab_slot: int | None
    clearance_mm: float | None


@dataclass(frozen=True, slots=True)
class Plan:
    """The assignments to start now and, per job id, why a job cannot start."""

    assignments: tuple[Assignment, ...]
    waiting: Mapping[int, str]


@dataclass(slots=True)
class _RackState:
    """A rack with this plan's reservations; caches its clearances until they change."""

    rack: Rack
    heights: Mapping[int, float | None]
    reserved: set[int]
    store_heights: dict[int, float | None]
    _room: dict[int, float] | None = None
    _best: dict[float | None, ShelfChoice | None] = field(default_factory=dict)
    _has_plate: bool | None = None

    def room(self) -> dict[int, float]:
        if self._room is None:
            self._room = clearances(
                self.rack,
                heights=self.heights,
                reserved=self.reserved,
                reserved_heights=self.store_heights,
            )
        return self._room

    def best(self, height_mm: float | None) -> ShelfChoice | None:
        if height_mm not in self._best:
            self._best[height_mm] = best_store_shelf(self.rack, height_mm, self.room())
        return self._best[height_mm]

    def has_empty_plate(self) -> bool:
        if self._has_plate is None:
            self._has_plate = choose_grab_shelf(self.rack, None, reserved=self.reserved) is not None
        return self._has_plate

    def store_fits(self, shelf_number: int, height_mm: float | None) -> bool:
        return fits(self.rack, height_mm, self.room().get(shelf_number, 0.0))

    def grab_ok(self, shelf_number: int, store_shelf: int) -> bool:
        shelf = self.rack.shelf_by_number(shelf_number)
        return (
            shelf is not None
            and shelf.state is ShelfState.EMPTY_PLATE
            and shelf_number not in self.reserved
            and shelf_number != store_shelf
        )

    def reserve(self, store: int, height_mm: float | None, grab: int | None) -> None:
        self.store_heights[store] = height_mm
        self.reserved.add(store)
        if grab is not None:
            self.reserved.add(grab)
        self._room = None
        self._best.clear()
        self._has_plate = None


@dataclass(slots=True)
class _Printer:
    index: int
    info: FreePrinter
    free: bool
    pool: _Pool | None = None


@dataclass(slots=True)
class _Pool:
    """Printers that are interchangeable for compatibility: same capabilities, clearing, racks."""

    id: int
    capabilities: Capabilities
    clearing: ClearingMethod
    rack_ids: tuple[int, ...]
    name: str  # a member's name, for farm-level reasons
    free: list[_Printer] = field(default_factory=list)
    next: int = 0

    def next_free(self, taken: AbstractSet[int]) -> _Printer | None:
        while self.next < len(self.free):
            printer = self.free[self.next]
            if printer.index not in taken:
                return printer
            self.next += 1
        return None


@dataclass(frozen=True, slots=True)
class _Entry:
    """One pool judged for one kind of job (its requirements but the height, its rack choice).

    What fails regardless of the print's height is decided once (``before``: the model;
    ``after``: nozzle, filament, racks); the height is compared with ``build_mm`` (the printer)
    and ``rack_mm`` (the tallest rack it stores on; ``None``: not checked).
    """

    pool: _Pool
    before: Mismatch | None
    build_mm: float | None
    after: Mismatch | None
    rack_mm: float | None
    capabilities: Capabilities

    @property
    def compatible(self) -> bool:
        return self.before is None and self.after is None

    @property
    def tallest_mm(self) -> float:
        """The tallest print it takes (for sorting; ``fits`` decides exactly)."""
        limits = [
            limit
            for limit in (self.build_mm, None if self.rack_mm is None else self.rack_mm - MARGIN)
            if limit is not None
        ]
        return min(limits, default=math.inf)

    def too_tall(self, height_mm: float | None) -> bool:
        return height_mismatch(self.capabilities, height_mm) is not None

    def too_tall_for_racks(self, height_mm: float | None) -> bool:
        return (
            height_mm is not None and self.rack_mm is not None and height_mm + MARGIN > self.rack_mm
        )

    def fits(self, height_mm: float | None) -> bool:
        return (
            self.compatible
            and not self.too_tall(height_mm)
            and not self.too_tall_for_racks(height_mm)
        )

    def mismatch(self, height_mm: float | None) -> Mismatch | None:
        """The first check failed, in ``can_print``'s order, then the racks."""
        found = self.before or height_mismatch(self.capabilities, height_mm) or self.after
        if found is None and self.too_tall_for_racks(height_mm):
            assert height_mm is not None
            assert self.rack_mm is not None
            return Mismatch(
                "rack_height",
                f"{height_mm + MARGIN:g}",
                f"stores on racks at most {self.rack_mm:g} mm tall; the print needs "
                f"{height_mm + MARGIN:g} mm",
            )
        return found


@dataclass(slots=True)
class _Why:
    """Why nobody prints a kind of job, for one band of heights (every pool fails the same way)."""

    message: str | None  # the same for every height of the band, else None
    first: _Entry
    other: _Entry | None  # a pool failing in another way than ``first`` (mixed reasons)


@dataclass(slots=True)
class _Kind:
    """The pools for one kind of job: requirements (but the height) and the job's rack choice."""

    entries: list[_Entry]
    by_id: dict[int, _Entry]
    ranked: list[_Entry]  # the compatible ones, tallest first
    live: list[_Entry]  # ``ranked`` with free printers (pruned lazily)
    builds: list[float]  # sorted build heights, to band heights for ``why``
    racks: list[float]  # sorted rack heights
    why: dict[tuple[int, int], _Why] = field(default_factory=dict)

    def band(self, height_mm: float | None) -> tuple[int, int]:
        if height_mm is None:
            return (-1, -1)
        return (bisect_left(self.builds, height_mm), bisect_left(self.racks, height_mm + MARGIN))

    def suitable(self, height_mm: float | None) -> bool:
        """Whether some printer of the farm (free or not) can take the job."""
        for entry in self.ranked:
            if height_mm is not None and height_mm > entry.tallest_mm + _EPSILON:
                return False
            if entry.fits(height_mm):
                return True
        return False


_EPSILON = 1e-6


class _Planner:
    def __init__(
        self,
        free: Sequence[FreePrinter],
        busy: Sequence[FreePrinter],
        racks: Mapping[int, Rack],
        *,
        heights: Mapping[int, float | None],
        reserved: Mapping[int, AbstractSet[int]],
        reserved_heights: Mapping[int, Mapping[int, float | None]],
        match_color: bool,
    ) -> None:
        self.racks = racks
        self.match_color = match_color
        self.rack_states = {
            rack_id: _RackState(
                rack,
                heights,
                {*reserved.get(rack_id, ()), *reserved_heights.get(rack_id, {})},
                dict(reserved_heights.get(rack_id, {})),
            )
            for rack_id, rack in racks.items()
        }
        self.printers: dict[int, _Printer] = {}
        self.pools: list[_Pool] = []
        pools: dict[tuple[Capabilities, ClearingMethod, tuple[int, ...]], _Pool] = {}
        for is_free, group in ((True, free), (False, busy)):
            for info in group:
                if info.setup.printer_id in self.printers:
                    continue
                printer = _Printer(len(self.printers), info, is_free)
                self.printers[info.setup.printer_id] = printer
                caps = Capabilities.of(info.setup)
                rack_ids = tuple(dict.fromkeys(r for r in info.rack_ids if r in racks))
                key = (caps, info.setup.clearing, rack_ids)
                pool = pools.get(key)
                if pool is None:
                    pool = pools[key] = _Pool(
                        len(self.pools), caps, info.setup.clearing, rack_ids, info.setup.name
                    )
                    self.pools.append(pool)
                printer.pool = pool
                if is_free:
                    pool.free.append(printer)
        self.free_left = sum(len(pool.free) for pool in self.pools)
        self.taken: set[int] = set()
        # (item id, colour matters) -> (needs, kind key)
        self.needs_of: dict[tuple[int, bool], tuple[Requirements, int]] = {}
        self.kind_keys: dict[Requirements, int] = {}
        self.kinds: dict[tuple[int, int | None], _Kind] = {}
        self.tools: dict[tuple[Capabilities, Requirements], Mismatch | None] = {}

    # -- what never changes within a plan (cached) -------------------------------------------
    def racks_for(self, pool: _Pool, rack_choice: int | None) -> tuple[int, ...]:
        if rack_choice is None:
            return pool.rack_ids
        return (rack_choice,) if rack_choice in pool.rack_ids else ()

    def needs(self, item: PrintItem, *, match_color: bool = False) -> tuple[Requirements, int]:
        """The item's requirements (its filaments' colours only when ``match_color``)."""
        colour = match_color or self.match_color
        found = self.needs_of.get((item.id, colour))
        if found is None:
            needs = Requirements.of(item)
            shape = replace(needs, height_mm=None)
            if not colour:
                shape = replace(
                    shape, filaments=tuple(replace(f, color=None) for f in shape.filaments)
                )
            key = self.kind_keys.setdefault(shape, len(self.kind_keys))
            found = self.needs_of[(item.id, colour)] = (shape, key)
        return found

    def kind(self, shape: Requirements, key: int, rack_choice: int | None) -> _Kind:
        found = self.kinds.get((key, rack_choice))
        if found is None:
            entries = [self._entry(pool, shape, rack_choice) for pool in self.pools]
            compatible = sorted(
                (entry for entry in entries if entry.compatible),
                key=lambda entry: -entry.tallest_mm,
            )
            found = self.kinds[(key, rack_choice)] = _Kind(
                entries=entries,
                by_id={entry.pool.id: entry for entry in entries},
                ranked=compatible,
                live=[entry for entry in compatible if entry.pool.free],
                builds=sorted({e.build_mm for e in entries if e.build_mm is not None}),
                racks=sorted({e.rack_mm for e in entries if e.rack_mm is not None}),
            )
        return found

    def _entry(self, pool: _Pool, shape: Requirements, rack_choice: int | None) -> _Entry:
        caps = pool.capabilities
        pair = (caps, shape)
        if pair not in self.tools:
            # Colours are in ``shape`` only when they must match (see ``needs``).
            self.tools[pair] = tool_mismatch(caps, shape, match_color=True)
        after = self.tools[pair]
        rack_mm: float | None = None
        if pool.clearing is ClearingMethod.OTTOEJECT and after is None:
            rack_ids = self.racks_for(pool, rack_choice)
            if rack_ids:
                rack_mm = max(rack_height_mm(self.racks[rack_id]) for rack_id in rack_ids)
            elif rack_choice is not None:
                name = self.racks[rack_choice].name
                after = Mismatch("rack", name, f"does not store on rack '{name}'")
            else:
                after = Mismatch("rack", "", "has no rack to store prints on")
        return _Entry(pool, model_mismatch(caps, shape), caps.height_mm, after, rack_mm, caps)

    def why(self, kind: _Kind, item: PrintItem, height_mm: float | None) -> str:
        """``why_nobody`` over every pool, computed once per band of heights."""
        if not kind.entries:
            return why_nobody([], item)
        band = kind.band(height_mm)
        found = kind.why.get(band)
        if found is None:
            failures = [(entry, entry.mismatch(height_mm)) for entry in kind.entries]
            reasons = [m.reason(e.pool.name) for e, m in failures if m is not None]
            assert len(reasons) == len(failures)
            first_kind = reasons[0].kind
            other = next(
                (e for (e, _), r in zip(failures, reasons, strict=True) if r.kind != first_kind),
                None,
            )
            fixed = other is None and first_kind not in ("height", "rack_height")
            found = kind.why[band] = _Why(
                why_nobody(reasons, item) if fixed else None, failures[0][0], other
            )
        if found.message is not None:
            return found.message
        samples = [entry for entry in (found.first, found.other) if entry is not None]
        reasons = []
        for entry in samples:
            mismatch = entry.mismatch(height_mm)
            assert mismatch is not None
            reasons.append(mismatch.reason(entry.pool.name))
        return why_nobody(reasons, item)

    # -- one job -----------------------------------------------------------------------------
    def can_store_now(self, pool: _Pool, height_mm: float | None, rack_choice: int | None) -> bool:
        if pool.clearing is ClearingMethod.MANUAL:
            return True
        return any(
            self.rack_states[rack_id].best(height_mm) is not None
            for rack_id in self.racks_for(pool, rack_choice)
        )

    def place(self, job: PrintJob, item: PrintItem) -> Assignment | str | None:
        """An assignment, a reason to wait, or ``None`` (waits for a printer)."""
        rack_choice = job.settings.rack_id
        if rack_choice is not None and rack_choice not in self.racks:
            return f"rack {rack_choice} does not exist"
        shape, key = self.needs(item, match_color=job.settings.match_color)
        height = item.max_z_height_mm
        kind = self.kind(shape, key, rack_choice)
        if job.settings.printer_id is not None:
            printer = self.printers.get(job.settings.printer_id)
            if printer is None or printer.pool is None:
                return None  # not free now (and not among ``busy``): it waits for its printer
            mismatch = kind.by_id[printer.pool.id].mismatch(height)
            if mismatch is not None:
                return str(mismatch.reason(printer.info.setup.name))
            if not printer.free or printer.index in self.taken:
                return None
            return self.assign(job, printer, height)
        if not kind.suitable(height):
            return self.why(kind, item, height)
        if not self.free_left:
            return None
        best: tuple[int, int] | None = None
        chosen: _Printer | None = None
        exhausted = False
        for entry in kind.live:
            if height is not None and height > entry.tallest_mm + _EPSILON:
                break
            printer = entry.pool.next_free(self.taken)
            if printer is None:
                exhausted = True
                continue
            if not entry.fits(height):
                continue
            rank = (0 if self.can_store_now(entry.pool, height, rack_choice) else 1, printer.index)
            if best is None or rank < best:
                best, chosen = rank, printer
        if exhausted:
            kind.live = [e for e in kind.live if e.pool.next_free(self.taken) is not None]
        if chosen is None:
            return None
        return self.assign(job, chosen, height)

    def assign(self, job: PrintJob, printer: _Printer, height_mm: float | None) -> Assignment:
        self.taken.add(printer.index)
        self.free_left -= 1
        setup = printer.info.setup
        pool = printer.pool
        assert pool is not None
        if setup.clearing is ClearingMethod.MANUAL:
            return Assignment(job.id, setup.printer_id, None, None, None, None)
        settings = job.settings
        rack_ids = self.racks_for(pool, settings.rack_id)
        store: tuple[int, int, float] | None = None  # rack id, shelf, clearance
        if (
            settings.rack_id is not None
            and settings.rack_id in rack_ids
            and settings.store_slot is not None
        ):
            state = self.rack_states[settings.rack_id]
            if state.store_fits(settings.store_slot, height_mm):
                store = (settings.rack_id, settings.store_slot, state.room()[settings.store_slot])
        if store is None:
            best: tuple[bool, tuple[float, float, float]] | None = None
            for rack_id in rack_ids:
                state = self.rack_states[rack_id]
                choice = state.best(height_mm)
                if choice is None:
                    continue
                rank = (state.has_empty_plate(), choice.score)
                if best is None or rank > best:
                    best = rank
                    store = (rack_id, choice.shelf_number, choice.clearance_mm)
        if store is None:
            own_rack = settings.rack_id if settings.rack_id in rack_ids else None
            return Assignment(job.id, setup.printer_id, own_rack, None, None, None)
        store_rack, shelf, clearance = store
        state = self.rack_states[store_rack]
        grab: int | None = None
        if (
            settings.grab_slot is not None
            and settings.rack_id == store_rack
            and state.grab_ok(settings.grab_slot, shelf)
        ):
            grab = settings.grab_slot
        else:
            grab = choose_grab_shelf(state.rack, shelf, reserved=state.reserved)
        state.reserve(shelf, height_mm, grab)
        return Assignment(job.id, setup.printer_id, store_rack, shelf, grab, clearance)


def job_order(job: PrintJob) -> tuple[int, float, int]:
    """The queue's order: priority (1 first), then position (its age unless moved), then id."""
    return job.queue_key


def plan(
    queued: Sequence[PrintJob],
    items: Mapping[int, PrintItem],
    free: Sequence[FreePrinter],
    racks: Mapping[int, Rack],
    *,
    heights: Mapping[int, float | None],
    reserved: Mapping[int, AbstractSet[int]],
    now: datetime,
    start_after: Mapping[int, datetime] | None = None,
    reserved_heights: Mapping[int, Mapping[int, float | None]] | None = None,
    busy: Sequence[FreePrinter] = (),
    match_color: bool = False,
) -> Plan:
    """Decide which of the ``queued`` jobs start now (see the module docstring).

    ``items``: print item id -> item. ``racks``: rack id -> rack. ``heights``: print job id ->
    max Z for the prints on the shelves. ``reserved``: rack id -> shelves other workflows have
    claimed (store or grab). ``reserved_heights``: rack id -> {store shelf: height of the print
    that will go there} for those workflows (blocks the shelves that print reaches into).
    ``start_after``: job id -> earliest start. ``busy``: the farm's other printers, for
    compatibility only. ``match_color``: filament colours must match too.
    """
    planner = _Planner(
        free,
        busy,
        racks,
        heights=heights,
        reserved=reserved,
        reserved_heights=reserved_heights or {},
        match_color=match_color,
    )
    assignments: list[Assignment] = []
    waiting: dict[int, str] = {}
    later = start_after or {}
    for job in sorted(queued, key=job_order):
        not_before = later.get(job.id)
        if not_before is not None and not_before > now:
            waiting[job.id] = f"scheduled for {to_iso(not_before)}"
            continue
        item = items.get(job.print_item_id)
        if item is None:
            waiting[job.id] = f"print item {job.print_item_id} does not exist"
            continue
        answer = planner.place(job, item)
        if isinstance(answer, Assignment):
            assignments.append(answer)
        elif answer is not None:
            waiting[job.id] = answer
    return Plan(tuple(assignments), waiting)
