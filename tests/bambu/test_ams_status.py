"""The AMS and the extended printer state (fans, lights, door, firmware, nozzle) from reports."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from custom_components.ottoengine.bambu import PrinterStatus
from custom_components.ottoengine.bambu.ams import AmsState, hex_color
from custom_components.ottoengine.bambu.merge import merge_report
from custom_components.ottoengine.bambu.models import has_chamber_sensor, has_door_sensor
from tests.bambu.reports import P1S_RUNNING_FULL, X1C_IDLE_EXTERNAL_SPOOL


def _merged(*reports: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for report in reports:
        body = report["print"]
        if body.get("msg") == 0:  # a full report replaces the cached state, as the client does
            state = {}
        merge_report(state, body)
    return state


def _delta(**fields: Any) -> dict[str, Any]:
    return {"print": {"command": "push_status", "msg": 1, **fields}}


def test_ams_unit_and_trays_from_a_full_report() -> None:
    ams = PrinterStatus.from_report(P1S_RUNNING_FULL).ams
    (unit,) = ams.units
    assert (unit.id, unit.key, unit.is_ht) == (0, "ams_1", False)
    assert (unit.humidity_level, unit.humidity_percent, unit.temperature) == (4, None, 27.1)
    assert [t.key for t in unit.trays] == [f"ams_1_tray_{n}" for n in range(1, 5)]
    first, second, third, _fourth = unit.trays
    assert (first.material, first.color, first.name, first.preset_id) == (
        "PLA",
        "#1A1A1A",
        "PLA Basic",
        "GFA00",
    )
    assert (first.remaining_percent, first.nozzle_temp_min, first.nozzle_temp_max) == (82, 190, 230)
    assert first.loaded
    assert first.active
    assert not first.empty
    assert (second.material, second.color, second.remaining_percent) == ("PETG", "#F2F2F2", None)
    assert second.loaded
    assert not second.active
    assert third.empty
    assert third.material is None
    assert third.color is None
    assert ams.active_tray_id == 0
    assert ams.active_tray == first
    assert ams.tray(1) == second
    assert ams.unit(0) == unit
    assert ams.unit(1) is None
    # The external spool slot exists but holds nothing.
    assert ams.external_spool is not None
    assert ams.external_spool.empty
    assert ams.external_spool.color is None
    assert ams.tray(254) == ams.external_spool


def test_external_spool_active_without_ams() -> None:
    report = copy.deepcopy(X1C_IDLE_EXTERNAL_SPOOL)
    report["print"]["ams"]["tray_now"] = "254"
    ams = PrinterStatus.from_report(report).ams
    assert ams.units == ()
    spool = ams.external_spool
    assert spool is not None
    assert (spool.key, spool.tray_id, spool.material, spool.color) == (
        "external_spool",
        254,
        "PETG",
        "#898989",
    )
    assert spool.active
    assert ams.active_tray == spool
    assert PrinterStatus.from_report(X1C_IDLE_EXTERNAL_SPOOL).ams.active_tray is None


def test_partial_tray_updates_merge_by_id() -> None:
    state = _merged(
        P1S_RUNNING_FULL,
        # P1 deltas: one tray's remaining, another tray's new spool, the active tray changes.
        _delta(ams={"ams": [{"id": "0", "tray": [{"id": "0", "remain": 80}]}]}),
        _delta(
            ams={
                "ams": [
                    {"id": "0", "tray": [{"id": "2", "tray_type": "ABS", "tray_color": "FF0000FF"}]}
                ],
                "tray_exist_bits": "7",
                "tray_now": "2",
            }
        ),
        _delta(ams={"ams": [{"id": "0", "humidity": "2", "humidity_raw": "23"}]}),
    )
    ams = PrinterStatus.from_report(state).ams
    (unit,) = ams.units
    first, _second, third, _fourth = unit.trays
    assert (first.material, first.remaining_percent, first.active) == ("PLA", 80, False)
    assert (third.material, third.color, third.loaded, third.active) == (
        "ABS",
        "#FF0000",
        True,
        True,
    )
    assert (unit.humidity_level, unit.humidity_percent) == (2, 23)
    assert ams.active_tray == third
    # Every tray of the unit survived the partial updates.
    assert len(unit.trays) == 4


def test_units_appear_and_disappear() -> None:
    second_unit = {
        "id": "1",
        "humidity": "5",
        "temp": "24.0",
        "tray": [{"id": "0", "tray_type": "TPU", "tray_color": "00FF00FF", "remain": 50}],
    }
    state = _merged(
        P1S_RUNNING_FULL,
        _delta(ams={"ams": [second_unit], "ams_exist_bits": "3", "tray_exist_bits": "13"}),
    )
    ams = PrinterStatus.from_report(state).ams
    assert [unit.key for unit in ams.units] == ["ams_1", "ams_2"]
    assert ams.tray(4) is not None
    assert ams.tray(4).material == "TPU"
    # The first unit is unplugged: its bit goes, the delta does not remove it from the list.
    merge_report(state, {"ams": {"ams_exist_bits": "2", "tray_exist_bits": "10"}})
    ams = PrinterStatus.from_report(state).ams
    assert [unit.key for unit in ams.units] == ["ams_2"]
    assert ams.tray(0) is None
    # A full report without the unit list: no units at all.
    assert PrinterStatus.from_report({"ams": {"ams": [], "tray_now": "255"}}).ams.units == ()


def test_ams_ht_and_bogus_climate_values() -> None:
    report = {
        "ams": {
            "ams": [
                {
                    "id": "128",
                    "humidity": "0",
                    "humidity_raw": "150",
                    "temp": "-20",
                    "tray": [{"id": "0", "tray_type": "PA-CF", "tray_color": "123456"}],
                },
                "garbage",
                {"tray": []},
            ],
            "ams_exist_bits": "0",
            "tray_exist_bits": "0",
            "tray_now": "128",
        },
        "vt_tray": "not a tray",
    }
    ams = AmsState.from_report(report)
    (unit,) = ams.units
    assert (unit.key, unit.is_ht) == ("ams_ht_1", True)
    assert (unit.humidity_level, unit.humidity_percent, unit.temperature) == (None, None, None)
    (tray,) = unit.trays
    assert (tray.key, tray.tray_id, tray.material, tray.color) == (
        "ams_ht_1_tray_1",
        128,
        "PA-CF",
        "#123456",
    )
    assert tray.active
    assert ams.active_tray == tray
    assert ams.external_spool is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1A1A1AFF", "#1A1A1A"),
        ("f2f2f2", "#F2F2F2"),
        ("", None),
        (None, None),
        ("red", None),
        ("1A1A1AFF00", None),
    ],
)
def test_hex_color(value: str | None, expected: str | None) -> None:
    assert hex_color(value) == expected


def test_extended_state_of_a_p1s() -> None:
    status = PrinterStatus.from_report(P1S_RUNNING_FULL)
    assert (status.nozzle_type, status.nozzle_diameter) == ("stainless_steel", 0.4)
    assert status.part_cooling_fan_percent == 100
    assert status.aux_fan_percent == 0
    assert status.chamber_fan_percent == 40  # step 6 of 15, rounded up to tens
    assert status.heatbreak_fan_percent == 100
    assert (status.speed_level, status.speed_name) == (2, "standard")
    assert status.chamber_light_on is True
    assert status.door_open is False  # home_flag without bit 0x00800000
    assert status.firmware_update_available is None
    assert (status.gcode_file, status.subtask_name) == ("bracket_v3.gcode.3mf", "bracket_v3")
    assert status.hms_errors == ()
    assert status.print_error_info is None


def test_deltas_switch_light_speed_fans_and_door() -> None:
    state = _merged(
        P1S_RUNNING_FULL,
        _delta(lights_report=[{"node": "chamber_light", "mode": "off"}]),
        _delta(spd_lvl=4, spd_mag=166, cooling_fan_speed="3"),
        _delta(home_flag=322454936 | 0x00800000),
    )
    status = PrinterStatus.from_report(state)
    assert status.chamber_light_on is False
    assert status.speed_name == "ludicrous"
    assert status.part_cooling_fan_percent == 20
    assert status.door_open is True
    # H2-style "stat" wins over home_flag.
    merge_report(state, {"stat": "46258008"})
    assert PrinterStatus.from_report(state).door_open is False
    merge_report(state, {"stat": "46A58008"})
    assert PrinterStatus.from_report(state).door_open is True


def test_missing_extended_fields_are_unknown() -> None:
    status = PrinterStatus.from_report({"lights_report": [{"node": "work_light", "mode": "on"}]})
    assert status.chamber_light_on is None
    assert status.door_open is None
    assert status.part_cooling_fan_percent is None
    assert status.speed_name is None
    assert status.nozzle_type is None
    assert status.nozzle_diameter is None
    assert status.ams == AmsState((), None, None)
    assert PrinterStatus.from_report({"stat": "zz", "home_flag": 0}).door_open is False
    flashing = {"lights_report": [{"node": "chamber_light", "mode": "flashing"}]}
    assert PrinterStatus.from_report(flashing).chamber_light_on is True
    assert PrinterStatus.from_report({"spd_lvl": 9}).speed_name is None
    assert PrinterStatus.from_report({"cooling_fan_speed": "99"}).part_cooling_fan_percent == 100


def test_firmware_update_available() -> None:
    upgrade = {
        "upgrade_state": {
            "new_version_state": 1,
            "new_ver_list": [
                {"name": "ams/0", "cur_ver": "00.00.06.40", "new_ver": "00.00.06.49"},
                {"name": "ota", "cur_ver": "01.07.00.00", "new_ver": "01.08.02.00"},
            ],
        }
    }
    status = PrinterStatus.from_report(upgrade)
    assert status.firmware_update_available is True
    assert status.firmware_new_version == "01.08.02.00"
    legacy = {"upgrade_state": {"new_version_state": 1, "ota_new_version_number": "01.08.03.00"}}
    assert PrinterStatus.from_report(legacy).firmware_new_version == "01.08.03.00"
    current = PrinterStatus.from_report({"upgrade_state": {"new_version_state": 2}})
    assert current.firmware_update_available is False
    assert current.firmware_new_version is None
    assert (
        PrinterStatus.from_report({"upgrade_state": {"progress": "0"}}).firmware_update_available
        is None
    )


def test_hms_and_print_error_texts_from_the_public_table() -> None:
    status = PrinterStatus.from_report(
        {
            "gcode_state": "FAILED",
            "print_error": 0x0300_4000,
            "hms": [
                {"attr": 0x07002000, "code": 0x00020001},
                {"attr": 0x0F00_1200, "code": 0x0004_0001},
            ],
        }
    )
    known, unknown = status.hms_errors
    assert known.code == "HMS_0700_2000_0002_0001"
    assert known.description == "AMS A Slot 1 filament has run out. Please insert a new filament."
    assert (
        known.url == "https://wiki.bambulab.com/en/x1/troubleshooting/hmscode/0700_2000_0002_0001"
    )
    assert (known.severity, known.module) == ("serious", "ams")
    assert unknown.description == "HMS_0F00_1200_0004_0001"
    assert unknown.url == "https://wiki.bambulab.com/en/hms/home"
    error = status.print_error_info
    assert error is not None
    assert (error.code, error.description) == (
        "0300_4000",
        "Z axis homing failed; the task has been stopped.",
    )


def test_models_with_chamber_and_door_sensors() -> None:
    assert has_chamber_sensor("X1C")
    assert has_door_sensor("BL-P001")
    assert has_chamber_sensor("H2D")
    assert has_door_sensor("P2S")
    assert not has_chamber_sensor("P1S")
    assert not has_door_sensor("P1S")
    assert not has_chamber_sensor(None)
    assert not has_door_sensor("A1 mini")


def test_malformed_ams_values_are_ignored() -> None:
    report = {
        "ams": {
            "ams": [
                {
                    "id": "0",
                    "humidity": "wet",
                    "temp": {"c": 20},
                    "tray": [{"id": "x"}, "garbage", {"id": "1", "tray_type": "PLA"}],
                }
            ],
            "ams_exist_bits": "zz",
            "tray_exist_bits": "",
            "tray_now": None,
        }
    }
    ams = AmsState.from_report(report)
    (unit,) = ams.units  # unreadable exist bits: the list decides
    assert (unit.humidity_level, unit.temperature) == (None, None)
    (tray,) = unit.trays
    assert (tray.key, tray.material, tray.loaded) == ("ams_1_tray_2", "PLA", True)
    assert ams.active_tray_id is None
    assert ams.active_tray is None
