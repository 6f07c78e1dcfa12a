"""The whole OTTOMAT3D loop on the simulated farm: print, lower the bed, eject, store, reload.

Also: the farm process leaves nothing behind when it stops.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import time
from typing import Any
import urllib.parse
import urllib.request

import pytest

from tests.farm_fixtures import FarmControlError, FarmHandle, run_farm
from tests.sim.clients import ReportStream, make_3mf, project_file, publish, upload, wait_truth

pytestmark = pytest.mark.usefixtures("loopback_enabled")


def moonraker(ejector: dict[str, Any], path: str, *, post: bool = False) -> Any:
    url = f"http://{ejector['ip']}:{ejector['port']}{path}"
    request = urllib.request.Request(
        url, data=b"" if post else None, method="POST" if post else "GET"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def run_macro(ejector: dict[str, Any], macro: str) -> None:
    query = urllib.parse.urlencode({"script": macro})
    moonraker(ejector, f"/printer/gcode/script?{query}", post=True)
    deadline = time.monotonic() + 20
    while True:
        status = moonraker(ejector, "/printer/objects/query?idle_timeout")
        if status["result"]["status"]["idle_timeout"]["state"] != "Printing":
            return
        assert time.monotonic() < deadline, f"{macro} did not finish"
        time.sleep(0.05)


def test_print_eject_store_and_reload(sim_farm_with_ejector: FarmHandle) -> None:
    farm = sim_farm_with_ejector
    printer, ejector = farm.printer("P1S"), farm.ejectors[0]
    name = printer["name"]
    upload(printer, "gear.gcode.3mf", make_3mf(prediction_s=600, layers=20))
    with ReportStream(farm, printer) as reports:
        reports.sync()
        publish(farm, printer, project_file("gear.gcode.3mf"))
        reports.wait_state(lambda s: s["gcode_state"] == "FINISH", timeout=30)
        publish(farm, printer, {"print": {"sequence_id": "0", "command": "gcode_line",
                                          "param": "G90\nG1 Z200 F600\n"}})  # fmt: skip
    wait_truth(farm, lambda t: t["printers"][name]["bed_z_mm"] == 200, timeout=10)
    for macro in ("OTTOEJECT_HOME", "EJECT_FROM_BAMBULAB_P_ONE_S", "STORE_TO_SLOT_1",
                  "GRAB_FROM_SLOT_4", "LOAD_ONTO_BAMBULAB_P_ONE_S", "PARK_OTTOEJECT"):  # fmt: skip
        run_macro(ejector, macro)
    truth = farm.truth()
    assert truth["violations"] == []
    assert truth["racks"]["rack-1"]["1"]["print"] == f"gear@{name}#1"
    assert truth["racks"]["rack-1"]["4"] is None
    assert truth["printers"][name]["plate"]["print"] is None
    assert truth["stored_prints"] == {f"gear@{name}#1": 1}


def test_ejector_faults_go_through_the_control_endpoint(
    sim_farm_with_ejector: FarmHandle,
) -> None:
    farm = sim_farm_with_ejector
    farm.fault("ottoeject-1", "shutdown")
    wait_truth(
        farm,
        lambda t: t["devices"]["ejectors"]["ottoeject-1"]["klippy_state"] == "shutdown",
        timeout=10,
    )
    farm.fault("ottoeject-1", "firmware_restart")
    wait_truth(
        farm,
        lambda t: t["devices"]["ejectors"]["ottoeject-1"]["klippy_state"] == "ready",
        timeout=15,
    )
    with pytest.raises(FarmControlError) as unknown:
        farm.fault("ottoeject-1", "mqtt_drop")
    assert unknown.value.status == 400


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_stopping_the_farm_leaves_nothing_behind() -> None:
    with run_farm(printers=2, time_scale=50) as farm:
        statuses = [farm.printer_truth(p["name"]) for p in farm.printers]
        pids = [pid for s in statuses for pid in (s["mqtt_pid"], s["ftps_pid"])]
        sdcards = [Path(s["sdcard"]) for s in statuses]
        assert all(sdcard.is_dir() for sdcard in sdcards)
        assert all(Path(f"/etc/pam.d/ottosim-{sdcard.name.lower()}").exists() for sdcard in sdcards)
        ca_dir = Path(farm.ca_file).parent
        assert all(_alive(pid) for pid in pids)
    assert not any(_alive(pid) for pid in pids)
    assert not ca_dir.exists()
    for sdcard in sdcards:  # the PAM service is named like the SD card: <serial>-<instance>
        assert not Path(f"/etc/pam.d/ottosim-{sdcard.name.lower()}").exists()
    assert not any(sdcard.exists() for sdcard in sdcards)
