"""What an orchestrator is judged by: the farm's ground truth (``GET /truth``, ``GET /events``).

A farm of its own (a P1S and an A1, one OttoEject, a 6-shelf rack 80 mm apart: shelves 1-3 free,
4-6 with an empty plate) driven over the real servers: MQTT + FTPS for the printers, Moonraker's
HTTP API for the robot, the control endpoint for operator actions and faults.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.farm_fixtures import FarmControlError, FarmHandle, run_farm
from tests.sim.clients import ReportStream, make_3mf, project_file, publish, upload, wait_truth

pytestmark = pytest.mark.usefixtures("loopback_enabled")

P1S_EJECT, P1S_LOAD = "EJECT_FROM_BAMBULAB_P_ONE_S", "LOAD_ONTO_BAMBULAB_P_ONE_S"
A1_EJECT, A1_LOAD = "EJECT_FROM_BAMBULAB_A_ONE", "LOAD_ONTO_BAMBULAB_A_ONE"
RACK = "rack-1"
TIMEOUT_S = 60.0  # generous: two busy cores


@pytest.fixture(scope="module")
def farm() -> Iterator[FarmHandle]:
    with run_farm(printers=2, ejectors=1, shelves=6, models="P1S,A1") as handle:
        yield handle


@pytest.fixture
def p1s(farm: FarmHandle) -> dict[str, Any]:
    return farm.printer("P1S")


@pytest.fixture
def a1(farm: FarmHandle) -> dict[str, Any]:
    return farm.printer("A1")


@pytest.fixture
def ejector(farm: FarmHandle) -> dict[str, Any]:
    return farm.ejectors[0]


def moonraker(ejector: dict[str, Any], path: str, *, post: bool = False) -> tuple[int, Any]:
    """A Moonraker HTTP call: (status, decoded body), error statuses included."""
    request = urllib.request.Request(
        f"http://{ejector['ip']}:{ejector['port']}{path}",
        data=b"" if post else None,
        method="POST" if post else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def gcode(ejector: dict[str, Any], script: str) -> tuple[int, Any]:
    """``POST /printer/gcode/script``: Moonraker answers when the macro is done (or failed)."""
    query = urllib.parse.urlencode({"script": script})
    return moonraker(ejector, f"/printer/gcode/script?{query}", post=True)


def run_ok(ejector: dict[str, Any], *scripts: str) -> None:
    for script in scripts:
        status, body = gcode(ejector, script)
        assert status == 200, f"{script}: {body}"


def error_text(body: Any) -> str:
    """Moonraker's error: ``message`` plus ``traceback`` (the reason when Klippy's ends in \\n)."""
    error = body["error"]
    return f"{error.get('message', '')}\n{error.get('traceback', '')}"


def print_to_finish(
    farm: FarmHandle, printer: dict[str, Any], name: str, *, max_z_mm: float = 12.0
) -> None:
    """Upload and print ``name``; returns once the event log has its print_finished."""
    upload(printer, f"{name}.gcode.3mf", make_3mf(prediction_s=600, layers=20, max_z_mm=max_z_mm))
    start = time.time()
    publish(farm, printer, project_file(f"{name}.gcode.3mf"))
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        ended = [
            e
            for e in farm.events(since=start, device=printer["name"])
            if e["event"] in {"print_finished", "print_failed"}
        ]
        if ended:
            assert ended[0]["event"] == "print_finished", ended
            return
        assert time.monotonic() < deadline, f"{name} did not end"
        time.sleep(0.2)


def bed_to_eject_position(farm: FarmHandle, printer: dict[str, Any]) -> None:
    line = "G90\nG1 Y170 F600\n" if printer["model"] == "A1" else "G90\nG1 Z200 F600\n"
    publish(farm, printer, {"print": {"sequence_id": "0", "command": "gcode_line", "param": line}})
    wait_truth(
        farm, lambda t: t["printers"][printer["name"]]["at_eject_position"], timeout=TIMEOUT_S
    )


def new_violations(farm: FarmHandle, before: list[str]) -> list[str]:
    return list(farm.truth()["violations"][len(before) :])


def test_print_and_plate_swap_are_in_the_event_log(
    farm: FarmHandle, p1s: dict[str, Any], ejector: dict[str, Any]
) -> None:
    name = p1s["name"]
    plate_id = farm.truth()["printers"][name]["plate"]["plate_id"]
    start = time.time()
    print_to_finish(farm, p1s, "logged", max_z_mm=42.0)
    label = farm.truth()["printers"][name]["plate"]["print"]
    assert label.startswith(f"logged@{name}#")
    bed_to_eject_position(farm, p1s)
    run_ok(ejector, "OTTOEJECT_HOME", P1S_EJECT, "STORE_TO_SLOT_1", "GRAB_FROM_SLOT_4", P1S_LOAD)
    run_ok(ejector, "PARK_OTTOEJECT")
    truth = farm.truth(since=start)
    assert truth["violations"] == []
    assert truth["racks"][RACK]["1"] == {"plate_id": plate_id, "print": label, "height_mm": 42.0}
    events = truth["events"]
    assert events
    assert all(e["t"] > start for e in events)
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)

    def only(kind: str, **match: Any) -> dict[str, Any]:
        found = [e for e in events if e["event"] == kind and match.items() <= e.items()]
        assert len(found) == 1, (kind, match, events)
        return found[0]

    started = only("print_started", device=name)
    assert (started["file"], started["job"], started["plate_id"]) == (
        "logged.gcode.3mf",
        label,
        plate_id,
    )
    finished = only("print_finished", device=name)
    assert (finished["print"], finished["height_mm"], finished["plate_id"]) == (
        label,
        42.0,
        plate_id,
    )
    bed = only("bed_moved", device=name)
    assert (bed["axis"], bed["position_mm"], bed["at_eject_position"]) == ("Z", 200.0, True)
    macros = ["OTTOEJECT_HOME", P1S_EJECT, "STORE_TO_SLOT_1", "GRAB_FROM_SLOT_4", P1S_LOAD]
    macros.append("PARK_OTTOEJECT")
    runs = [e for e in events if e["event"] in {"macro_started", "macro_finished"}]
    assert [(e["event"], e["macro"]) for e in runs] == [
        (kind, macro) for macro in macros for kind in ("macro_started", "macro_finished")
    ]
    assert all(e["ok"] is True and e["error"] is None for e in runs[1::2])
    assert all(e["device"] == ejector["name"] for e in runs)
    gripper = {"kind": "gripper", "ejector": ejector["name"]}
    moves = [
        (e["plate_id"], e["print"], e["from"], e["to"])
        for e in events
        if e["event"] == "plate_moved"
    ]
    grabbed = farm.truth()["printers"][name]["plate"]["plate_id"]
    assert moves == [
        (plate_id, label, {"kind": "printer", "printer": name}, gripper),
        (plate_id, label, gripper, {"kind": "shelf", "rack": RACK, "shelf": 1}),
        (grabbed, None, {"kind": "shelf", "rack": RACK, "shelf": 4}, gripper),
        (grabbed, None, gripper, {"kind": "printer", "printer": name}),
    ]
    # The eject happens inside its macro: started < moved < finished.
    eject_started = only("macro_started", macro=P1S_EJECT)["seq"]
    eject_finished = only("macro_finished", macro=P1S_EJECT)["seq"]
    moved = next(e["seq"] for e in events if e["event"] == "plate_moved")
    assert eject_started < moved < eject_finished
    # /events gives the same log; ?since= after the last event gives nothing.
    assert farm.events(since=start, event="print_started", device=name) == [started]
    assert farm.truth(since=events[-1]["t"])["events"] == []
    assert farm.events(since=events[-1]["t"]) == []
    # Clean up for the other tests: the operator takes the print off the shelf.
    farm.operator("take_print_off_shelf", rack=RACK, shelf=1)
    farm.operator("put_empty_plate_on_shelf", rack=RACK, shelf=4)


def test_since_must_be_a_number(farm: FarmHandle) -> None:
    for bad in ("soon", "nan", "inf"):
        with pytest.raises(FarmControlError) as error:
            farm.request("GET", f"/truth?since={bad}")
        assert error.value.status == 400
    with pytest.raises(FarmControlError) as error:
        farm.request("GET", "/events?since=x")
    assert error.value.status == 400


def test_storing_a_print_taller_than_the_shelf_clearance_is_refused(
    farm: FarmHandle, a1: dict[str, Any], ejector: dict[str, Any]
) -> None:
    name = a1["name"]
    geometry = farm.truth()["rack_geometry"][RACK]
    assert geometry["shelf_spacing_mm"] == 80.0
    # Shelves 1-3 free, 4-6 hold empty plates: 3 has nothing free above it, 1 has 2 and 3.
    assert geometry["clearance_mm"] == {
        "1": 240.0,
        "2": 160.0,
        "3": 80.0,
        "4": 80.0,
        "5": 80.0,
        "6": 80.0,
    }
    print_to_finish(farm, a1, "tower", max_z_mm=150.0)  # needs 160 mm
    label = farm.truth()["printers"][name]["plate"]["print"]
    assert farm.truth()["printers"][name]["plate"]["height_mm"] == 150.0
    bed_to_eject_position(farm, a1)
    run_ok(ejector, "OTTOEJECT_HOME", A1_EJECT)
    before = farm.truth()["violations"]
    start = time.time()
    status, body = gcode(ejector, "STORE_TO_SLOT_3")
    assert status == 400
    assert "needs 160 mm) to shelf 3, which has 80 mm clearance" in error_text(body)
    violations = new_violations(farm, before)
    assert len(violations) == 1
    assert f"STORE of the print {label!r} (150 mm, needs 160 mm) to shelf 3" in violations[0]
    truth = farm.truth(since=start)
    assert truth["ejectors"][ejector["name"]]["gripper"]["print"] == label  # nothing moved
    assert truth["racks"][RACK]["3"] is None
    assert [e["event"] for e in truth["events"]] == ["macro_started", "violation", "macro_finished"]
    assert truth["events"][-1]["ok"] is False
    assert "80 mm clearance" in truth["events"][-1]["error"]
    # Shelf 2 has 160 mm (shelf 3 free above it): exactly enough.
    run_ok(ejector, "STORE_TO_SLOT_2")
    truth = farm.truth()
    assert truth["racks"][RACK]["2"]["print"] == label
    # The tower reaches up into shelf 3: nothing may go there now, and shelf 1 lost its room.
    assert truth["rack_geometry"][RACK]["clearance_mm"]["1"] == 80.0
    assert truth["rack_geometry"][RACK]["clearance_mm"]["3"] == 0.0
    run_ok(ejector, "GRAB_FROM_SLOT_5")
    before = truth["violations"]
    status, body = gcode(ejector, "STORE_TO_SLOT_3")
    assert status == 400
    assert "which the print" in error_text(body)
    assert "on shelf 2 reaches into" in new_violations(farm, before)[0]
    with pytest.raises(FarmControlError) as blocked:
        farm.operator("put_empty_plate_on_shelf", rack=RACK, shelf=3)
    assert blocked.value.status == 409
    run_ok(ejector, A1_LOAD, "PARK_OTTOEJECT")
    farm.operator("take_print_off_shelf", rack=RACK, shelf=2)
    farm.operator("put_empty_plate_on_shelf", rack=RACK, shelf=5)
    assert farm.truth()["rack_geometry"][RACK]["clearance_mm"]["1"] == 240.0


def test_impossible_printer_moves_are_violations(
    farm: FarmHandle, p1s: dict[str, Any], ejector: dict[str, Any]
) -> None:
    name = p1s["name"]
    # A print on a printer without a plate fails and is a violation.
    removed = farm.operator("remove_plate_from_printer", printer=name)
    assert removed["ok"] is True
    before = farm.truth()["violations"]
    start = time.time()
    upload(p1s, "nowhere.gcode.3mf", make_3mf(prediction_s=600, layers=10))
    with ReportStream(farm, p1s) as reports:
        reports.sync()
        publish(farm, p1s, project_file("nowhere.gcode.3mf"))
        reports.wait_state(lambda s: s["gcode_state"] == "FAILED", timeout=TIMEOUT_S)
    assert new_violations(farm, before) == [f"{name}: print started with no build plate on the bed"]
    failed = farm.events(since=start, event="print_failed", device=name)
    assert len(failed) == 1
    assert (failed[0]["reason"], failed[0]["started"], failed[0]["file"]) == (
        "no_empty_plate",
        False,
        "nowhere.gcode.3mf",
    )
    assert farm.events(since=start, event="print_started") == []
    farm.operator("put_plate_on_printer", printer=name)

    # Loading onto a printer that still has its plate: refused, a violation.
    bed_to_eject_position(farm, p1s)
    run_ok(ejector, "OTTOEJECT_HOME", "GRAB_FROM_SLOT_6")
    before = farm.truth()["violations"]
    status, body = gcode(ejector, P1S_LOAD)
    assert status == 400
    assert f"LOAD onto {name}, which has a plate" in error_text(body)
    assert new_violations(farm, before) == [
        f"{ejector['name']}: collision, LOAD onto {name}, which has a plate"
    ]
    assert farm.truth()["ejectors"][ejector["name"]]["gripper"] is not None
    run_ok(ejector, "STORE_TO_SLOT_6")

    # Ejecting from a bed that is not down at Z 200: refused, a violation.
    publish(farm, p1s, {"print": {"sequence_id": "0", "command": "gcode_line",
                                  "param": "G90\nG1 Z50 F600\n"}})  # fmt: skip
    wait_truth(farm, lambda t: t["printers"][name]["bed_z_mm"] == 50, timeout=TIMEOUT_S)
    before = farm.truth()["violations"]
    status, body = gcode(ejector, P1S_EJECT)
    assert status == 400
    assert new_violations(farm, before) == [
        f"{ejector['name']}: collision, EJECT from {name} with its bed at Z 50"
    ]
    assert farm.truth()["printers"][name]["plate"] is not None
    run_ok(ejector, "PARK_OTTOEJECT")


def test_operator_actions(farm: FarmHandle, p1s: dict[str, Any], ejector: dict[str, Any]) -> None:
    name = p1s["name"]
    start = time.time()
    # The P1S holds a finished print: clear_printer_plate takes the print, keeps the plate.
    truth = farm.truth()
    if truth["printers"][name]["plate"]["print"] is None:
        print_to_finish(farm, p1s, "keepsake")
    label = farm.truth()["printers"][name]["plate"]["print"]
    cleared = farm.operator("clear_printer_plate", printer=name)
    assert (cleared["print"], cleared["added_plate"]) == (label, False)
    assert farm.truth()["printers"][name]["plate"]["print"] is None
    [removed] = farm.events(since=start, event="print_removed")
    assert (removed["print"], removed["at"]) == (label, {"kind": "printer", "printer": name})

    # Printer plates.
    with pytest.raises(FarmControlError) as has_plate:
        farm.operator("put_plate_on_printer", printer=name)
    assert has_plate.value.status == 409
    taken = farm.operator("remove_plate_from_printer", printer=name)
    assert farm.truth()["printers"][name]["plate"] is None
    with pytest.raises(FarmControlError) as no_plate:
        farm.operator("remove_plate_from_printer", printer=name)
    assert no_plate.value.status == 409
    added = farm.operator("clear_printer_plate", printer=name)  # no plate: puts an empty one
    assert added["added_plate"] is True
    assert added["plate_id"] != taken["plate_id"]
    assert farm.truth()["printers"][name]["plate"] == {
        "plate_id": added["plate_id"],
        "print": None,
        "height_mm": None,
    }

    # Shelves.
    with pytest.raises(FarmControlError) as occupied:
        farm.operator("put_empty_plate_on_shelf", rack=RACK, shelf=4)
    assert occupied.value.status == 409
    with pytest.raises(FarmControlError) as no_print:
        farm.operator("take_print_off_shelf", rack=RACK, shelf=4)
    assert no_print.value.status == 409
    off = farm.operator("take_plate_off_shelf", rack=RACK, shelf=4)
    assert farm.truth()["racks"][RACK]["4"] is None
    back = farm.operator("put_empty_plate_on_shelf", rack=RACK, shelf=4)
    assert farm.truth()["racks"][RACK]["4"]["plate_id"] == back["plate_id"] != off["plate_id"]
    # An empty gripper has nothing to take.
    with pytest.raises(FarmControlError) as empty:
        farm.operator("take_plate_from_gripper", ejector=ejector["name"])
    assert empty.value.status == 409

    # Bad requests and unknown things.
    for body, status in (
        ({"action": "juggle"}, 400),
        ({"shelf": 1}, 400),
        ({"action": "put_plate_on_printer"}, 400),
        ({"action": "take_plate_off_shelf", "rack": RACK, "shelf": "1"}, 400),
        ({"action": "put_plate_on_printer", "printer": "p9-9"}, 404),
        ({"action": "take_plate_off_shelf", "rack": "rack-9", "shelf": 1}, 404),
        ({"action": "take_plate_off_shelf", "rack": RACK, "shelf": 7}, 404),
        ({"action": "take_plate_from_gripper", "ejector": "robot-9"}, 404),
    ):
        with pytest.raises(FarmControlError) as error:
            farm.request("POST", "/operator", body)
        assert error.value.status == status, body

    # Every action that was done is logged, with its plate moves.
    actions = [e["action"] for e in farm.events(since=start, event="operator_action")]
    expected = [
        "clear_printer_plate",
        "remove_plate_from_printer",
        "clear_printer_plate",
        "take_plate_off_shelf",
        "put_empty_plate_on_shelf",
    ]
    assert actions[-len(expected) :] == expected
    moves = farm.events(since=start, event="plate_moved", device="operator")
    operator = {"kind": "operator"}
    assert [(m["plate_id"], m["from"], m["to"]) for m in moves][-4:] == [
        (taken["plate_id"], {"kind": "printer", "printer": name}, operator),
        (added["plate_id"], operator, {"kind": "printer", "printer": name}),
        (off["plate_id"], {"kind": "shelf", "rack": RACK, "shelf": 4}, operator),
        (back["plate_id"], operator, {"kind": "shelf", "rack": RACK, "shelf": 4}),
    ]


def test_injected_macro_failure_fails_like_klipper_and_moves_nothing(
    farm: FarmHandle, ejector: dict[str, Any]
) -> None:
    robot = ejector["name"]
    farm.fault(robot, "macro_fail", macro="GRAB_FROM_SLOT_5", mode="once", message="gripper jam")
    assert farm.truth()["devices"]["ejectors"][robot]["macro_failures"] == {
        "GRAB_FROM_SLOT_5": "once"
    }
    racks_before = farm.truth()["racks"]
    start = time.time()
    status, body = gcode(ejector, "GRAB_FROM_SLOT_5")
    assert status == 400
    assert "gripper jam" in error_text(body)
    truth = farm.truth(since=start)
    assert truth["racks"] == racks_before
    assert truth["ejectors"][robot]["gripper"] is None
    assert truth["devices"]["ejectors"][robot]["last_error"] == "gripper jam"
    assert truth["devices"]["ejectors"][robot]["macro_failures"] == {}
    finished = [e for e in truth["events"] if e["event"] == "macro_finished"]
    assert [(e["macro"], e["ok"], e["error"]) for e in finished] == [
        ("GRAB_FROM_SLOT_5", False, "gripper jam")
    ]
    assert not [e for e in truth["events"] if e["event"] == "plate_moved"]
    _, store = moonraker(ejector, "/server/gcode_store?count=20")
    assert "!! gripper jam" in [entry["message"] for entry in store["result"]["gcode_store"]]
    _, idle = moonraker(ejector, "/printer/objects/query?idle_timeout")
    assert idle["result"]["status"]["idle_timeout"]["state"] != "Printing"
    # once: the next run works.
    run_ok(ejector, "GRAB_FROM_SLOT_5", "STORE_TO_SLOT_5")

    # always: every run fails until cleared.
    farm.fault(robot, "macro_fail", macro="park_ottoeject", mode="always")
    for _ in range(2):
        status, body = gcode(ejector, "PARK_OTTOEJECT")
        assert status == 400
        assert "PARK_OTTOEJECT failed (injected fault)" in error_text(body)
    farm.fault(robot, "macro_fail_clear", macro="PARK_OTTOEJECT")
    run_ok(ejector, "PARK_OTTOEJECT")
    # /reset clears them too.
    farm.fault(robot, "macro_fail", macro="OTTOEJECT_HOME", mode="always")
    farm.reset()
    run_ok(ejector, "OTTOEJECT_HOME")
    injected = farm.events(since=start, event="fault_injected", device=robot)
    assert [e["fault"] for e in injected] == [
        "macro_fail",
        "macro_fail_clear",
        "macro_fail",
    ]
    assert injected[0]["params"] == {"macro": "park_ottoeject", "mode": "always"}

    for params, status in (
        ({"macro": "NOT_A_MACRO"}, 400),
        ({"macro": "OTTOEJECT_HOME", "mode": "sometimes"}, 400),
        ({}, 400),
    ):
        with pytest.raises(FarmControlError) as error:
            farm.fault(robot, "macro_fail", **params)
        assert error.value.status == status, params
