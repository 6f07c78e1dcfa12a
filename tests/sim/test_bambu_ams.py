"""AMS units and the external spool: the loadout from the farm description, reported like P1S /
X1C firmware, and changed by the real commands (ams_filament_setting, ams_change_filament,
extrusion_cali_sel) sent by a real MQTT client."""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
from typing import Any

import pytest

from tests.farm_fixtures import REPO, FarmHandle, run_farm
from tests.sim.clients import GET_VERSION, ReportStream, publish, reply_to

pytestmark = pytest.mark.usefixtures("loopback_enabled")

RED_PLA = {"type": "PLA", "color": "FF0000FF", "name": "Bambu PLA Basic", "remain": 80}
GREEN_PETG = {"type": "PETG", "color": "00FF00", "name": "Generic PETG"}
LOADOUTS = {
    # P1P with an AMS: slot 2 empty, no external spool.
    "p1p-2": {"ams": [{"trays": [RED_PLA, None, GREEN_PETG]}], "external_spool": None},
    # X1C with two units, the second holding one spool.
    "x1c-3": {"ams": [{"trays": [RED_PLA, RED_PLA, RED_PLA, RED_PLA]},
                      {"trays": [None, None, None, {"type": "ABS", "color": "000000FF"}]}]},
}  # fmt: skip


@pytest.fixture(scope="module")
def ams_farm() -> Iterator[FarmHandle]:
    with tempfile.TemporaryDirectory(prefix="ottosim-ams-") as directory:
        path = Path(directory) / "loadout.json"
        path.write_text(json.dumps(LOADOUTS))
        with run_farm(printers=4, ams_loadout=path) as farm:
            yield farm


def _request(command: str, **params: Any) -> dict[str, Any]:
    return {"print": {"sequence_id": "5", "command": command, **params}}


def _trays(report: dict[str, Any], unit: int) -> list[dict[str, Any]]:
    return list(report["ams"]["ams"][unit]["tray"])


def test_description_holds_each_printers_loadout(ams_farm: FarmHandle) -> None:
    p1s = ams_farm.printer("P1S")
    assert len(p1s["ams"]) == 1  # default: one AMS, four loaded trays
    assert all(tray is not None for tray in p1s["ams"][0]["trays"])
    assert p1s["external_spool"]["type"] == "PLA"
    assert ams_farm.printer("A1")["ams"] == []  # A1: AMS lite optional, none by default

    p1p = ams_farm.printer("P1P")
    trays = p1p["ams"][0]["trays"]
    assert trays[0] == {**RED_PLA, "tray_info_idx": "GFA00"}
    assert trays[1] is None
    assert trays[3] is None
    assert trays[2]["color"] == "00FF00FF"  # RRGGBB gets an opaque alpha
    assert trays[2]["tray_info_idx"] == "GFG99"
    assert p1p["external_spool"] is None
    assert len(ams_farm.printer("X1C")["ams"]) == 2


def test_report_matches_the_loadout(ams_farm: FarmHandle) -> None:
    printer = ams_farm.printer("P1P")
    with ReportStream(ams_farm, printer) as reports:
        report = reports.sync()["print"]
    ams = report["ams"]
    assert [unit["id"] for unit in ams["ams"]] == ["0"]
    unit = ams["ams"][0]
    assert unit["humidity"] in {"1", "2", "3", "4", "5"}
    float(unit["temp"])
    trays = _trays(report, 0)
    assert [tray["id"] for tray in trays] == ["0", "1", "2", "3"]
    assert trays[1] == {"id": "1"}  # empty slots: only the id
    assert trays[3] == {"id": "3"}
    red = trays[0]
    assert (red["tray_type"], red["tray_color"], red["tray_info_idx"]) == ("PLA", "FF0000FF",
                                                                           "GFA00")  # fmt: skip
    assert red["tray_sub_brands"] == "PLA Basic"
    assert red["remain"] == 80
    assert (red["nozzle_temp_min"], red["nozzle_temp_max"]) == ("190", "240")
    assert red["cols"] == ["FF0000FF"]
    assert trays[2]["tray_sub_brands"] == ""  # no RFID tag
    assert trays[2]["remain"] == -1
    assert ams["ams_exist_bits"] == "1"
    assert ams["tray_exist_bits"] == "5"  # slots 0 and 2
    assert ams["tray_is_bbl_bits"] == "1"
    assert ams["tray_now"] == "0"  # the first loaded tray feeds the nozzle at boot
    assert isinstance(ams["version"], int)
    assert report["vt_tray"]["id"] == "254"
    assert report["vt_tray"]["tray_type"] == ""  # no external spool

    x1c = ams_farm.printer("X1C")
    with ReportStream(ams_farm, x1c) as reports:
        report = reports.sync()["print"]
    assert report["ams"]["ams_exist_bits"] == "3"
    assert report["ams"]["tray_exist_bits"] == "8f"
    assert _trays(report, 1)[3]["tray_type"] == "ABS"

    a1 = ams_farm.printer("A1")
    with ReportStream(ams_farm, a1) as reports:
        report = reports.sync()["print"]
    assert report["ams"]["ams"] == []
    assert report["ams"]["ams_exist_bits"] == "0"
    assert report["vt_tray"]["tray_type"] == "PLA"


