"""End to end: `scripts/develop` brings up a real Home Assistant serving the OttoEngine API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import signal
import subprocess
import time
from typing import Any
import urllib.error

import pytest

from devstack.__main__ import parse_args, prepare_config

from .stack import request, start, stop


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("develop")


@pytest.fixture(scope="module")
def dev_stack(work: Path) -> Iterator[dict[str, Any]]:
    """`python -m devstack` with a small simulated farm, on a free port, in its own folder."""
    process, stack = start(work, "--printers", "2", "--ejectors", "1", "--shelves", "4")
    stack["process"] = process
    try:
        yield stack
    finally:
        stop(process)


@pytest.mark.usefixtures("socket_enabled")
def test_develop_serves_the_api_behind_auth(dev_stack: dict[str, Any]) -> None:
    base = dev_stack["base_url"]
    status, body = request(f"{base}/api/orchestration/health", token=dev_stack["admin_token"])
    assert status == 200
    assert body is not None
    assert body["data"]["status"] == "healthy"

    status, _ = request(f"{base}/api/orchestration/health")
    assert status == 401

    # The non-admin user may read but not change the farm.
    status, _ = request(f"{base}/api/orchestration/status", token=dev_stack["user_token"])
    assert status == 200
    status, body = request(
        f"{base}/api/orchestration/restart", token=dev_stack["user_token"], method="POST"
    )
    assert status == 403


@pytest.mark.usefixtures("socket_enabled")
def test_develop_creates_the_hub_entry(dev_stack: dict[str, Any]) -> None:
    status, entries = request(
        f"{dev_stack['base_url']}/api/config/config_entries/entry?domain=ottoengine",
        token=dev_stack["admin_token"],
    )
    assert status == 200
    assert entries is not None
    assert [entry["title"] for entry in entries] == ["OttoEngine farm"]
    assert entries[0]["state"] == "loaded"
    assert entries[0]["entry_id"] == dev_stack["hub_entry_id"]


@pytest.mark.usefixtures("socket_enabled")
def test_develop_adds_the_simulated_farm_to_the_hub(dev_stack: dict[str, Any]) -> None:
    base, token = dev_stack["base_url"], dev_stack["admin_token"]
    farm = dev_stack["farm"]
    _, printers = request(f"{base}/api/printers", token=token)
    assert printers is not None
    assert sorted(p["name"] for p in printers) == sorted(p["name"] for p in farm["printers"])
    _, ejectors = request(f"{base}/api/ottoeject", token=token)
    assert [e["device_name"] for e in ejectors or []] == [e["name"] for e in farm["ejectors"]]
    _, racks = request(f"{base}/api/ottoracks", token=token)
    assert racks is not None
    assert [r["name"] for r in racks] == [r["name"] for r in farm["racks"]]
    # The hub knows where the empty plates are, as the simulator's ground truth has them.
    _, rack = request(f"{base}/api/ottoracks/{racks[0]['id']}", token=token)
    assert rack is not None
    states = {s["shelf_number"]: s["plate_state"] for s in rack["shelves"]}
    assert states == {1: None, 2: None, 3: "empty", 4: "empty"}


@pytest.mark.usefixtures("socket_enabled")
def test_ctrl_c_stops_everything(dev_stack: dict[str, Any]) -> None:
    process: subprocess.Popen[bytes] = dev_stack["process"]
    process.send_signal(signal.SIGINT)
    assert process.wait(90) == 0
    assert not dev_stack["stack_file"].exists()
    # Home Assistant is gone: nothing listens on its port any more.
    with pytest.raises(urllib.error.URLError):
        request(f"{dev_stack['base_url']}/api/orchestration/health")


@pytest.mark.usefixtures("socket_enabled")
def test_a_second_start_reuses_home_assistant_and_its_tokens(
    work: Path, dev_stack: dict[str, Any]
) -> None:
    """Run again on the same config folder (onboarded, hub present): same login, same tokens;
    without the farm, health names the robot it cannot reach."""
    assert dev_stack["process"].poll() is not None  # the first run has been stopped
    process, again = start(work, "--no-farm")
    try:
        assert again["admin_token"] == dev_stack["admin_token"]
        assert again["user_token"] == dev_stack["user_token"]
        assert again["hub_entry_id"] == dev_stack["hub_entry_id"]
        # The farm is not running this time: the hub answers, and says which robot it cannot
        # reach, once it has tried (503 with the issue, as the seed's health route does).
        ejector = dev_stack["farm"]["ejectors"][0]["name"]
        deadline = time.monotonic() + 60
        while True:
            status, body = request(
                f"{again['base_url']}/api/orchestration/health", token=again["admin_token"]
            )
            if status != 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 503
        assert body is not None
        assert body["data"]["status"] == "unhealthy"
        assert body["data"]["services"]["orchestrator"] == "operational"
        assert body["data"]["issues"] == [f"OttoEject {ejector} is offline"]
    finally:
        assert stop(process) == 0


@pytest.mark.usefixtures("socket_enabled")
def test_home_assistant_stops_when_the_script_is_killed(work: Path) -> None:
    """`kill -9` of scripts/develop leaves no Home Assistant behind."""
    process, stack = start(work, "--no-farm")
    process.kill()
    process.wait()
    deadline = time.monotonic() + 90
    while Path(f"/proc/{stack['hass_pid']}").exists():
        assert time.monotonic() < deadline, "Home Assistant outlived scripts/develop"
        time.sleep(0.5)


def test_the_console_stays_readable_unless_debug_is_asked_for(tmp_path: Path) -> None:
    """By default the integration logs at INFO (no line per device report); --debug: DEBUG."""
    prepare_config(tmp_path / "quiet", 8123)
    quiet = (tmp_path / "quiet" / "configuration.yaml").read_text(encoding="utf-8")
    assert "custom_components.ottoengine: info" in quiet
    assert "custom_components.ottoengine: debug" not in quiet
    prepare_config(tmp_path / "loud", 8123, debug=True)
    loud = (tmp_path / "loud" / "configuration.yaml").read_text(encoding="utf-8")
    assert "custom_components.ottoengine: debug" in loud
    assert parse_args(["--debug"]).debug
    assert not parse_args([]).debug
