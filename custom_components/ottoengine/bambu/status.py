"""Normalised, immutable view of a Bambu Lab printer's merged report state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import ipaddress
from typing import Any

from .ams import NO_AMS, AmsState
from .hms import PRINT_CANCELLED_ERROR, PrinterError, decode_hms, decode_print_error
from .report_values import report_float as _float, report_int as _int, report_str as _str
from .stages import stage_name

EXTERNAL_SPOOL_TRAY_ID = 254
NO_TRAY_ID = 255
SIGNING_REQUIRED_BIT = 0x20000000  # in "fun": signed commands required (Developer Mode off)
DOOR_OPEN_BIT = 0x00800000  # in "home_flag" (X1) and "stat" (H2, P2S, X2D): the door is open
FAN_STEPS = 15  # fans report a speed step "0".."15"
SPEED_LEVELS = {1: "silent", 2: "standard", 3: "sport", 4: "ludicrous"}


class PrintState(StrEnum):
    """The printer's ``gcode_state``, plus ``OFFLINE``/``UNKNOWN`` added by the driver."""

    IDLE = "IDLE"
    PREPARE = "PREPARE"
    RUNNING = "RUNNING"
    PAUSE = "PAUSE"
    FINISH = "FINISH"
    FAILED = "FAILED"
    SLICING = "SLICING"
    INIT = "INIT"
    OFFLINE = "OFFLINE"
    UNKNOWN = "UNKNOWN"


# A new print may be started only from these states.
STARTABLE_STATES = frozenset({PrintState.IDLE, PrintState.FINISH, PrintState.FAILED})
BUSY_STATES = frozenset(
    {PrintState.RUNNING, PrintState.PREPARE, PrintState.PAUSE, PrintState.SLICING}
)


@dataclass(frozen=True, slots=True)
class FilamentInfo:
    """A filament slot: an AMS tray or the external spool (``vt_tray``)."""

    source: str  # "ams_1_tray_2" (1-based), "ams_ht_1_tray_1" or "external_spool"
    tray_id: int  # global tray id: ams_id * 4 + slot, 128-135 AMS HT, 254 external spool
    material: str | None  # "PLA", "PETG"...
    color: str | None  # "RRGGBBAA" hex as reported, e.g. "1A1A1AFF"
    name: str | None  # e.g. "PLA Basic"
    preset_id: str | None  # tray_info_idx, e.g. "GFA00"
    remaining_percent: int | None  # None when the printer does not know (-1)


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """Everything the farm needs to know about one printer, derived from its reports."""

    status: PrintState
    current_stage: str  # "PRINTING", "HEATBED_PREHEATING", "IDLE"...
    current_stage_id: int | None
    progress_percent: int
    remaining_time_minutes: int
    nozzle_temperature: float | None
    nozzle_target_temperature: float | None
    bed_temperature: float | None
    bed_target_temperature: float | None
    chamber_temperature: float | None
    layer: int | None
    total_layers: int | None
    filament: FilamentInfo | None
    trays: tuple[FilamentInfo, ...]
    errors: tuple[PrinterError, ...]
    print_error: int
    gcode_file: str | None
    subtask_name: str | None
    print_type: str | None
    prepare_percent: int | None
    wifi_signal_dbm: int | None
    speed_level: int | None
    sdcard: bool | None
    ip_address: str | None
    signing_required: bool | None  # None: the printer does not send "fun"
    ams: AmsState = NO_AMS
    nozzle_type: str | None = None  # "stainless_steel", "hardened_steel"...
    nozzle_diameter: float | None = None  # mm
    part_cooling_fan_percent: int | None = None
    aux_fan_percent: int | None = None
    chamber_fan_percent: int | None = None
    heatbreak_fan_percent: int | None = None
    chamber_light_on: bool | None = None  # None: the printer reports no chamber light
    door_open: bool | None = None  # meaningful only on models with a door sensor
    firmware_update_available: bool | None = None  # None: no upgrade_state reported
    firmware_new_version: str | None = None

    @property
    def hms_errors(self) -> tuple[PrinterError, ...]:
        """The active HMS entries (without the ``print_error``)."""
        return tuple(error for error in self.errors if error.kind == "hms")

    @property
    def print_error_info(self) -> PrinterError | None:
        """The ``print_error`` with its text, when there is one."""
        return next((error for error in self.errors if error.kind == "print_error"), None)

    @property
    def speed_name(self) -> str | None:
        """``silent``, ``standard``, ``sport`` or ``ludicrous``."""
        return SPEED_LEVELS.get(self.speed_level) if self.speed_level is not None else None

    @property
    def cancelled(self) -> bool:
        """Whether the last print ended because it was cancelled."""
        return self.print_error == PRINT_CANCELLED_ERROR

    @property
    def is_busy(self) -> bool:
        """Whether a print is preparing, running or paused."""
        return self.status in BUSY_STATES

    @classmethod
    def from_report(cls, state: Mapping[str, Any], *, online: bool = True) -> PrinterStatus:
        """Build the status from the merged state (the ``print`` object, or a whole report)."""
        report = state.get("print", state)
        if not isinstance(report, Mapping):
            report = {}
        print_type = _str(report.get("print_type"))
        stage_id = _int(report.get("stg_cur"))
        print_error = _int(report.get("print_error")) or 0
        nozzle, nozzle_target = _nozzle_temperatures(report)
        trays = _trays(report)
        return cls(
            status=_print_state(report, online=online),
            current_stage=stage_name(stage_id, print_type=print_type),
            current_stage_id=stage_id,
            progress_percent=_int(report.get("mc_percent")) or 0,
            remaining_time_minutes=_int(report.get("mc_remaining_time")) or 0,
            nozzle_temperature=nozzle,
            nozzle_target_temperature=nozzle_target,
            bed_temperature=_float(report.get("bed_temper")),
            bed_target_temperature=_float(report.get("bed_target_temper")),
            chamber_temperature=_float(report.get("chamber_temper")),
            layer=_int(report.get("layer_num")),
            total_layers=_int(report.get("total_layer_num")),
            filament=_active_filament(report, trays),
            trays=trays,
            errors=_errors(report, print_error),
            print_error=print_error,
            gcode_file=_str(report.get("gcode_file")) or None,
            subtask_name=_str(report.get("subtask_name")) or None,
            print_type=print_type,
            prepare_percent=_int(report.get("gcode_file_prepare_percent")),
            wifi_signal_dbm=_int(str(report.get("wifi_signal", "")).removesuffix("dBm")),
            speed_level=_int(report.get("spd_lvl")),
            sdcard=report["sdcard"] if isinstance(report.get("sdcard"), bool) else None,
            ip_address=_ip_address(report),
            signing_required=_signing_required(report),
            ams=AmsState.from_report(report),
            nozzle_type=_str(report.get("nozzle_type")) or None,
            nozzle_diameter=_float(report.get("nozzle_diameter")) or None,
            part_cooling_fan_percent=_fan_percent(report.get("cooling_fan_speed")),
            aux_fan_percent=_fan_percent(report.get("big_fan1_speed")),
            chamber_fan_percent=_fan_percent(report.get("big_fan2_speed")),
            heatbreak_fan_percent=_fan_percent(report.get("heatbreak_fan_speed")),
            chamber_light_on=_light_on(report, "chamber_light"),
            door_open=_door_open(report),
            firmware_update_available=_update_available(report),
            firmware_new_version=_new_firmware(report),
        )


