"""Faults injected through the farm's control endpoint behave like the real failures."""

from __future__ import annotations

import ftplib
import io
import socket
import ssl
import subprocess
import time
from typing import Any

import pytest

from tests.farm_fixtures import FarmControlError, FarmHandle
from tests.sim.clients import (
    GET_VERSION,
    PUSHALL,
    ReportStream,
    ftps_client,
    make_3mf,
    project_file,
    publish,
    reply_to,
    tls_args,
    upload,
    wait_truth,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

VERIFY_FAILED = 84033543
VERIFY_HMS = {"attr": 0x05000500, "code": 0x00010007}


@pytest.fixture(autouse=True)
def _clear_faults(sim_farm: FarmHandle) -> Any:
    yield
    sim_farm.reset()


def test_silent_printer_keeps_the_connection_but_publishes_nothing(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        sim_farm.fault(printer["name"], "silent")
        time.sleep(0.3)
        count = len(reports.messages)
        publish(sim_farm, printer, PUSHALL)
        publish(sim_farm, printer, GET_VERSION)
        with pytest.raises(AssertionError):
            reports.wait_for(lambda _m: True, timeout=3)
        assert len(reports.messages) == count
        assert sim_farm.printer_truth(printer["name"])["brain_connected"] is True
        sim_farm.fault(printer["name"], "clear")
        reports.sync()


def test_authorization_firmware_rejects_control_commands(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("X1C")
    sim_farm.fault(printer["name"], "reject_commands")
    with ReportStream(sim_farm, printer) as reports:
        full = reports.sync()["print"]
        assert VERIFY_HMS in full["hms"]
        assert int(full["fun"], 16) & 0x20000000
        publish(sim_farm, printer, GET_VERSION)
        ota = reports.wait_for(reply_to("get_version"))["info"]["module"][0]
        assert ota["sw_ver"] == "01.08.50.32"
        publish(sim_farm, printer, {"print": {"sequence_id": "7", "command": "gcode_line",
                                              "param": "G1 Z200\n"}})  # fmt: skip
        reply = reports.wait_for(reply_to("gcode_line"))["print"]
        assert reply["result"] == "failed"
        assert reply["reason"] == "mqtt message verify failed"
        assert reply["err_code"] == VERIFY_FAILED
        assert reply["sequence_id"] == "7"
        light = {"system": {"sequence_id": "0", "command": "ledctrl", "led_node": "chamber_light",
                            "led_mode": "off", "led_on_time": 500, "led_off_time": 500,
                            "loop_times": 0, "interval_time": 0}}  # fmt: skip
        publish(sim_farm, printer, light)
        assert reports.wait_for(reply_to("ledctrl"))["system"]["result"] == "success"
    assert sim_farm.truth()["printers"][printer["name"]]["bed_z_mm"] != 200


def test_mqtt_drop_and_down(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("A1")
    name = printer["name"]
    sim_farm.fault(name, "mqtt_drop")
    wait_truth(sim_farm, lambda t: t["devices"]["printers"][name]["brain_connected"], timeout=10)
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
    sim_farm.fault(name, "mqtt_down")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((printer["ip"], 8883), timeout=5).close()
    result = subprocess.run(
        ["mosquitto_pub", *tls_args(sim_farm, printer), "-t", "x", "-m", "x"],
        capture_output=True, timeout=20, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    sim_farm.fault(name, "mqtt_up")
    wait_truth(sim_farm, lambda t: t["devices"]["printers"][name]["brain_connected"], timeout=10)
    with ReportStream(sim_farm, printer) as reports:
        assert reports.sync()["print"]["gcode_state"] == "IDLE"


def test_ftps_transfer_fails_midway(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1P")
    sim_farm.fault(printer["name"], "ftps_fail_after", bytes=50_000)
    data = b"z" * 400_000
    client = ftps_client(printer)
    with pytest.raises((OSError, EOFError, ftplib.Error, ssl.SSLError)):
        client.storbinary("STOR /big.gcode.3mf", io.BytesIO(data))
    client.close()
    check = ftps_client(printer)
    try:
        assert check.size("/big.gcode.3mf") == 50_000
    finally:
        check.quit()
    sim_farm.fault(printer["name"], "clear")
    upload(printer, "big.gcode.3mf", data)


def test_ftps_down_refuses_connections(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1P")
    sim_farm.fault(printer["name"], "ftps_down")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((printer["ip"], 990), timeout=5).close()
    sim_farm.fault(printer["name"], "ftps_up")
    upload(printer, "after.gcode.3mf", b"ok")


def test_print_error_fails_the_running_print(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")
    name = printer["name"]
    with pytest.raises(FarmControlError) as idle:
        sim_farm.fault(name, "print_error")
    assert idle.value.status == 409
    upload(printer, "doomed.gcode.3mf", make_3mf(prediction_s=36000, layers=100))
    with ReportStream(sim_farm, printer) as reports:
        reports.sync()
        publish(sim_farm, printer, project_file("doomed.gcode.3mf"))
        reports.wait_state(lambda s: s["gcode_state"] == "RUNNING", timeout=20)
        hms = [{"attr": 0x07002000, "code": 0x00020004}]
        sim_farm.fault(name, "print_error", print_error=0x07008011, hms=hms)
        reports.wait_state(lambda s: s["gcode_state"] == "FAILED", timeout=10)
        assert reports.state["print_error"] == 0x07008011
        assert reports.state["hms"] == hms
    assert sim_farm.truth()["printers"][name]["plate"]["print"] == f"doomed@{name}#1 (incomplete)"


def test_bad_fault_requests(sim_farm: FarmHandle) -> None:
    with pytest.raises(FarmControlError) as unknown_device:
        sim_farm.fault("nope-9", "silent")
    assert unknown_device.value.status == 404
    with pytest.raises(FarmControlError) as unknown_fault:
        sim_farm.fault("p1s-1", "explode")
    assert unknown_fault.value.status == 400
