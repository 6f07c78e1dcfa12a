"""``get_version`` names the hardware like real firmware, and ``home_flag`` tracks homed axes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.farm_fixtures import FarmHandle
from tests.sim.clients import GET_VERSION, ReportStream, publish, reply_to

pytestmark = pytest.mark.usefixtures("loopback_enabled")

HOMED_X, HOMED_Y, HOMED_Z = 0x1, 0x2, 0x4
SD_CARD_PRESENT = 0x100

# The application-processor module clients read the hardware version from (ha-bambulab's
# get_hw_version: the module whose hw_ver starts with "AP0").
AP_MODULES = {"P1S": ("esp32", "AP04"), "P1P": ("esp32", "AP04"), "A1": ("esp32", "AP05"),
              "X1C": ("rv1126", "AP05")}  # fmt: skip


def _gcode(param: str) -> dict[str, Any]:
    return {"print": {"sequence_id": "0", "command": "gcode_line", "param": param}}


@pytest.mark.parametrize("model", ["P1S", "P1P", "A1", "X1C"])
def test_get_version_reports_the_application_processor(sim_farm: FarmHandle, model: str) -> None:
    printer = sim_farm.printer(model)
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, GET_VERSION)
        modules = reports.wait_for(reply_to("get_version"))["info"]["module"]
    by_name = {module["name"]: module for module in modules}
    name, hw_ver = AP_MODULES[model]
    ap = by_name[name]
    assert ap["hw_ver"] == hw_ver
    assert ap["sn"] == printer["serial_number"]
    assert ap["sw_ver"].count(".") == 3
    hardware = [m["hw_ver"] for m in modules if m["hw_ver"].startswith("AP0")]
    assert hardware == [hw_ver]
    assert modules[0]["name"] == "ota"
    assert modules[0]["product_name"].startswith("Bambu Lab ")
    assert {"ota", "mc"} <= by_name.keys()
    if name == "esp32":
        assert ap["product_name"] == ""  # current P1/A1 firmware: the ota module names it


def test_axes_are_homed_by_g28_and_forgotten_by_m84(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1P")
    with ReportStream(sim_farm, printer) as reports:
        flag = reports.sync()["print"]["home_flag"]
        assert flag & (HOMED_X | HOMED_Y | HOMED_Z) == 0
        assert flag & SD_CARD_PRESENT

        def homed() -> int:
            return int(reports.state["home_flag"]) & (HOMED_X | HOMED_Y | HOMED_Z)

        publish(sim_farm, printer, _gcode("G28 X\n"))
        reports.wait_state(lambda _s: homed() == HOMED_X)
        publish(sim_farm, printer, _gcode("G90\nG28\n"))
        reports.wait_state(lambda _s: homed() == HOMED_X | HOMED_Y | HOMED_Z)
        assert int(reports.state["home_flag"]) & SD_CARD_PRESENT
        publish(sim_farm, printer, _gcode("M84\n"))
        reports.wait_state(lambda _s: homed() == 0)
