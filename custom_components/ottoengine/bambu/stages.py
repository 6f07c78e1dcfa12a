"""Names of the printer's current stage (``stg_cur``), as reported by Bambu Lab printers."""

from __future__ import annotations

IDLE_STAGE_IDS = frozenset({-1, 255})

STAGE_NAMES: dict[int, str] = {
    0: "printing",
    1: "auto_bed_leveling",
    2: "heatbed_preheating",
    3: "sweeping_xy_mech_mode",
    4: "changing_filament",
    5: "m400_pause",
    6: "paused_filament_runout",
    7: "heating_hotend",
    8: "calibrating_extrusion",
    9: "scanning_bed_surface",
    10: "inspecting_first_layer",
    11: "identifying_build_plate_type",
    12: "calibrating_micro_lidar",
    13: "homing_toolhead",
    14: "cleaning_nozzle_tip",
    15: "checking_extruder_temperature",
    16: "paused_user",
    17: "paused_front_cover_falling",
    18: "calibrating_micro_lidar",
    19: "calibrating_extrusion_flow",
    20: "paused_nozzle_temperature_malfunction",
    21: "paused_heat_bed_temperature_malfunction",
    22: "filament_unloading",
    23: "paused_skipped_step",
    24: "filament_loading",
    25: "calibrating_motor_noise",
    26: "paused_ams_lost",
    27: "paused_low_fan_speed_heat_break",
    28: "paused_chamber_temperature_control_error",
    29: "cooling_chamber",
    30: "paused_user_gcode",
    31: "motor_noise_showoff",
    32: "paused_nozzle_filament_covered_detected",
    33: "paused_cutter_error",
    34: "paused_first_layer_error",
    35: "paused_nozzle_clog",
    49: "heating_chamber",
    54: "waiting_for_heatbed_temperature",
    69: "cooling_nozzle",
    77: "preparing_ams",
}


def stage_name(stage_id: int | None, *, print_type: str | None = None) -> str:
    """Upper-case stage label (``PRINTING``, ``HEATBED_PREHEATING``, ``IDLE``...).

    P1/A1 report stage 0 after boot while idle; with ``print_type == "idle"`` that is idle, not
    printing. Ids this table does not know get a generic ``STAGE_<id>`` label.
    """
    if stage_id is None or stage_id in IDLE_STAGE_IDS:
        return "IDLE"
    if stage_id == 0 and print_type == "idle":
        return "IDLE"
    name = STAGE_NAMES.get(stage_id)
    return name.upper() if name is not None else f"STAGE_{stage_id}"
