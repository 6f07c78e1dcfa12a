"""The filament a simulated printer holds: AMS units and the external spool, as firmware reports.

A loadout comes from the farm description (``"ams": [{"trays": [tray | null, ...]}, ...]``,
``"external_spool": tray | null``, a tray ``{"type": "PLA", "color": "FF0000FF", "name":
"Bambu PLA Basic", "remain": 80}``) or from the model's default (P1S/X1C: one AMS with four
loaded trays; P1P/A1: none). ``AmsState`` turns it into ``push_status.print.ams`` and
``vt_tray`` exactly shaped like P1/X1 firmware (pybambu's tests/P1P.json; the first loaded AMS
tray feeds the nozzle at boot, none without an AMS) and follows the
commands that change what is reported: ``ams_filament_setting`` (a tray's type / colour /
preset), ``ams_change_filament`` (load a tray: ``tray_tar`` at once, ``tray_now`` when the
filament reached the nozzle; target 255: unload), ``extrusion_cali_sel`` (a tray's ``cali_idx``)
and ``extrusion_cali_set`` (a tray's ``k``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
import re
from typing import Any

from ottosim.bambu.models import ModelSpec

UNITS_MAX = 4
TRAYS_PER_UNIT = 4
EXTERNAL_TRAY = 254  # tray_now / target of the external spool
NO_TRAY = 255
EXTERNAL_AMS_ID = 255  # ams_id of the external spool in commands
LOAD_S = 40.0  # simulated seconds from ams_change_filament to the filament at the nozzle
UNLOAD_S = 20.0
AMS_STATUS_IDLE = 0
AMS_STATUS_CHANGING = 0x100  # main status 1: filament change
DEFAULT_K = 0.019999999552965164  # what firmware reports for k 0.02 (a float32)
_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?$")

# Filament presets (tray_info_idx): name, type, nozzle_temp_min, nozzle_temp_max (ha-bambulab's
# filaments_detail.json). Bambu filaments have an RFID tag: tray_is_bbl_bits, tray_sub_brands.
PRESETS: dict[str, tuple[str, str, int, int]] = {
    "GFA00": ("Bambu PLA Basic", "PLA", 190, 240),
    "GFA01": ("Bambu PLA Matte", "PLA", 190, 240),
    "GFA05": ("Bambu PLA Silk", "PLA", 190, 240),
    "GFA50": ("Bambu PLA-CF", "PLA-CF", 210, 240),
    "GFG00": ("Bambu PETG Basic", "PETG", 230, 260),
    "GFG02": ("Bambu PETG HF", "PETG", 230, 260),
    "GFB00": ("Bambu ABS", "ABS", 240, 270),
    "GFB01": ("Bambu ASA", "ASA", 240, 270),
    "GFU01": ("Bambu TPU 95A", "TPU", 200, 250),
    "GFC00": ("Bambu PC", "PC", 260, 280),
    "GFL99": ("Generic PLA", "PLA", 190, 240),
    "GFG99": ("Generic PETG", "PETG", 220, 260),
    "GFB99": ("Generic ABS", "ABS", 240, 270),
    "GFB98": ("Generic ASA", "ASA", 240, 270),
    "GFU99": ("Generic TPU", "TPU", 200, 250),
    "GFN99": ("Generic PA", "PA", 260, 290),
    "GFC99": ("Generic PC", "PC", 260, 280),
    "GFS99": ("Generic PVA", "PVA", 220, 250),
}
_BY_NAME = {name.lower(): idx for idx, (name, _t, _lo, _hi) in PRESETS.items()}
_GENERIC_BY_TYPE = {
    kind: idx for idx, (name, kind, _lo, _hi) in PRESETS.items() if name.startswith("Generic")
}


class LoadoutError(ValueError):
    """A loadout in the farm description that firmware could not report."""


@dataclass(frozen=True)
class Tray:
    """One spool: what its AMS slot (or the external holder) reports."""

    type: str
    color: str  # RRGGBBAA, upper case
    name: str  # the preset's name ("Bambu PLA Basic", "Generic PETG") or the given one
    tray_info_idx: str
    remain: int  # percent, -1 unknown (spools without an RFID tag)
    nozzle_temp_min: int
    nozzle_temp_max: int
    k: float = DEFAULT_K
    cali_idx: int = -1

    @property
    def bambu(self) -> bool:
        """A Bambu spool (RFID tag read): ``tray_is_bbl_bits``, ``tray_sub_brands``."""
        return self.name.startswith("Bambu ")

    @property
    def sub_brands(self) -> str:
        return self.name.removeprefix("Bambu ") if self.bambu else ""

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "color": self.color,
            "name": self.name,
            "remain": self.remain,
            "tray_info_idx": self.tray_info_idx,
        }


@dataclass
class Loadout:
    units: list[list[Tray | None]]  # each of TRAYS_PER_UNIT slots
    external: Tray | None

    def describe(self) -> dict[str, Any]:
        """The loadout in the farm description's format (with the resolved preset)."""
        return {
            "ams": [
                {"trays": [None if tray is None else tray.describe() for tray in unit]}
                for unit in self.units
            ],
            "external_spool": None if self.external is None else self.external.describe(),
        }


