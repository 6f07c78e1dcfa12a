"""Pure parts of the Moonraker client: status rule, macro validation, envelopes, identity."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.moonraker import (
    EjectorStatus,
    InvalidMacroError,
    MoonrakerAuthError,
    MoonrakerError,
    build_macro_command,
    derive_status,
    identity_from,
)
from custom_components.ottoengine.moonraker.client import console_problem, snapshot_from_objects
from custom_components.ottoengine.moonraker.envelope import (
    error_message,
    unwrap_http,
    unwrap_jsonrpc,
)

READY = {"reachable": True, "klippy_connected": True, "klippy_state": "ready"}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"reachable": False, "klippy_connected": True, "klippy_state": "ready"}, "OFFLINE"),
        ({"reachable": True, "klippy_connected": False, "klippy_state": "ready"}, "OFFLINE"),
        ({"reachable": True, "klippy_connected": True, "klippy_state": "startup"}, "OFFLINE"),
        ({"reachable": True, "klippy_connected": True, "klippy_state": None}, "OFFLINE"),
        ({**READY, "klippy_state": "shutdown", "idle_timeout_state": "Printing"}, "ISSUE"),
        ({**READY, "klippy_state": "error"}, "ISSUE"),
        ({**READY, "idle_timeout_state": "Printing"}, "EJECTING"),
        ({**READY, "idle_timeout_state": "Ready", "print_stats_state": "paused"}, "EJECTING"),
        ({**READY, "idle_timeout_state": "Idle", "macro_outstanding": True}, "EJECTING"),
        ({**READY, "idle_timeout_state": "Ready", "print_stats_state": "standby"}, "ONLINE"),
        ({**READY, "idle_timeout_state": "Idle", "print_stats_state": "complete"}, "ONLINE"),
    ],
)
def test_derive_status(kwargs: dict[str, object], expected: str) -> None:
    assert derive_status(**kwargs) == EjectorStatus(expected)  # type: ignore[arg-type]


def test_snapshot_from_objects() -> None:
    snapshot = snapshot_from_objects(
        {
            "webhooks": {"state": "shutdown", "state_message": "MCU lost"},
            "idle_timeout": {"state": "Printing"},
            "print_stats": {"state": "standby"},
        }
    )
    assert snapshot.status is EjectorStatus.ISSUE
    assert snapshot.state_message == "MCU lost"


@pytest.mark.parametrize(
    ("macro", "params", "script"),
    [
        ("OTTOEJECT_HOME", None, "OTTOEJECT_HOME"),
        ("ottoeject_home", None, "OTTOEJECT_HOME"),
        (
            "EJECT_FROM_BAMBULAB_P_ONE_S PRINTER=p1s-2",
            None,
            "EJECT_FROM_BAMBULAB_P_ONE_S PRINTER=p1s-2",
        ),
        ("STORE_TO_SLOT_3", {"speed": 1.5, "n": 2}, "STORE_TO_SLOT_3 SPEED=1.5 N=2"),
    ],
)
def test_build_macro_command(macro: str, params: dict[str, object] | None, script: str) -> None:
    assert build_macro_command(macro, params).script == script  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("macro", "params"),
    [
        ("", None),
        ("G28\nM112", None),
        ("OTTOEJECT_HOME ; comment", None),
        ("OTTO-HOME", None),
        ("{% raw %}", None),
        ("PARK_OTTOEJECT X", None),
        ("PARK_OTTOEJECT X=1 Y=a b", None),
        ("PARK_OTTOEJECT", {"X": "1;M112"}),
        ("PARK_OTTOEJECT", {"X": '"q"'}),
        ("PARK_OTTOEJECT", {"X": "{printer}"}),
        ("PARK_OTTOEJECT", {"1X": "1"}),
        ("PARK_OTTOEJECT", {"X": True}),
        ("A" * 65, None),
    ],
)
def test_build_macro_command_rejects(macro: str, params: dict[str, object] | None) -> None:
    with pytest.raises(InvalidMacroError):
        build_macro_command(macro, params)  # type: ignore[arg-type]


TRACEBACK = (
    "Traceback ...\ntornado.web.HTTPError: HTTP 400: Error evaluating 'gcode_macro OTTO_FAIL:gcode':"
    " gcode.CommandError: OTTO: simulated failure\n\n"
)


def test_unknown_message_recovered_from_traceback() -> None:
    error = {"code": 400, "message": "Unknown", "traceback": TRACEBACK}
    assert error_message(error) == (
        "Error evaluating 'gcode_macro OTTO_FAIL:gcode': gcode.CommandError: OTTO: simulated failure"
    )
    with pytest.raises(MoonrakerError) as caught:
        unwrap_http(400, {"error": error})
    assert caught.value.code == 400
    assert "simulated failure" in caught.value.message


def test_http_envelopes() -> None:
    assert unwrap_http(200, {"result": "ok"}) == "ok"
    assert unwrap_http(201, {"item": {"path": "x"}}) == {"item": {"path": "x"}}
    with pytest.raises(MoonrakerAuthError):
        unwrap_http(401, {"error": {"code": 401, "message": "Unauthorized", "traceback": ""}})
    with pytest.raises(MoonrakerError) as caught:
        unwrap_http(503, {"error": {"code": 503, "message": "Klippy Host not connected"}})
    assert (caught.value.code, caught.value.message) == (503, "Klippy Host not connected")
    with pytest.raises(MoonrakerError):
        unwrap_http(502, "Bad Gateway")


def test_jsonrpc_envelopes() -> None:
    assert unwrap_jsonrpc({"jsonrpc": "2.0", "result": {"a": 1}, "id": 1}) == {"a": 1}
    with pytest.raises(MoonrakerAuthError):
        unwrap_jsonrpc({"error": {"code": -32602, "message": "Unauthorized"}, "id": 2})
    with pytest.raises(MoonrakerError) as caught:
        unwrap_jsonrpc({"error": {"code": 400, "message": "Printer is shutdown\n"}, "id": 3})
    assert caught.value.message == "Printer is shutdown"


def test_console_problem() -> None:
    store = [
        {"type": "command", "message": "FOO"},
        {"type": "response", "message": '// Unknown command:"FOO"'},
        {"type": "command", "message": "OTTOEJECT_HOME"},
        {"type": "response", "message": "echo: homed"},
    ]
    assert console_problem(store, "FOO") == 'Unknown command:"FOO"'
    assert console_problem(store, "OTTOEJECT_HOME") is None
    assert console_problem(store, "NEVER_SENT") is None
    failed = [
        *store,
        {"type": "command", "message": "X"},
        {"type": "response", "message": "!! boom"},
    ]
    assert console_problem(failed, "X") == "boom"


def test_identity_prefers_cpu_serial_then_hostname() -> None:
    system = {
        "cpu_info": {"serial_number": "10000000ABCDEF"},
        "network": {"eth0": {"mac_address": "DC:A6:32:00:11:22"}, "lo": {"mac_address": "x"}},
        "instance_ids": {"moonraker": "moonraker", "klipper": "klipper"},
    }
    identity = identity_from(system, {"hostname": "ottoeject"})
    assert identity.unique_id == "serial:10000000abcdef"
    assert identity.mac_addresses == ("dc:a6:32:00:11:22",)
    no_serial = identity_from({"cpu_info": {"serial_number": "0000"}}, {"hostname": "OttoEject-2"})
    assert (no_serial.unique_id, no_serial.source) == ("host:ottoeject-2", "hostname")
    with pytest.raises(ValueError, match="neither"):
        identity_from({}, None)
