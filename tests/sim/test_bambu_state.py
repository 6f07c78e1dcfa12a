"""More printer state through the fault endpoint and commands, as firmware reports it: HMS
entries, the X1's door, a firmware update on offer, fans set by G-code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.farm_fixtures import FarmControlError, FarmHandle
from tests.sim.clients import ReportStream, publish, reply_to

pytestmark = pytest.mark.usefixtures("loopback_enabled")

DOOR_OPEN = 0x00800000
AMS_HMS = {"attr": 0x07002000, "code": 0x00020004}  # 0700_2000_0002_0004
NOZZLE_HMS = {"attr": 0x03001200, "code": 0x00020001}


@pytest.fixture(autouse=True)
def _clear_faults(sim_farm: FarmHandle) -> Any:
    yield
    sim_farm.reset()


def test_hms_fault_reports_entries_in_the_firmware_format_until_cleared(
    sim_farm: FarmHandle,
) -> None:
    printer = sim_farm.printer("P1S")
    with ReportStream(sim_farm, printer) as reports:
        assert reports.sync()["print"]["hms"] == []
        sim_farm.fault(printer["name"], "hms", hms=[AMS_HMS])
        reports.wait_state(lambda s: s["hms"] == [AMS_HMS])
        sim_farm.fault(printer["name"], "hms", hms=[NOZZLE_HMS, AMS_HMS])
        reports.wait_state(lambda s: s["hms"] == [AMS_HMS, NOZZLE_HMS])
        assert reports.state["gcode_state"] == "IDLE"  # HMS alone stops nothing
        truth = sim_farm.printer_truth(printer["name"])
        assert truth["hms"] == [AMS_HMS, NOZZLE_HMS]
        sim_farm.fault(printer["name"], "clear")
        reports.wait_state(lambda s: s["hms"] == [])


@pytest.mark.parametrize(
    "hms",
    [
        "0700_2000_0002_0004",
        [{"attr": "0x07002000", "code": 1}],
        [{"attr": 1}],
        [{"attr": -1, "code": 1}],
        [{"attr": 1, "code": 2**32}],
    ],
)
def test_malformed_hms_is_a_bad_request(sim_farm: FarmHandle, hms: Any) -> None:
    with pytest.raises(FarmControlError) as error:
        sim_farm.fault("p1s-1", "hms", hms=hms)
    assert error.value.status == 400


def test_x1c_reports_its_door_in_home_flag(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("X1C")
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        assert not reports.state["home_flag"] & DOOR_OPEN
        sim_farm.fault(printer["name"], "door", open=True)
        reports.wait_state(lambda s: bool(s["home_flag"] & DOOR_OPEN))
        assert reports.state["home_flag"] & 0x100  # the other bits stay (SD card)
        assert sim_farm.printer_truth(printer["name"])["faults"]["door_open"] is True
        sim_farm.fault(printer["name"], "door", open=False)
        reports.wait_state(lambda s: not s["home_flag"] & DOOR_OPEN)


@pytest.mark.parametrize("model", ["P1S", "P1P", "A1"])
def test_models_without_a_door_sensor_refuse_the_door_fault(
    sim_farm: FarmHandle, model: str
) -> None:
    with pytest.raises(FarmControlError) as error:
        sim_farm.fault(sim_farm.printer(model)["name"], "door", open=True)
    assert error.value.status == 409


def test_firmware_update_offer_p1_style(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1P")
    with ReportStream(sim_farm, printer) as reports:
        state = reports.sync()["print"]["upgrade_state"]
        assert state["new_version_state"] == 2
        assert state["new_ver_list"] == []
        sim_farm.fault(printer["name"], "firmware_update", version="01.09.01.00")
        reports.wait_state(lambda s: s["upgrade_state"]["new_version_state"] == 1)
        assert reports.state["upgrade_state"]["new_ver_list"] == [
            {"name": "ota", "cur_ver": "01.07.00.00", "new_ver": "01.09.01.00"}
        ]
        sim_farm.fault(printer["name"], "clear")
        reports.wait_state(lambda s: s["upgrade_state"]["new_version_state"] == 2)
        assert reports.state["upgrade_state"]["new_ver_list"] == []


def test_firmware_update_offer_x1_style(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("X1C")
    with ReportStream(sim_farm, printer) as reports:
        assert reports.sync()["print"]["upgrade_state"]["ota_new_version_number"] == ""
        sim_farm.fault(printer["name"], "firmware_update", version="01.09.00.10")
        reports.wait_state(lambda s: s["upgrade_state"]["ota_new_version_number"] == "01.09.00.10")
        assert reports.state["upgrade_state"]["new_version_state"] == 1


def test_fans_follow_m106_like_firmware(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")

    def gcode(param: str) -> dict[str, Any]:
        return {"print": {"sequence_id": "0", "command": "gcode_line", "param": param}}

    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, gcode("M106 P2 S255\nM106 P3 S102\n"))
        reports.wait_state(lambda s: (s["big_fan1_speed"], s["big_fan2_speed"]) == ("15", "6"))
        assert reports.state["cooling_fan_speed"] == "0"
        publish(sim_farm, printer, gcode("M106 P1 S128\n"))
        reports.wait_state(lambda s: s["cooling_fan_speed"] == "8")
        publish(sim_farm, printer, gcode("M107 P2\nM106 P3 S0\n"))
        reports.wait_state(lambda s: (s["big_fan1_speed"], s["big_fan2_speed"]) == ("0", "0"))
        # An idle printer keeps the part fan where G-code put it (several reports later).
        for _ in range(2):
            reports.wait_for(lambda m: m.get("print", {}).get("command") == "push_status")
        assert reports.state["cooling_fan_speed"] == "8"
        publish(sim_farm, printer, gcode("M107\n"))
        reports.wait_state(lambda s: s["cooling_fan_speed"] == "0")


def test_chamber_light_and_print_speed_commands(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("A1")
    light = {"system": {"sequence_id": "0", "command": "ledctrl", "led_node": "chamber_light",
                        "led_mode": "off", "led_on_time": 500, "led_off_time": 500,
                        "loop_times": 0, "interval_time": 0}}  # fmt: skip
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, light)
        assert reports.wait_for(reply_to("ledctrl"))["system"]["result"] == "success"
        reports.wait_state(lambda s: s["lights_report"][0] == {"node": "chamber_light",
                                                                "mode": "off"})  # fmt: skip
        speed = {"print": {"sequence_id": "0", "command": "print_speed", "param": "3"}}
        publish(sim_farm, printer, speed)
        reports.wait_state(lambda s: (s["spd_lvl"], s["spd_mag"]) == (3, 124))
        for key in ("wifi_signal", "nozzle_type", "nozzle_diameter", "mc_print_sub_stage",
                    "subtask_name", "gcode_file"):  # fmt: skip
            assert key in reports.state
