"""The ``print`` object a Bambu printer reports, and the delta between two reports."""

from __future__ import annotations

import copy
import socket
from typing import Any

from ottosim.bambu.models import ModelSpec

AMBIENT_C = 25.0
P1_CHAMBER_C = 5  # P1/A1 have no chamber sensor and report a constant 5
HOME_FLAG = 322454936  # bit 0x100: SD card present; axes not homed, door closed
# home_flag bits (pybambu Home_Flag_Values): X/Y/Z homed since the motors were last enabled,
# and the X1's front door open.
HOMED_X, HOMED_Y, HOMED_Z = 0x1, 0x2, 0x4
HOMED_AXES = {"X": HOMED_X, "Y": HOMED_Y, "Z": HOMED_Z}
DOOR_OPEN = 0x00800000
FUN_OPEN = "3EC18FFF9CFF"  # bit 0x20000000 clear: commands need no signature (Developer Mode)
FUN_SIGNED = "3EC1AFFF9CFF"  # bit 0x20000000 set: signed commands required


def packed_ip(ip: str) -> int:
    """IPv4 as the firmware reports it in ``net.info[].ip``: a little-endian uint32."""
    return int.from_bytes(socket.inet_aton(ip), "little")


def initial_status(spec: ModelSpec, ip: str) -> dict[str, Any]:
    """The full ``print`` object of a printer that just booted, idle (the brain adds ``ams``,
    ``vt_tray`` and ``ams_status`` from its loadout)."""
    status: dict[str, Any] = {
        "gcode_state": "IDLE",
        "print_type": "idle",
        "gcode_file": "",
        "subtask_name": "",
        "gcode_file_prepare_percent": "0",
        "project_id": "0",
        "profile_id": "0",
        "task_id": "0",
        "subtask_id": "0",
        "mc_percent": 0,
        "mc_remaining_time": 0,
        "mc_print_stage": "1",
        "mc_print_sub_stage": 0,
        "layer_num": 0,
        "total_layer_num": 0,
        "stg": [],
        # P1/A1 send 0 after boot while idle (with print_type "idle"); X1 sends -1.
        "stg_cur": spec.idle_stage if spec.full_reports else 0,
        "nozzle_temper": AMBIENT_C,
        "nozzle_target_temper": 0.0,
        "bed_temper": AMBIENT_C,
        "bed_target_temper": 0.0,
        "chamber_temper": AMBIENT_C if spec.chamber_sensor else P1_CHAMBER_C,
        "nozzle_diameter": "0.4",
        "nozzle_type": "hardened_steel" if spec.full_reports else "stainless_steel",
        "cooling_fan_speed": "0",
        "big_fan1_speed": "0",
        "big_fan2_speed": "0",
        "heatbreak_fan_speed": "0",
        "spd_lvl": 2,
        "spd_mag": 100,
        "print_error": 0,
        "hms": [],
        "s_obj": [],
        "sdcard": True,
        "home_flag": HOME_FLAG,
        "wifi_signal": "-51dBm",
        "ams_status": 0,
        "lights_report": [{"node": "chamber_light", "mode": "on"}],
        # "ams" and "vt_tray" come from the printer's filament loadout (``ams.AmsState``).
        "ipcam": {"ipcam_dev": "1", "timelapse": "disable", "resolution": "720p"},
        "net": {"conf": 0, "info": [{"ip": packed_ip(ip), "mask": 16777215}]},
    }
    status["upgrade_state"] = upgrade_state(spec, spec.firmware, None)
    if spec.sends_fun:
        status["fun"] = FUN_OPEN
        status["lights_report"].append({"node": "work_light", "mode": "off"})
        status["ipcam"]["rtsp_url"] = "disable"
        status["xcam"] = {"buildplate_marker_detector": True}
    return status


NEW_VERSION_AVAILABLE = 1
NO_NEW_VERSION = 2


def upgrade_state(spec: ModelSpec, firmware: str, new_version: str | None) -> dict[str, Any]:
    """``print.upgrade_state`` (pybambu models.py): P1/A1 list updates in ``new_ver_list``
    (``{name, cur_ver, new_ver}``), X1 names the new firmware in ``ota_new_version_number``."""
    state: dict[str, Any] = {
        "sequence_id": 0,
        "progress": "",
        "status": "IDLE",
        "consistency_request": False,
        "dis_state": 1 if new_version else 0,
        "err_code": 0,
        "force_upgrade": False,
        "message": "",
        "module": "",
        "new_version_state": NEW_VERSION_AVAILABLE if new_version else NO_NEW_VERSION,
    }
    if spec.full_reports:  # X1
        state.update({"ota_new_version_number": new_version or "", "ams_new_version_number": "",
                      "ahb_new_version_number": "", "ext_new_version_number": "",
                      "progress": "0", "module": "null"})  # fmt: skip
    else:
        state["new_ver_list"] = (
            [{"name": "ota", "cur_ver": firmware, "new_ver": new_version}] if new_version else []
        )
    return state


def delta(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``new`` that differ from ``old``; nested dicts recursively, lists wholesale."""
    changed: dict[str, Any] = {}
    for key, value in new.items():
        previous = old.get(key, delta)  # ``delta`` itself: a sentinel no report contains
        if isinstance(value, dict) and isinstance(previous, dict):
            inner = delta(previous, value)
            if inner:
                changed[key] = inner
        elif value != previous:
            changed[key] = copy.deepcopy(value)
    return changed
