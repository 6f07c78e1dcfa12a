"""Requests of the printer actions: the shapes real firmware takes, and input refused by name."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.bambu import printer_actions as actions


def test_skip_objects_sorted_unique_ids() -> None:
    assert actions.skip_objects([34, 12, 34]) == {
        "print": {"sequence_id": "0", "command": "skip_objects", "obj_list": [12, 34]}
    }
    for bad, field in (([], "object_ids"), ([-1], "object_ids"), (range(65), "at most 64")):
        with pytest.raises(ValueError, match=field):
            actions.skip_objects(list(bad))


def test_ams_filament_setting_for_a_tray_and_the_external_spool() -> None:
    request = actions.ams_filament_setting(
        1, 2, filament_type="petg", color="#ff8800", nozzle_temp_min=220, nozzle_temp_max=260
    )
    assert request["print"] == {
        "sequence_id": "0",
        "command": "ams_filament_setting",
        "ams_id": 1,
        "tray_id": 2,
        "tray_info_idx": "",
        "tray_color": "FF8800FF",
        "nozzle_temp_min": 220,
        "nozzle_temp_max": 260,
        "tray_type": "PETG",
    }
    external = actions.ams_filament_setting(
        None,
        None,
        filament_type="PLA",
        color="00000080",
        nozzle_temp_min=190,
        nozzle_temp_max=230,
        tray_info_idx=" GFA00 ",
    )["print"]
    assert (external["ams_id"], external["tray_id"], external["tray_color"]) == (
        255,
        254,
        "00000080",
    )
    assert external["tray_info_idx"] == "GFA00"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"color": "orange"}, "color"),
        ({"filament_type": "P;LA"}, "filament_type"),
        ({"nozzle_temp_min": 240, "nozzle_temp_max": 200}, "nozzle_temp"),
        ({"nozzle_temp_max": 400}, "nozzle_temp"),
    ],
)
def test_ams_filament_setting_refuses(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "filament_type": "PLA",
        "color": "#FFFFFF",
        "nozzle_temp_min": 190,
        "nozzle_temp_max": 230,
        **kwargs,
    }
    with pytest.raises(ValueError, match=field):
        actions.ams_filament_setting(0, 0, **values)  # type: ignore[arg-type]


def test_trays() -> None:
    assert actions.global_tray(0, 0) == 0
    assert actions.global_tray(3, 3) == 15
    assert actions.global_tray(None, None) == 254
    with pytest.raises(ValueError, match="ams_unit"):
        actions.global_tray(4, 0)
    with pytest.raises(ValueError, match="tray"):
        actions.global_tray(0, 4)
    with pytest.raises(ValueError, match="tray"):
        actions.global_tray(0, None)


def test_load_and_unload_filament() -> None:
    assert actions.load_filament(1, 1, 230)["print"] == {
        "sequence_id": "0",
        "command": "ams_change_filament",
        "target": 5,
        "curr_temp": 230,
        "tar_temp": 230,
        "ams_id": 1,
        "slot_id": 1,
    }
    assert actions.load_filament(None, None, 220)["print"]["target"] == 254
    assert actions.unload_filament(220)["print"]["target"] == 255
    with pytest.raises(ValueError, match="temperature"):
        actions.load_filament(0, 0, 0)
    with pytest.raises(ValueError, match="temperature"):
        actions.unload_filament(351)


def test_move_axis_gcode() -> None:
    assert actions.move_axis_gcode("z", 10) == "G91\nG1 Z10 F600\nG90\n"
    assert actions.move_axis_gcode("X", -2.5, 6000) == "G91\nG1 X-2.5 F6000\nG90\n"
    assert actions.move_axis_gcode("E", 5) == "M83\nG1 E5 F300\n"
    for axis, distance, speed, field in (
        ("A", 1, None, "axis"),
        ("Z", 0, None, "distance"),
        ("Z", 351, None, "distance"),
        ("E", 201, None, "distance"),
        ("X", 1, 0, "speed"),
        ("X", 1, 12001, "speed"),
    ):
        with pytest.raises(ValueError, match=field):
            actions.move_axis_gcode(axis, distance, speed)