def normalize_color(value: Any, where: str) -> str:
    match = _COLOR.match(value) if isinstance(value, str) else None
    if match is None:
        raise LoadoutError(f"{where}: color must be RRGGBB or RRGGBBAA hex, got {value!r}")
    return (match.group(1) + (match.group(2) or "FF")).upper()


def parse_tray(value: Any, where: str) -> Tray | None:
    """A tray from the farm description (``null``: an empty slot)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LoadoutError(f"{where}: a tray is an object or null")
    unknown = set(value) - {"type", "color", "name", "remain", "tray_info_idx"}
    if unknown:
        raise LoadoutError(f"{where}: unknown tray keys {sorted(unknown)}")
    name = value.get("name")
    idx = value.get("tray_info_idx")
    if idx is None and isinstance(name, str) and name.strip().lower() in _BY_NAME:
        idx = _BY_NAME[name.strip().lower()]
        name = PRESETS[idx][0]  # the preset's own spelling
    kind = value.get("type")
    if kind is None and idx in PRESETS:
        kind = PRESETS[idx][1]
    if not isinstance(kind, str) or not kind.strip():
        raise LoadoutError(f'{where}: type (e.g. "PLA") is required')
    kind = kind.strip().upper()
    if idx is None:
        idx = _GENERIC_BY_TYPE.get(kind, "GFL99")
    if not isinstance(idx, str):
        raise LoadoutError(f"{where}: tray_info_idx must be a string")
    preset_name, _kind, low, high = PRESETS.get(idx, (f"Generic {kind}", kind, 190, 240))
    if name is None:
        name = preset_name
    if not isinstance(name, str):
        raise LoadoutError(f"{where}: name must be a string")
    remain = value.get("remain", 100 if name.startswith("Bambu ") else -1)
    if isinstance(remain, bool) or not isinstance(remain, int) or not -1 <= remain <= 100:
        raise LoadoutError(f"{where}: remain must be an integer 0..100 (or -1: unknown)")
    color = normalize_color(value.get("color", "FFFFFFFF"), where)
    return Tray(kind, color, name, idx, remain, low, high)


def parse_loadout(value: Any, where: str) -> Loadout:
    """``{"ams": [{"trays": [...]}, ...], "external_spool": {...} | null}``; a missing key
    keeps nothing (``ams``: no unit) except ``external_spool`` (the default spool)."""
    if not isinstance(value, dict):
        raise LoadoutError(f"{where}: the loadout is an object with ams / external_spool")
    unknown = set(value) - {"ams", "external_spool"}
    if unknown:
        raise LoadoutError(f"{where}: unknown loadout keys {sorted(unknown)}")
    units_value = value.get("ams", [])
    if not isinstance(units_value, list) or len(units_value) > UNITS_MAX:
        raise LoadoutError(f"{where}: ams must be a list of at most {UNITS_MAX} units")
    units: list[list[Tray | None]] = []
    for number, unit in enumerate(units_value):
        trays = unit.get("trays") if isinstance(unit, dict) else None
        if not isinstance(trays, list) or len(trays) > TRAYS_PER_UNIT:
            raise LoadoutError(
                f'{where}: ams[{number}] must be {{"trays": [...]}} with at most '
                f"{TRAYS_PER_UNIT} trays (null: empty slot)"
            )
        slots = [parse_tray(tray, f"{where}: ams[{number}].trays[{i}]") for i, tray in
                 enumerate(trays)]  # fmt: skip
        units.append(slots + [None] * (TRAYS_PER_UNIT - len(slots)))
    external = (
        parse_tray(value["external_spool"], f"{where}: external_spool")
        if "external_spool" in value
        else DEFAULT_EXTERNAL
    )
    return Loadout(units, external)


DEFAULT_EXTERNAL = Tray("PLA", "FFFFFFFF", "Generic PLA", "GFL99", 0, 190, 240, k=0.02)
_DEFAULT_UNIT = (
    Tray("PLA", "000000FF", "Bambu PLA Basic", "GFA00", 80, 190, 240),
    Tray("PLA", "FFFFFFFF", "Bambu PLA Basic", "GFA00", 100, 190, 240),
    Tray("PETG", "FF0000FF", "Bambu PETG HF", "GFG02", 55, 230, 260),
    Tray("PLA", "0086D6FF", "Generic PLA", "GFL99", -1, 190, 240),
)


def default_loadout(spec: ModelSpec) -> Loadout:
    """P1S/X1C: one AMS with four loaded trays; P1P/A1 (AMS lite optional): none."""
    return Loadout([list(_DEFAULT_UNIT) for _ in range(spec.default_ams_units)], DEFAULT_EXTERNAL)


def _tray_report(slot: int, tray: Tray | None) -> dict[str, Any]:
    if tray is None:
        return {"id": str(slot)}  # an empty slot: only its id
    return {
        "id": str(slot),
        "remain": tray.remain,
        "k": tray.k,
        "n": 1,
        "cali_idx": tray.cali_idx,
        "tag_uid": "5A8B2C3D00000000" if tray.bambu else "0000000000000000",
        "tray_id_name": "A00-K0" if tray.bambu else "",
        "tray_info_idx": tray.tray_info_idx,
        "tray_type": tray.type,
        "tray_sub_brands": tray.sub_brands,
        "tray_color": tray.color,
        "tray_weight": "1000" if tray.bambu else "0",
        "tray_diameter": "1.75" if tray.bambu else "0.00",
        "tray_temp": "0",
        "tray_time": "0",
        "bed_temp_type": "0",
        "bed_temp": "0",
        "nozzle_temp_max": str(tray.nozzle_temp_max),
        "nozzle_temp_min": str(tray.nozzle_temp_min),
        "xcam_info": "000000000000000000000000",
        "tray_uuid": "00000000000000000000000000000000",
        "ctype": 0,
        "cols": [tray.color],
    }


class AmsState:
    """The loadout as it changes, and its report; see the module docstring."""

    def __init__(self, loadout: Loadout, *, lite: bool = False) -> None:
        self.loadout = loadout
        self.lite = lite  # A1's AMS lite: get_version module "ams_f1/<id>"
        # Filament stays in the toolhead between prints: a printer with an AMS boots with its
        # first loaded tray feeding the nozzle (real P1S/X1C report it as tray_now/pre/tar).
        loaded = [
            unit_id * TRAYS_PER_UNIT + slot
            for unit_id, unit in enumerate(loadout.units)
            for slot, tray in enumerate(unit)
            if tray is not None
        ]
        self.tray_now = loaded[0] if loaded else NO_TRAY
        self.tray_pre = self.tray_tar = self.tray_now
        self.version = 1
        self._change_left_s = 0.0

    # -- reports ---------------------------------------------------------------------------------
    @property
    def changing(self) -> bool:
        return self._change_left_s > 0

    def report(self) -> dict[str, Any]:
        """``print.ams``."""
        exist = tray_bbl = 0
        for unit_id, unit in enumerate(self.loadout.units):
            for slot, tray in enumerate(unit):
                if tray is not None:
                    exist |= 1 << (unit_id * TRAYS_PER_UNIT + slot)
                    if tray.bambu:
                        tray_bbl |= 1 << (unit_id * TRAYS_PER_UNIT + slot)
        return {
            "ams": [
                {
                    "id": str(unit_id),
                    "humidity": "4",
                    "temp": "26.4",
                    "tray": [_tray_report(slot, tray) for slot, tray in enumerate(unit)],
                }
                for unit_id, unit in enumerate(self.loadout.units)
            ],
            "ams_exist_bits": f"{(1 << len(self.loadout.units)) - 1:x}",
            "tray_exist_bits": f"{exist:x}",
            "tray_is_bbl_bits": f"{tray_bbl:x}",
            "tray_read_done_bits": f"{exist:x}",
            "tray_reading_bits": "0",
            "tray_now": str(self.tray_now),
            "tray_pre": str(self.tray_pre),
            "tray_tar": str(self.tray_tar),
            "insert_flag": True,
            "power_on_flag": False,
            "version": self.version,
        }

    def vt_tray(self) -> dict[str, Any]:
        """``print.vt_tray``: the external spool (id 254), empty fields when there is none."""
        tray = self.loadout.external
        if tray is None:
            return {"id": str(EXTERNAL_TRAY), "tray_type": "", "tray_color": "00000000",
                    "tray_info_idx": "", "remain": 0, "k": DEFAULT_K, "n": 1,
                    "cali_idx": -1}  # fmt: skip
        report = _tray_report(EXTERNAL_TRAY, tray)
        for key in ("ctype", "cols"):
            del report[key]
        return report

    def ams_status(self) -> int:
        return AMS_STATUS_CHANGING if self.changing else AMS_STATUS_IDLE

    def modules(self, serial: str) -> list[dict[str, Any]]:
        """``get_version`` modules, one per unit."""
        prefix, hw_ver = ("ams_f1", "AMS_F102") if self.lite else ("ams", "AMS08")
        return [
            {
                "name": f"{prefix}/{unit_id}",
                "project_name": "",
                "sw_ver": "00.00.06.49",
                "loader_ver": "00.00.00.00",
                "ota_ver": "00.00.00.00",
                "hw_ver": hw_ver,
                "sn": f"006{serial[-10:]}{unit_id:02d}",
                "flag": 0,
            }
            for unit_id in range(len(self.loadout.units))
        ]

    # -- changes ---------------------------------------------------------------------------------
    def tray(self, global_id: int) -> Tray | None:
        if global_id == EXTERNAL_TRAY:
            return self.loadout.external
        unit, slot = divmod(global_id, TRAYS_PER_UNIT)
        if 0 <= unit < len(self.loadout.units) and 0 <= slot < TRAYS_PER_UNIT:
            return self.loadout.units[unit][slot]
        return None

    def _put(self, global_id: int, tray: Tray) -> None:
        if global_id == EXTERNAL_TRAY:
            self.loadout.external = tray
        else:
            unit, slot = divmod(global_id, TRAYS_PER_UNIT)
            self.loadout.units[unit][slot] = tray
        self.version += 1

    def global_id(self, request: dict[str, Any], slot_key: str) -> int | None:
        """The tray a command names (``ams_id`` + ``tray_id``/``slot_id``; ams 255: the
        external spool), ``None`` if malformed."""
        try:
            ams_id = int(request.get("ams_id", -1))
            slot = int(request.get(slot_key, -1))
        except TypeError, ValueError:
            return None
        if ams_id == EXTERNAL_AMS_ID or slot == EXTERNAL_TRAY:
            return EXTERNAL_TRAY
        if 0 <= ams_id < UNITS_MAX and 0 <= slot < TRAYS_PER_UNIT:
            return ams_id * TRAYS_PER_UNIT + slot
        return None

    def set_filament(self, request: dict[str, Any]) -> str | None:
        """``ams_filament_setting``; the failure reason, or ``None``."""
        target = self.global_id(request, "tray_id")
        tray = None if target is None else self.tray(target)
        if target is None or (tray is None and target != EXTERNAL_TRAY):
            return "no filament in that slot"
        idx = str(request.get("tray_info_idx") or "")
        kind = str(request.get("tray_type") or "").strip().upper()
        try:
            color = normalize_color(request.get("tray_color"), "tray_color")
            low = int(request.get("nozzle_temp_min", 0))
            high = int(request.get("nozzle_temp_max", 0))
        except LoadoutError, TypeError, ValueError:
            return "invalid filament setting"
        preset = PRESETS.get(idx)
        name = preset[0] if preset else (f"Generic {kind}" if kind else "")
        base = tray or DEFAULT_EXTERNAL
        self._put(
            target,
            replace(
                base,
                type=kind,
                color=color,
                name=name,
                tray_info_idx=idx,
                nozzle_temp_min=low or (preset[2] if preset else base.nozzle_temp_min),
                nozzle_temp_max=high or (preset[3] if preset else base.nozzle_temp_max),
                remain=base.remain if preset and name.startswith("Bambu ") else -1,
            ),
        )
        return None

    def change_filament(self, request: dict[str, Any]) -> str | None:
        """``ams_change_filament``: ``target`` a global tray id (254 external), 255 unload."""
        try:
            target = int(request.get("target", NO_TRAY))
        except TypeError, ValueError:
            return "invalid target"
        if target != NO_TRAY and self.tray(target) is None:
            return "no filament in that slot"
        if target == self.tray_now and not self.changing:
            return None
        self.tray_tar = target
        self._change_left_s = UNLOAD_S if target == NO_TRAY else LOAD_S
        return None

    def set_calibration(self, request: dict[str, Any]) -> str | None:
        """``extrusion_cali_sel`` (``cali_idx``) / ``extrusion_cali_set`` (``k_value``)."""
        if request.get("command") == "extrusion_cali_set" and isinstance(
            request.get("filaments"), list
        ):
            entries = [e for e in request["filaments"] if isinstance(e, dict)]
        else:
            entries = [request]
        for entry in entries:
            target = self.global_id(entry, "tray_id" if "tray_id" in entry else "slot_id")
            tray = None if target is None else self.tray(target)
            if target is None or tray is None:
                return "no filament in that slot"
            try:
                if "cali_idx" in entry:
                    tray = replace(tray, cali_idx=int(entry["cali_idx"]))
                if "k_value" in entry:
                    tray = replace(tray, k=float(entry["k_value"]))
            except TypeError, ValueError:
                return "invalid calibration"
            self._put(target, tray)
        return None

    def advance(self, seconds: float) -> bool:
        """Let time pass; ``True`` when a load or unload finished."""
        if not self.changing:
            return False
        self._change_left_s -= seconds
        if self.changing:
            return False
        self._change_left_s = 0.0
        if self.tray_now != self.tray_tar:
            self.tray_pre = self.tray_now
        self.tray_now = self.tray_tar
        return True

    def snapshot(self) -> dict[str, Any]:
        """For ``/truth``: the loadout now and the loaded tray."""
        return {**copy.deepcopy(self.loadout.describe()), "tray_now": self.tray_now,
                "tray_tar": self.tray_tar}  # fmt: skip
