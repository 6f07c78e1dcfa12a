"""Deep merge of delta reports."""

from __future__ import annotations

import copy
from typing import Any

from custom_components.ottoengine.bambu.merge import merge_report
from tests.bambu.reports import P1_DELTAS, P1S_RUNNING_FULL


def full_state() -> dict[str, Any]:
    state: dict[str, Any] = {}
    merge_report(state, P1S_RUNNING_FULL["print"])
    return state


def test_deltas_update_only_their_keys() -> None:
    state = full_state()
    for delta in P1_DELTAS:
        merge_report(state, delta["print"])
    assert state["mc_percent"] == 100
    assert state["layer_num"] == 42
    assert state["gcode_state"] == "FINISH"
    assert state["nozzle_temper"] == 219.8  # untouched
    assert len(state["ams"]["ams"][0]["tray"]) == 4  # partial "ams" kept the AMS units


def test_trays_merge_by_id() -> None:
    state = full_state()
    merge_report(state, {"ams": {"ams": [{"id": "0", "tray": [{"id": "1", "remain": 40}]}]}})
    trays = state["ams"]["ams"][0]["tray"]
    assert trays[1] == {
        "id": "1", "tray_type": "PETG", "tray_color": "F2F2F2FF", "tray_info_idx": "GFG00",
        "remain": 40,
    }  # fmt: skip
    assert trays[0]["tray_type"] == "PLA"
    assert state["ams"]["ams"][0]["humidity"] == "4"


def test_new_ams_unit_and_tray_are_added() -> None:
    state = full_state()
    merge_report(state, {"ams": {"ams": [{"id": "1", "tray": [{"id": "0", "tray_type": "ABS"}]}]}})
    assert [unit["id"] for unit in state["ams"]["ams"]] == ["0", "1"]
    assert state["ams"]["ams"][1]["tray"] == [{"id": "0", "tray_type": "ABS"}]


def test_other_lists_replace_wholesale() -> None:
    state = full_state()
    merge_report(state, {"hms": [{"attr": 1, "code": 2}], "stg": [1]})
    merge_report(state, {"lights_report": [{"node": "work_light", "mode": "off"}]})
    assert state["hms"] == [{"attr": 1, "code": 2}]
    assert state["stg"] == [1]
    assert state["lights_report"] == [{"node": "work_light", "mode": "off"}]


def test_merge_copies_values() -> None:
    delta = copy.deepcopy(P1S_RUNNING_FULL["print"])
    state: dict[str, Any] = {}
    merge_report(state, delta)
    delta["ams"]["ams"][0]["tray"][0]["remain"] = 1
    assert state["ams"]["ams"][0]["tray"][0]["remain"] == 82
