"""Realistic report shapes from the protocol reference (synthetic values)."""

from __future__ import annotations

from typing import Any

P1S_RUNNING_FULL: dict[str, Any] = {
    "print": {
        "command": "push_status", "msg": 0, "sequence_id": "2041",
        "gcode_state": "RUNNING", "print_type": "local",
        "gcode_file": "bracket_v3.gcode.3mf", "subtask_name": "bracket_v3",
        "gcode_file_prepare_percent": "100",
        "project_id": "0", "profile_id": "0", "task_id": "0", "subtask_id": "0",
        "mc_percent": 37, "mc_remaining_time": 52, "mc_print_stage": "2", "mc_print_sub_stage": 0,
        "layer_num": 41, "total_layer_num": 112, "stg": [2, 13, 1], "stg_cur": 0,
        "nozzle_temper": 219.8, "nozzle_target_temper": 220.0,
        "bed_temper": 64.9, "bed_target_temper": 65.0,
        "chamber_temper": 5, "nozzle_diameter": "0.4", "nozzle_type": "stainless_steel",
        "cooling_fan_speed": "15", "big_fan1_speed": "0", "big_fan2_speed": "6",
        "heatbreak_fan_speed": "15",
        "spd_lvl": 2, "spd_mag": 100, "print_error": 0, "hms": [], "s_obj": [],
        "sdcard": True, "home_flag": 322454936, "wifi_signal": "-51dBm", "ams_status": 0,
        "lights_report": [{"node": "chamber_light", "mode": "on"}],
        "ams": {
            "ams": [{"id": "0", "humidity": "4", "temp": "27.1", "tray": [
                {"id": "0", "tray_type": "PLA", "tray_sub_brands": "PLA Basic",
                 "tray_color": "1A1A1AFF", "cols": ["1A1A1AFF"], "tray_info_idx": "GFA00",
                 "remain": 82, "k": 0.02, "cali_idx": -1, "nozzle_temp_min": "190",
                 "nozzle_temp_max": "230", "tray_weight": "1000", "tray_diameter": "1.75"},
                {"id": "1", "tray_type": "PETG", "tray_color": "F2F2F2FF",
                 "tray_info_idx": "GFG00", "remain": -1},
                {"id": "2"}, {"id": "3"}]}],
            "ams_exist_bits": "1", "tray_exist_bits": "3", "tray_is_bbl_bits": "1",
            "tray_now": "0", "tray_pre": "0", "tray_tar": "0", "insert_flag": True, "version": 12,
        },
        "vt_tray": {"id": "254", "tray_type": "", "tray_color": "00000000", "tray_info_idx": "",
                    "remain": 0, "k": 0.02, "n": 1, "cali_idx": -1},
        "ipcam": {"ipcam_dev": "1", "timelapse": "disable", "resolution": "720p"},
        "net": {"conf": 0, "info": [{"ip": 1677830336, "mask": 16777215}]},
    }
}  # fmt: skip

P1_DELTAS: list[dict[str, Any]] = [
    {"print": {"command": "push_status", "msg": 1, "sequence_id": "2042",
               "mc_percent": 38, "mc_remaining_time": 50}},
    {"print": {"command": "push_status", "msg": 1, "sequence_id": "2043",
               "layer_num": 42, "ams": {"tray_now": "0"}}},
    {"print": {"command": "push_status", "msg": 1, "sequence_id": "2044",
               "gcode_state": "FINISH", "mc_percent": 100, "mc_remaining_time": 0,
               "stg_cur": 255}},
]  # fmt: skip

X1C_IDLE_EXTERNAL_SPOOL: dict[str, Any] = {
    "print": {
        "command": "push_status", "msg": 0, "gcode_state": "IDLE", "print_type": "idle",
        "stg_cur": -1, "mc_percent": 0, "mc_remaining_time": 0,
        "nozzle_temper": 28.0, "nozzle_target_temper": 0, "bed_temper": 26.5,
        "bed_target_temper": 0, "chamber_temper": 31.0, "fun": "3EC1AFFF9CFF",
        "print_error": 0, "wifi_signal": "-62dBm",
        "hms": [{"attr": 0x0C000300, "code": 0x00030007}],
        "ams": {"ams": [], "tray_now": "255"},
        "vt_tray": {"id": "254", "tray_type": "PETG", "tray_color": "898989FF",
                    "tray_sub_brands": "", "remain": -1},
    }
}  # fmt: skip
