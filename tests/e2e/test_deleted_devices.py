"""End to end (issue #9): the farm's devices, renamed and then deleted over REST or in the UI,
stay deleted after a real restart of `scripts/develop`, which starts again after the renames.

One dev stack, run three times on the same config folder: in the first run every printer,
OttoEject and rack is renamed over REST and the first of each kind deleted over REST; the second
run must start (it matches the farm's devices by identity, not by name) and must not bring the
deleted ones back; there the others are deleted as the UI does it (websocket); the third run has
none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
from typing import Any

import pytest

from .stack import START_TIMEOUT, STOP_TIMEOUT, request, start, stop, websocket

FARM = ("--printers", "2", "--ejectors", "2", "--shelves", "4")  # 2 racks: one per OttoEject
# REST path -> (the name's field in the API, the subentry type in core.config_entries)
KINDS = {
    "printers": ("name", "printer"),
    "ottoeject": ("device_name", "ottoeject"),
    "ottoracks": ("name", "rack"),
}

# Each test starts and stops the stack at most twice.
pytestmark = [
    pytest.mark.timeout(2 * (START_TIMEOUT + STOP_TIMEOUT)),
    pytest.mark.usefixtures("socket_enabled"),
]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deleted-devices")


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, Any]]:
    """What the tests hand on: the running dev stack (stopped at the end) and what they did."""
    state: dict[str, Any] = {}
    try:
        yield state
    finally:
        if "process" in state:
            stop(state["process"])


def _devices(stack: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Every kind's devices as the REST API lists them: {path: {id: name}}."""
    found = {}
    for path, (name_field, _) in KINDS.items():
        status, items = request(f"{stack['base_url']}/api/{path}", token=stack["admin_token"])
        assert status == 200, items
        found[path] = {item["id"]: item[name_field] for item in items}
    return found


def _stored(work: Path) -> dict[str, dict[int, str]]:
    """The hub's subentries in .storage/core.config_entries: {path: {id: title}}."""
    storage = json.loads((work / "config" / ".storage" / "core.config_entries").read_text())
    (hub,) = [e for e in storage["data"]["entries"] if e["domain"] == "ottoengine"]
    return {
        path: {s["data"]["id"]: s["title"] for s in hub["subentries"] if s["subentry_type"] == kind}
        for path, (_, kind) in KINDS.items()
    }


def _start(work: Path, runs: dict[str, Any]) -> dict[str, Any]:
    process, stack = start(work, *FARM)
    runs["process"], runs["stack"] = process, stack
    return stack


def _stop(runs: dict[str, Any]) -> None:
    assert stop(runs.pop("process")) == 0


def test_renames_and_rest_deletions_are_stored_when_home_assistant_stops(
    work: Path, runs: dict[str, Any]
) -> None:
    stack = _start(work, runs)
    base, token = stack["base_url"], stack["admin_token"]
    added = _devices(stack)
    assert all(len(devices) == 2 for devices in added.values()), added
    kept: dict[str, dict[int, str]] = {}
    for path, devices in added.items():
        name_field, _ = KINDS[path]
        first, second = sorted(devices)
        for item_id in (first, second):
            body = {name_field: f"renamed-{path}-{item_id}"}
            status, answer = request(
                f"{base}/api/{path}/{item_id}", token=token, method="PUT", body=body
            )
            assert status == 200, answer
        status, answer = request(f"{base}/api/{path}/{first}", token=token, method="DELETE")
        assert status == 200, answer
        assert request(f"{base}/api/{path}/{first}", token=token)[0] == 404
        kept[path] = {second: f"renamed-{path}-{second}"}
    assert _devices(stack) == kept
    runs["kept"] = kept
    _stop(runs)
    # Home Assistant wrote the rename and the removal before it stopped.
    assert _stored(work) == kept


def test_develop_starts_again_after_renames_and_deleted_devices_stay_deleted(
    work: Path, runs: dict[str, Any]
) -> None:
    assert "kept" in runs, "needs the first run (the previous test)"
    # The farm's renamed devices are found by identity: nothing is registered again (409).
    stack = _start(work, runs)
    # The renamed devices keep their ids and new names; the deleted ones are not added again.
    assert _devices(stack) == runs["kept"]


def test_devices_deleted_in_the_ui_stay_deleted(work: Path, runs: dict[str, Any]) -> None:
    assert "process" in runs, "needs the second run (the previous test)"
    stack = runs["stack"]
    base, token, hub = stack["base_url"], stack["admin_token"], stack["hub_entry_id"]
    (subentries,) = websocket(
        base, token, {"type": "config_entries/subentries/list", "entry_id": hub}
    )
    titles = {title for devices in runs["kept"].values() for title in devices.values()}
    doomed = [s["subentry_id"] for s in subentries if s["title"] in titles]
    assert len(doomed) == len(KINDS)
    websocket(
        base,
        token,
        *(
            {"type": "config_entries/subentries/delete", "entry_id": hub, "subentry_id": doomed_id}
            for doomed_id in doomed
        ),
    )
    nothing: dict[str, dict[int, str]] = {path: {} for path in KINDS}
    assert _devices(stack) == nothing
    _stop(runs)
    assert _stored(work) == nothing
    stack = _start(work, runs)
    assert _devices(stack) == nothing
    _stop(runs)
