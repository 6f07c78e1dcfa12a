"""The AMS (automatic material system) as typed state: units, their trays, the external spool.

Built from the merged report (``ams`` and ``vt_tray``): the entities show it and the
orchestrator's filament matching reads it. Units come and go with the hardware: a unit counts
while it is in ``ams.ams`` and, when the printer sends ``ams_exist_bits``, its bit is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any

from .report_values import report_float as _float, report_int as _int, report_str as _str

EXTERNAL_SPOOL_TRAY_ID = 254
NO_TRAY_ID = 255
AMS_HT_FIRST_ID = 128  # AMS HT units: ids 128-135, one tray each, global tray id = unit id
HUMIDITY_LEVELS = range(1, 6)  # 1 dry ... 5 wet (the printer's index, shown as a level)
_HEX_COLOR = re.compile(r"[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?")


@dataclass(frozen=True, slots=True)
class AmsTray:
    """One filament slot: an AMS tray or the external spool."""

    key: str  # "ams_1_tray_2" (1-based), "ams_ht_1_tray_1" or "external_spool"
    unit_id: int | None  # AMS unit id; None for the external spool
    slot: int  # 0-based slot in its unit (0 for the external spool)
    tray_id: int  # global id: unit * 4 + slot, 128-135 AMS HT, 254 external spool
    loaded: bool  # a spool is in the slot
    material: str | None  # "PLA", "PETG"...
    color: str | None  # "#RRGGBB"
    name: str | None  # tray_sub_brands, e.g. "PLA Basic"
    preset_id: str | None  # tray_info_idx, e.g. "GFA00"
    remaining_percent: int | None  # None when unknown (-1)
    nozzle_temp_min: int | None
    nozzle_temp_max: int | None
    active: bool  # the tray feeding the nozzle (ams.tray_now)

    @property
    def empty(self) -> bool:
        return not self.loaded


@dataclass(frozen=True, slots=True)
class AmsUnit:
    """One AMS unit with its climate and trays."""

    id: int  # 0-3 AMS / AMS Lite / AMS 2 Pro, 128-135 AMS HT
    key: str  # "ams_1", "ams_ht_1"
    humidity_level: int | None  # 1 (dry) .. 5 (wet)
    humidity_percent: int | None  # humidity_raw, on units that report it
    temperature: float | None
    trays: tuple[AmsTray, ...]

    @property
    def is_ht(self) -> bool:
        return self.id >= AMS_HT_FIRST_ID


@dataclass(frozen=True, slots=True)
class AmsState:
    """Every AMS unit, the external spool and which tray is active."""

    units: tuple[AmsUnit, ...]
    external_spool: AmsTray | None
    active_tray_id: int | None  # tray_now; None when no tray is loaded (255) or unknown

    @property
    def trays(self) -> tuple[AmsTray, ...]:
        """The trays of every unit, in unit order."""
        return tuple(tray for unit in self.units for tray in unit.trays)

    @property
    def active_tray(self) -> AmsTray | None:
        """The tray feeding the nozzle (an AMS tray or the external spool), if known."""
        if self.active_tray_id is None:
            return None
        if self.external_spool is not None and self.active_tray_id == EXTERNAL_SPOOL_TRAY_ID:
            return self.external_spool
        return next((t for t in self.trays if t.tray_id == self.active_tray_id), None)

    def unit(self, unit_id: int) -> AmsUnit | None:
        return next((unit for unit in self.units if unit.id == unit_id), None)

    def tray(self, tray_id: int) -> AmsTray | None:
        """A tray by its global id (254: the external spool)."""
        if tray_id == EXTERNAL_SPOOL_TRAY_ID:
            return self.external_spool
        return next((t for t in self.trays if t.tray_id == tray_id), None)

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> AmsState:
        """Build from the merged ``print`` object."""
        ams = report.get("ams")
        if not isinstance(ams, Mapping):
            ams = {}
        tray_now = _int(ams.get("tray_now"))
        active = None if tray_now is None or tray_now == NO_TRAY_ID else tray_now
        exist_bits = _bits(ams.get("ams_exist_bits"))
        tray_bits = _bits(ams.get("tray_exist_bits"))
        units: list[AmsUnit] = []
        raw_units = ams.get("ams")
        for raw in raw_units if isinstance(raw_units, list) else []:
            unit_id = _int(raw.get("id")) if isinstance(raw, Mapping) else None
            if unit_id is None or not isinstance(raw, Mapping):
                continue
            if (
                exist_bits is not None
                and unit_id < AMS_HT_FIRST_ID
                and not exist_bits >> unit_id & 1
            ):
                continue  # unplugged: the list may still hold it until the next full report
            units.append(_unit(raw, unit_id, active, tray_bits))
        units.sort(key=lambda unit: unit.id)
        external = report.get("vt_tray")
        spool = None
        if isinstance(external, Mapping):
            spool = _tray(
                external,
                key="external_spool",
                unit_id=None,
                slot=0,
                tray_id=EXTERNAL_SPOOL_TRAY_ID,
                loaded=bool(_str(external.get("tray_type"))),
                active=active == EXTERNAL_SPOOL_TRAY_ID,
            )
        return cls(units=tuple(units), external_spool=spool, active_tray_id=active)


NO_AMS = AmsState(units=(), external_spool=None, active_tray_id=None)


def _unit(raw: Mapping[str, Any], unit_id: int, active: int | None, bits: int | None) -> AmsUnit:
    is_ht = unit_id >= AMS_HT_FIRST_ID
    key = f"ams_ht_{unit_id - AMS_HT_FIRST_ID + 1}" if is_ht else f"ams_{unit_id + 1}"
    trays: list[AmsTray] = []
    raw_trays = raw.get("tray")
    for tray in raw_trays if isinstance(raw_trays, list) else []:
        slot = _int(tray.get("id")) if isinstance(tray, Mapping) else None
        if slot is None or not isinstance(tray, Mapping):
            continue
        tray_id = unit_id if is_ht else unit_id * 4 + slot
        has_type = bool(_str(tray.get("tray_type")))
        # tray_exist_bits covers the four-slot units (bit = global tray id).
        loaded = bool(bits >> tray_id & 1) if bits is not None and not is_ht else has_type
        trays.append(
            _tray(
                tray,
                key=f"{key}_tray_{slot + 1}",
                unit_id=unit_id,
                slot=slot,
                tray_id=tray_id,
                loaded=loaded,
                active=active == tray_id,
            )
        )
    trays.sort(key=lambda tray: tray.slot)
    level = _int(raw.get("humidity"))
    percent = _int(raw.get("humidity_raw"))
    temperature = _float(raw.get("temp"))
    return AmsUnit(
        id=unit_id,
        key=key,
        humidity_level=level if level in HUMIDITY_LEVELS else None,
        humidity_percent=percent if percent is not None and 0 < percent <= 100 else None,
        # A unit powering up may report bogus values: only a sensible range counts.
        temperature=temperature if temperature is not None and 0 < temperature <= 100 else None,
        trays=tuple(trays),
    )


def _tray(
    raw: Mapping[str, Any],
    *,
    key: str,
    unit_id: int | None,
    slot: int,
    tray_id: int,
    loaded: bool,
    active: bool,
) -> AmsTray:
    remain = _int(raw.get("remain"))
    known = loaded and bool(_str(raw.get("tray_type")))
    return AmsTray(
        key=key,
        unit_id=unit_id,
        slot=slot,
        tray_id=tray_id,
        loaded=loaded,
        material=_str(raw.get("tray_type")) or None if loaded else None,
        color=hex_color(raw.get("tray_color")) if known else None,
        name=_str(raw.get("tray_sub_brands")) or None if loaded else None,
        preset_id=_str(raw.get("tray_info_idx")) or None if loaded else None,
        remaining_percent=remain if loaded and remain is not None and remain >= 0 else None,
        nozzle_temp_min=_int(raw.get("nozzle_temp_min")) or None if loaded else None,
        nozzle_temp_max=_int(raw.get("nozzle_temp_max")) or None if loaded else None,
        active=active,
    )


def hex_color(value: Any) -> str | None:
    """``"1A1A1AFF"`` (RRGGBBAA) → ``"#1A1A1A"``; ``None`` for anything else."""
    text = _str(value)
    if not text or not _HEX_COLOR.fullmatch(text):
        return None
    return f"#{text[:6].upper()}"


def _bits(value: Any) -> int | None:
    """A hex bit mask as the printer sends it (``"3"``, ``"f"``); ``None`` if absent."""
    text = _str(value)
    if not text:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None