def _print_state(report: Mapping[str, Any], *, online: bool) -> PrintState:
    if not online:
        return PrintState.OFFLINE
    raw = _str(report.get("gcode_state"))
    if not raw:
        return PrintState.UNKNOWN
    try:
        return PrintState(raw.upper())
    except ValueError:
        return PrintState.UNKNOWN


def _nozzle_temperatures(report: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Nozzle current/target; H2D-style firmware packs them as ``(target << 16) | current``."""
    current = _float(report.get("nozzle_temper"))
    target = _float(report.get("nozzle_target_temper"))
    if current is not None:
        return current, target
    device = report.get("device")
    extruder = device.get("extruder") if isinstance(device, Mapping) else None
    info = extruder.get("info") if isinstance(extruder, Mapping) else None
    if isinstance(info, list) and info and isinstance(info[0], Mapping):
        packed = _int(info[0].get("temp"))
        if packed is not None:
            return float(packed & 0xFFFF), float(packed >> 16)
    return None, target


def _filament(tray: Mapping[str, Any], source: str, tray_id: int) -> FilamentInfo:
    remain = _int(tray.get("remain"))
    return FilamentInfo(
        source=source,
        tray_id=tray_id,
        material=_str(tray.get("tray_type")) or None,
        color=_str(tray.get("tray_color")) or None,
        name=_str(tray.get("tray_sub_brands")) or None,
        preset_id=_str(tray.get("tray_info_idx")) or None,
        remaining_percent=remain if remain is not None and remain >= 0 else None,
    )


def _trays(report: Mapping[str, Any]) -> tuple[FilamentInfo, ...]:
    """Every loaded AMS tray, then the external spool if it holds filament."""
    trays: list[FilamentInfo] = []
    ams = report.get("ams")
    units = ams.get("ams") if isinstance(ams, Mapping) else None
    for unit in units if isinstance(units, list) else []:
        ams_id = _int(unit.get("id")) if isinstance(unit, Mapping) else None
        if ams_id is None:
            continue
        for tray in unit.get("tray") or []:
            slot = _int(tray.get("id")) if isinstance(tray, Mapping) else None
            if slot is None or not _str(tray.get("tray_type")):
                continue
            if ams_id >= 128:  # AMS HT: one slot, the global id is the unit id
                trays.append(_filament(tray, f"ams_ht_{ams_id - 127}_tray_1", ams_id))
            else:
                source = f"ams_{ams_id + 1}_tray_{slot + 1}"
                trays.append(_filament(tray, source, ams_id * 4 + slot))
    external = report.get("vt_tray")
    if isinstance(external, Mapping) and _str(external.get("tray_type")):
        trays.append(_filament(external, "external_spool", EXTERNAL_SPOOL_TRAY_ID))
    return tuple(trays)


def _active_filament(
    report: Mapping[str, Any], trays: tuple[FilamentInfo, ...]
) -> FilamentInfo | None:
    """The tray feeding the nozzle (``ams.tray_now``); without an AMS, the external spool."""
    ams = report.get("ams")
    tray_now = _int(ams.get("tray_now")) if isinstance(ams, Mapping) else None
    if tray_now is not None and tray_now != NO_TRAY_ID:
        for tray in trays:
            if tray.tray_id == tray_now:
                return tray
        return None
    units = ams.get("ams") if isinstance(ams, Mapping) else None
    if not units:
        return next((t for t in trays if t.tray_id == EXTERNAL_SPOOL_TRAY_ID), None)
    return None


def _errors(report: Mapping[str, Any], print_error: int) -> tuple[PrinterError, ...]:
    errors: list[PrinterError] = []
    if print_error:
        errors.append(decode_print_error(print_error))
    hms = report.get("hms")
    for entry in hms if isinstance(hms, list) else []:
        if not isinstance(entry, Mapping):
            continue
        attr, code = _int(entry.get("attr")), _int(entry.get("code"))
        if attr is not None and code is not None:
            errors.append(decode_hms(attr, code))
    return tuple(errors)


def _fan_percent(value: Any) -> int | None:
    """A fan step "0".."15" as a percentage in tens, rounded up (as the printer's screen)."""
    step = _int(value)
    if step is None:
        return None
    step = min(max(step, 0), FAN_STEPS)
    return -(-step * 10 // FAN_STEPS) * 10


def _light_on(report: Mapping[str, Any], node: str) -> bool | None:
    lights = report.get("lights_report")
    for light in lights if isinstance(lights, list) else []:
        if isinstance(light, Mapping) and light.get("node") == node:
            return light.get("mode") in {"on", "flashing"}
    return None


def _door_open(report: Mapping[str, Any]) -> bool | None:
    """H2-style ``stat`` (hex string) wins over ``home_flag`` (X1) when both are there."""
    stat = _str(report.get("stat"))
    if stat:
        try:
            return bool(int(stat, 16) & DOOR_OPEN_BIT)
        except ValueError:
            pass
    flags = _int(report.get("home_flag"))
    return bool(flags & DOOR_OPEN_BIT) if flags is not None else None


def _update_available(report: Mapping[str, Any]) -> bool | None:
    upgrade = report.get("upgrade_state")
    if not isinstance(upgrade, Mapping) or "new_version_state" not in upgrade:
        return None
    return _int(upgrade.get("new_version_state")) == 1


def _new_firmware(report: Mapping[str, Any]) -> str | None:
    """The offered firmware version (``upgrade_state.new_ver_list[name=ota].new_ver``)."""
    upgrade = report.get("upgrade_state")
    if not isinstance(upgrade, Mapping) or _int(upgrade.get("new_version_state")) != 1:
        return None
    versions = upgrade.get("new_ver_list")
    for entry in versions if isinstance(versions, list) else []:
        if isinstance(entry, Mapping) and entry.get("name") == "ota":
            return _str(entry.get("new_ver")) or None
    return _str(upgrade.get("ota_new_version_number")) or None


def _ip_address(report: Mapping[str, Any]) -> str | None:
    """The first interface address from ``net.info[].ip`` (a little-endian packed IPv4)."""
    net = report.get("net")
    info = net.get("info") if isinstance(net, Mapping) else None
    for entry in info if isinstance(info, list) else []:
        packed = _int(entry.get("ip")) if isinstance(entry, Mapping) else None
        if packed:
            return str(ipaddress.IPv4Address((packed & 0xFFFFFFFF).to_bytes(4, "little")))
    return None


def signing_required(state: Mapping[str, Any]) -> bool | None:
    """``PrinterStatus.from_report(state).signing_required`` without building the status."""
    report = state.get("print", state)
    return _signing_required(report) if isinstance(report, Mapping) else None


def _signing_required(report: Mapping[str, Any]) -> bool | None:
    fun = _str(report.get("fun"))
    if not fun:
        return None
    try:
        return bool(int(fun, 16) & SIGNING_REQUIRED_BIT)
    except ValueError:
        return None
