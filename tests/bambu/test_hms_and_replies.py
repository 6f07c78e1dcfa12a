"""Error code formatting/decoding and the interpretation of command replies."""

from __future__ import annotations

from custom_components.ottoengine.bambu import (
    AuthorizationFirmwareError,
    BambuCommandError,
    PrinterBusyError,
)
from custom_components.ottoengine.bambu.hms import (
    decode_hms,
    decode_print_error,
    format_hms_code,
    format_print_error,
)
from custom_components.ottoengine.bambu.replies import reply_error, reports_authorization_block


def test_print_error_formatting() -> None:
    assert format_print_error(50348044) == "0300_400C"
    assert format_print_error(0x0500C010) == "0500_C010"
    assert decode_print_error(0x0500C010).description.startswith("MicroSD")
    unknown = decode_print_error(0x12345678)
    assert (unknown.code, unknown.description) == ("1234_5678", "1234_5678")


def test_hms_formatting_and_decoding() -> None:
    assert format_hms_code(0x0C000300, 0x00030007) == "0C00_0300_0003_0007"
    known = decode_hms(0x05000500, 0x00010007)
    assert known.code == "HMS_0500_0500_0001_0007"
    assert "Developer Mode" in known.description
    assert (known.severity, known.module) == ("fatal", "mainboard")
    other = decode_hms(0x07010300, 0x00020002)
    assert (other.code, other.severity, other.module) == (
        "HMS_0701_0300_0002_0002",
        "serious",
        "ams",
    )


def test_successful_or_plain_replies_are_not_errors() -> None:
    assert reply_error({"command": "pause", "result": "success"}) is None
    assert reply_error({"command": "pause", "result": "SUCCESS"}) is None
    assert reply_error({"command": "push_status"}) is None


def test_authorization_rejections() -> None:
    by_reason = reply_error(
        {"command": "pause", "result": "failed", "reason": "mqtt message verify failed"}
    )
    assert isinstance(by_reason, AuthorizationFirmwareError)
    by_code = reply_error({"command": "project_file", "result": "FAILED", "err_code": 84033543})
    assert isinstance(by_code, AuthorizationFirmwareError)


def test_busy_and_generic_failures() -> None:
    busy = reply_error({"command": "project_file", "result": "failed", "err_code": 0x05004004})
    assert isinstance(busy, PrinterBusyError)
    generic = reply_error({"command": "gcode_line", "result": "failed", "reason": "bad gcode"})
    assert type(generic) is BambuCommandError
    assert generic.reason == "bad gcode"


def test_authorization_hms_in_report() -> None:
    assert reports_authorization_block({"hms": [{"attr": 0x05000500, "code": 0x00010007}]})
    assert not reports_authorization_block({"hms": [{"attr": 0x05000500, "code": 0x00010008}]})
    assert not reports_authorization_block({})