def test_get_version_lists_one_module_per_ams_unit(ams_farm: FarmHandle) -> None:
    printer = ams_farm.printer("X1C")
    with ReportStream(ams_farm, printer) as reports:
        reports.sync()
        publish(ams_farm, printer, GET_VERSION)
        modules = reports.wait_for(reply_to("get_version"))["info"]["module"]
    ams = [m for m in modules if m["name"].startswith("ams/")]
    assert [m["name"] for m in ams] == ["ams/0", "ams/1"]
    assert {m["hw_ver"] for m in ams} == {"AMS08"}


def test_filament_setting_changes_the_tray(ams_farm: FarmHandle) -> None:
    printer = ams_farm.printer("P1S")
    with ReportStream(ams_farm, printer) as reports:
        reports.sync()
        publish(ams_farm, printer, _request(
            "ams_filament_setting", ams_id=0, tray_id=1, tray_info_idx="GFB00",
            tray_color="123456FF", nozzle_temp_min=240, nozzle_temp_max=270, tray_type="ABS",
        ))  # fmt: skip
        assert reports.wait_for(reply_to("ams_filament_setting"))["print"]["result"] == "success"
        reports.wait_state(lambda s: _trays(s, 0)[1].get("tray_type") == "ABS")
        tray = _trays(reports.state, 0)[1]
        assert (tray["tray_color"], tray["tray_info_idx"]) == ("123456FF", "GFB00")
        assert (tray["nozzle_temp_min"], tray["nozzle_temp_max"]) == ("240", "270")

        # The external spool too (ams_id 255, as ha-bambulab sends it).
        publish(ams_farm, printer, _request(
            "ams_filament_setting", ams_id=255, tray_id=0, tray_info_idx="GFG99",
            tray_color="00000000", nozzle_temp_min=220, nozzle_temp_max=260, tray_type="PETG",
        ))  # fmt: skip
        reports.wait_state(lambda s: s["vt_tray"].get("tray_type") == "PETG")

        # An empty slot cannot be set.
        publish(ams_farm, printer, _request("ams_filament_setting", ams_id=2, tray_id=0,
                                            tray_info_idx="GFA00", tray_color="FFFFFFFF",
                                            tray_type="PLA"))  # fmt: skip
        reply = reports.wait_for(reply_to("ams_filament_setting"))["print"]
        assert reply["result"] == "failed"
    truth = ams_farm.printer_truth(printer["name"])
    assert truth["ams"][0]["trays"][1]["type"] == "ABS"
    assert truth["ams"][0]["trays"][1]["name"] == "Bambu ABS"
    assert truth["external_spool"]["type"] == "PETG"


def test_load_and_unload_change_tray_now(ams_farm: FarmHandle) -> None:
    printer = ams_farm.printer("P1P")
    with ReportStream(ams_farm, printer) as reports:
        reports.sync()
        publish(ams_farm, printer, _request("ams_change_filament", ams_id=0, slot_id=2,
                                            target=2, curr_temp=0, tar_temp=240))  # fmt: skip
        assert reports.wait_for(reply_to("ams_change_filament"))["print"]["result"] == "success"
        reports.wait_state(lambda s: s["ams"]["tray_now"] == "2")
        assert reports.state["ams"]["tray_tar"] == "2"
        assert ams_farm.printer_truth(printer["name"])["tray_now"] == 2

        # Slot 1 is empty: refused, nothing changes.
        publish(ams_farm, printer, _request("ams_change_filament", ams_id=0, slot_id=1,
                                            target=1, curr_temp=0, tar_temp=220))  # fmt: skip
        assert reports.wait_for(reply_to("ams_change_filament"))["print"]["result"] == "failed"

        publish(ams_farm, printer, _request("ams_change_filament", ams_id=0, slot_id=255,
                                            target=255, curr_temp=0, tar_temp=0))  # fmt: skip
        reports.wait_state(lambda s: s["ams"]["tray_now"] == "255")
        assert reports.state["ams"]["tray_pre"] == "2"


def test_extrusion_calibration_selection_is_reported(ams_farm: FarmHandle) -> None:
    printer = ams_farm.printer("X1C")
    with ReportStream(ams_farm, printer) as reports:
        reports.sync()
        publish(ams_farm, printer, _request("extrusion_cali_sel", ams_id=1, tray_id=3,
                                            cali_idx=7, filament_id="GFB99",
                                            nozzle_diameter="0.4"))  # fmt: skip
        assert reports.wait_for(reply_to("extrusion_cali_sel"))["print"]["result"] == "success"
        reports.wait_state(lambda s: _trays(s, 1)[3].get("cali_idx") == 7)


@pytest.mark.parametrize(
    ("loadout", "message"),
    [
        ({"p9-1": {"ams": []}}, "unknown printer"),
        ({"p1s-1": {"ams": [{"trays": [{"type": "PLA", "color": "red"}]}]}}, "color"),
        ({"p1s-1": {"ams": [{"trays": [None] * 5}]}}, "at most 4 trays"),
        ({"p1s-1": {"ams": [{"trays": []}] * 5}}, "at most 4 units"),
        ({"p1s-1": {"ams": [{"trays": [{"color": "FF0000"}]}]}}, "type"),
    ],
)
def test_a_bad_loadout_stops_the_farm_with_a_clear_error(
    tmp_path: Path, loadout: dict[str, Any], message: str
) -> None:
    path = tmp_path / "loadout.json"
    path.write_text(json.dumps(loadout))
    result = subprocess.run(
        [sys.executable, "-m", "ottosim", "--printers", "1", "--ams-loadout", str(path)],
        check=False, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
