"""The AMS model without servers: loadout parsing and the commands' effect on the report."""

from __future__ import annotations

from typing import Any

import pytest

from ottosim.bambu.ams import (
    EXTERNAL_TRAY,
    LOAD_S,
    NO_TRAY,
    UNLOAD_S,
    AmsState,
    LoadoutError,
    default_loadout,
    parse_loadout,
)
from ottosim.bambu.models import model_spec


def _state(loadout: dict[str, Any]) -> AmsState:
    return AmsState(parse_loadout(loadout, "test"))


def test_defaults_by_model() -> None:
    assert len(default_loadout(model_spec("P1S")).units) == 1
    assert len(default_loadout(model_spec("X1C")).units) == 1
    assert default_loadout(model_spec("P1P")).units == []
    assert default_loadout(model_spec("A1")).units == []
    report = AmsState(default_loadout(model_spec("P1S"))).report()
    assert report["tray_exist_bits"] == "f"
    assert len({tray["tray_color"] for tray in report["ams"][0]["tray"]}) == 4


def test_tray_fields_are_filled_in_from_the_preset() -> None:
    loadout = parse_loadout(
        {"ams": [{"trays": [{"name": "bambu asa"}, {"type": "tpu", "color": "#ffaa00"}]}]}, "t"
    )
    asa, tpu = loadout.units[0][0], loadout.units[0][1]
    assert asa is not None
    assert tpu is not None
    assert (asa.type, asa.tray_info_idx, asa.remain, asa.sub_brands) == ("ASA", "GFB01", 100,
                                                                          "ASA")  # fmt: skip
    assert (tpu.type, tpu.color, tpu.tray_info_idx, tpu.name) == ("TPU", "FFAA00FF", "GFU99",
                                                                  "Generic TPU")  # fmt: skip
    assert (tpu.nozzle_temp_min, tpu.nozzle_temp_max) == (200, 250)
    assert loadout.units[0][2:] == [None, None]
    assert loadout.external is not None  # not given: the default external spool
    assert loadout.external.type == "PLA"
    unknown = parse_loadout({"ams": [{"trays": [{"type": "PPS", "name": "Acme PPS"}]}]}, "t")
    tray = unknown.units[0][0]
    assert tray is not None
    assert (tray.tray_info_idx, tray.name, tray.remain) == ("GFL99", "Acme PPS", -1)


@pytest.mark.parametrize(
    ("loadout", "message"),
    [
        ([], "an object"),
        ({"ams": [], "extra": 1}, "unknown loadout keys"),
        ({"ams": {}}, "must be a list"),
        ({"ams": ["PLA"]}, "trays"),
        ({"ams": [{"trays": ["PLA"]}]}, "object or null"),
        ({"ams": [{"trays": [{"type": "PLA", "weight": 1}]}]}, "unknown tray keys"),
        ({"ams": [{"trays": [{"type": "PLA", "remain": 101}]}]}, "remain"),
        ({"ams": [{"trays": [{"type": "PLA", "remain": True}]}]}, "remain"),
        ({"ams": [{"trays": [{"type": "PLA", "name": 3}]}]}, "name"),
        ({"ams": [{"trays": [{"type": "PLA", "tray_info_idx": 3}]}]}, "tray_info_idx"),
        ({"ams": [{"trays": [{"type": " "}]}]}, "type"),
        ({"external_spool": {"type": "PLA", "color": "12345"}}, "color"),
    ],
)
def test_bad_loadouts_say_what_is_wrong(loadout: Any, message: str) -> None:
    with pytest.raises(LoadoutError, match=message):
        parse_loadout(loadout, "p1s-1")


def test_load_unload_and_external_spool() -> None:
    ams = _state({"ams": [{"trays": [{"type": "PLA"}, None]}], "external_spool": None})
    assert ams.vt_tray()["tray_type"] == ""
    assert ams.change_filament({"target": 1}) == "no filament in that slot"
    assert ams.change_filament({"target": EXTERNAL_TRAY}) == "no filament in that slot"
    assert ams.change_filament({"target": "x"}) == "invalid target"
    assert (ams.tray_now, ams.tray_pre, ams.tray_tar) == (0, 0, 0)  # loaded at boot
    assert ams.change_filament({"target": 0}) is None  # already loaded: nothing to do
    assert not ams.changing
    assert ams.change_filament({"target": NO_TRAY}) is None
    assert ams.report()["tray_tar"] == "255"
    assert ams.ams_status() == 0x100
    assert not ams.advance(UNLOAD_S / 2)
    assert ams.advance(UNLOAD_S / 2)
    assert (ams.tray_now, ams.tray_pre, ams.ams_status()) == (NO_TRAY, 0, 0)
    assert not ams.advance(1.0)
    assert ams.change_filament({"target": 0}) is None
    assert ams.advance(LOAD_S)
    assert (ams.tray_now, ams.tray_pre) == (0, NO_TRAY)

    # Setting the (absent) external spool puts one there.
    assert ams.set_filament({"ams_id": 255, "tray_id": 254, "tray_info_idx": "GFG00",
                             "tray_color": "00FF00FF", "tray_type": "PETG"}) is None  # fmt: skip
    vt = ams.vt_tray()
    assert (vt["tray_type"], vt["tray_info_idx"], vt["nozzle_temp_min"]) == ("PETG", "GFG00",
                                                                             "230")  # fmt: skip
    assert "cols" not in vt


@pytest.mark.parametrize(
    "request_",
    [
        {"ams_id": 0, "tray_id": 9},
        {"ams_id": "x", "tray_id": 0},
        {"ams_id": 0, "tray_id": 1, "tray_color": "FFFFFFFF"},  # empty slot
        {"ams_id": 0, "tray_id": 0, "tray_color": "white"},
        {"ams_id": 0, "tray_id": 0, "tray_color": "FFFFFFFF", "nozzle_temp_min": "hot"},
    ],
)
def test_bad_filament_settings_are_refused(request_: dict[str, Any]) -> None:
    ams = _state({"ams": [{"trays": [{"type": "PLA"}]}]})
    version = ams.version
    assert ams.set_filament(request_) is not None
    assert ams.version == version


def test_calibration_selection_and_k_values() -> None:
    ams = _state({"ams": [{"trays": [{"type": "PLA"}, {"type": "PETG"}]}]})
    assert ams.set_calibration({"command": "extrusion_cali_sel", "ams_id": 0, "tray_id": 1,
                                "cali_idx": 4}) is None  # fmt: skip
    request = {"command": "extrusion_cali_set",
               "filaments": [{"ams_id": 0, "tray_id": 0, "k_value": 0.031}]}  # fmt: skip
    assert ams.set_calibration(request) is None
    trays = ams.report()["ams"][0]["tray"]
    assert (trays[0]["k"], trays[1]["cali_idx"]) == (0.031, 4)
    assert ams.set_calibration({"ams_id": 0, "tray_id": 2, "cali_idx": 1}) is not None
    assert ams.set_calibration({"ams_id": 0, "slot_id": 0, "cali_idx": "x"}) is not None


def test_ams_lite_modules() -> None:
    lite = AmsState(parse_loadout({"ams": [{"trays": []}]}, "a1-4"), lite=True)
    assert [m["name"] for m in lite.modules("039" + "0" * 12)] == ["ams_f1/0"]
    assert lite.snapshot()["tray_now"] == NO_TRAY  # no tray loaded anywhere
