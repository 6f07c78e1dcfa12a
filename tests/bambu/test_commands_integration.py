"""Commands published by the driver, as they reach the real broker, and the printer's replies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import copy
from typing import Any

import pytest

from custom_components.ottoengine.bambu import (
    AuthorizationFirmwareError,
    BambuCommandError,
    BambuPrinterClient,
    JobIds,
    PrinterBusyError,
)
from ottosim.bambu.broker import MosquittoBroker
from tests.bambu.conftest import ACCESS_CODE, FAST, SERIAL
from tests.bambu.fake_printer import P1S_FULL_REPORT, FakePrinter, echo_reply


@pytest.fixture
async def client(
    broker: MosquittoBroker, printer: FakePrinter
) -> AsyncIterator[BambuPrinterClient]:
    connected = BambuPrinterClient(broker.host, SERIAL, ACCESS_CODE, model="P1S", settings=FAST)
    await connected.connect()
    await connected.wait_ready(5)
    yield connected
    await connected.close()


def body_of(request: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = next(iter(request.values()))
    return body


async def test_pause_resume_stop_payloads(client: BambuPrinterClient, printer: FakePrinter) -> None:
    await client.pause()
    await client.resume()
    await client.stop()
    sequence_ids = set()
    for command in ("pause", "resume", "stop"):
        request = await printer.wait_for_request(command)
        sequence_id = body_of(request)["sequence_id"]
        sequence_ids.add(sequence_id)
        assert request == {"print": {"sequence_id": sequence_id, "command": command}}
    assert len(sequence_ids) == 3  # every request gets its own sequence id


async def test_gcode_line_payload_accepts_escaped_newlines(
    client: BambuPrinterClient, printer: FakePrinter
) -> None:
    await client.send_gcode("G0 Z150 F3000\\nM117 Bed Ready for Ejection")
    request = await printer.wait_for_request("gcode_line")
    assert body_of(request)["param"] == "G0 Z150 F3000\nM117 Bed Ready for Ejection\n"
    assert set(body_of(request)) == {"sequence_id", "command", "param"}


async def test_project_file_payload(client: BambuPrinterClient, printer: FakePrinter) -> None:
    ids = JobIds("1790000001", "1790000002", "1790000003")
    await client.start_project_file("bracket_v3.gcode.3mf", ams_mapping=[0, 1], job_ids=ids)
    request = await printer.wait_for_request("project_file")
    assert request == {
        "print": {
            "sequence_id": body_of(request)["sequence_id"],
            "command": "project_file",
            "param": "Metadata/plate_1.gcode",
            "url": "file:///sdcard/bracket_v3.gcode.3mf",
            "file": "bracket_v3.gcode.3mf",
            "md5": "",
            "subtask_name": "bracket_v3",
            "bed_type": "auto",
            "timelapse": False,
            "bed_leveling": True,
            "flow_cali": False,
            "vibration_cali": True,
            "layer_inspect": False,
            "use_ams": True,
            "ams_mapping": [0, 1],
            "ams_mapping2": [{"ams_id": 0, "slot_id": 0}, {"ams_id": 0, "slot_id": 1}],
            "project_id": "1790000001",
            "profile_id": "0",
            "task_id": "1790000002",
            "subtask_id": "1790000003",
        }
    }


async def test_plain_gcode_file_payload(client: BambuPrinterClient, printer: FakePrinter) -> None:
    await client.start_gcode_file("job.gcode")
    request = await printer.wait_for_request("gcode_file")
    assert body_of(request)["param"] == "/sdcard/job.gcode"


@pytest.mark.parametrize("state", ["RUNNING", "PREPARE", "PAUSE", "SLICING"])
async def test_start_refused_while_busy(
    broker: MosquittoBroker, printer: FakePrinter, state: str
) -> None:
    printer.full_report = copy.deepcopy(P1S_FULL_REPORT)
    printer.full_report["print"]["gcode_state"] = state
    client = BambuPrinterClient(broker.host, SERIAL, ACCESS_CODE, settings=FAST)
    await client.connect()
    try:
        await client.wait_ready(5)
        with pytest.raises(PrinterBusyError):
            await client.start_project_file("bracket_v3.gcode.3mf")
        with pytest.raises(PrinterBusyError):
            await client.start_gcode_file("job.gcode")
        await client.pause()  # the round trip proves nothing else was in flight
        await printer.wait_for_request("pause")
        assert "project_file" not in printer.commands()
        assert "gcode_file" not in printer.commands()
    finally:
        await client.close()


async def test_successful_reply_is_returned(
    client: BambuPrinterClient, printer: FakePrinter
) -> None:
    printer.reply_rule = lambda kind, body: echo_reply(kind, body, result="success")
    reply = await client.pause(reply_timeout=5)
    assert reply is not None
    assert reply["result"] == "success"


async def test_busy_reply_raises_printer_busy(
    client: BambuPrinterClient, printer: FakePrinter
) -> None:
    printer.reply_rule = lambda kind, body: echo_reply(
        kind, body, result="failed", err_code=0x05004004, reason=""
    )
    with pytest.raises(PrinterBusyError):
        await client.start_project_file("a.gcode.3mf", reply_timeout=5)


async def test_missing_reply_times_out(client: BambuPrinterClient, printer: FakePrinter) -> None:
    with pytest.raises(BambuCommandError, match="no reply"):
        await client.stop(reply_timeout=0.2)


async def test_authorization_firmware_rejection_blocks_control(
    client: BambuPrinterClient, printer: FakePrinter
) -> None:
    printer.reply_rule = lambda kind, body: echo_reply(
        kind, body, result="failed", reason="mqtt message verify failed"
    )
    with pytest.raises(AuthorizationFirmwareError, match="Developer Mode"):
        await client.send_gcode(["G28"], reply_timeout=5)
    assert client.authorization_blocked
    sent = len(printer.requests)
    with pytest.raises(AuthorizationFirmwareError):
        await client.pause()
    await client.set_light("chamber_light", "on")  # lights keep working
    await printer.wait_for_request("ledctrl")
    await asyncio.sleep(0.05)
    assert len(printer.requests) == sent + 1


async def test_authorization_hms_code_detected_from_reports(
    client: BambuPrinterClient, printer: FakePrinter
) -> None:
    errors: list[Exception] = []
    client.add_error_listener(errors.append)
    printer.publish(
        {
            "print": {
                "command": "push_status",
                "msg": 1,
                "hms": [{"attr": 0x05000500, "code": 0x00010007}],
            }
        }
    )
    async with asyncio.timeout(5):
        while not client.authorization_blocked:
            await asyncio.sleep(0.01)
    assert client.status.errors[0].code == "HMS_0500_0500_0001_0007"
    with pytest.raises(AuthorizationFirmwareError):
        await client.stop()
