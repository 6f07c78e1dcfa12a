"""End to end: `scripts/develop` brings up a real Home Assistant serving the OttoEngine API."""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import signal
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.request

import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300


def _request(
    url: str, *, token: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, Any] | None]:
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            return err.code, json.loads(body)
        except ValueError:
            return err.code, None


def _start(work: Path, *options: str) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """Run `python -m devstack` in ``work`` and wait until it has written its stack file."""
    stack_file = work / "stack.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack",
            *options,
            "--port",
            "0",
            "--config",
            str(work / "config"),
            "--stack-file",
            str(stack_file),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=(work / "develop.log").open("a"),
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not stack_file.exists():
            assert process.poll() is None, (work / "develop.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "scripts/develop did not come up in time"
            time.sleep(0.5)
    except BaseException:
        _stop(process)
        raise
    stack = json.loads(stack_file.read_text())
    stack["stack_file"] = stack_file
    return process, stack


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("develop")


@pytest.fixture(scope="module")
def dev_stack(work: Path) -> Iterator[dict[str, Any]]:
    """`python -m devstack` with a small simulated farm, on a free port, in its own folder."""
    process, stack = _start(work, "--printers", "2", "--ejectors", "1", "--shelves", "4")
    stack["process"] = process
    try:
        yield stack
    finally:
        _stop(process)


@pytest.mark.usefixtures("socket_enabled")
def test_develop_serves_the_api_behind_auth(dev_stack: dict[str, Any]) -> None:
    base = dev_stack["base_url"]
    status, body = _request(f"{base}/api/orchestration/health", token=dev_stack["admin_token"])
    assert status == 200
    assert body is not None
    assert body["data"]["status"] == "healthy"

    status, _ = _request(f"{base}/api/orchestration/health")
    assert status == 401

    # The non-admin user may read but not change the farm.
    status, _ = _request(f"{base}/api/orchestration/status", token=dev_stack["user_token"])
    assert status == 200
    status, body = _request(
        f"{base}/api/orchestration/restart", token=dev_stack["user_token"], method="POST"
    )
    assert status == 403


@pytest.mark.usefixtures("socket_enabled")
def test_develop_creates_the_hub_entry(dev_stack: dict[str, Any]) -> None:
    status, entries = _request(
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
    _, printers = _request(f"{base}/api/printers", token=token)
    assert printers is not None
    assert sorted(p["name"] for p in printers) == sorted(p["name"] for p in farm["printers"])
    _, ejectors = _request(f"{base}/api/ottoeject", token=token)
    assert [e["device_name"] for e in ejectors or []] == [e["name"] for e in farm["ejectors"]]
    _, racks = _request(f"{base}/api/ottoracks", token=token)
    assert racks is not None
    assert [r["name"] for r in racks] == [r["name"] for r in farm["racks"]]
    # The hub knows where the empty plates are, as the simulator's ground truth has them.
    _, rack = _request(f"{base}/api/ottoracks/{racks[0]['id']}", token=token)
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
        _request(f"{dev_stack['base_url']}/api/orchestration/health")


@pytest.mark.usefixtures("socket_enabled")
def test_a_second_start_reuses_home_assistant_and_its_tokens(
    work: Path, dev_stack: dict[str, Any]
) -> None:
    """Run again on the same config folder (onboarded, hub present): same login, same tokens."""
    assert dev_stack["process"].poll() is not None  # the first run has been stopped
    process, again = _start(work, "--no-farm")
    try:
        assert again["admin_token"] == dev_stack["admin_token"]
        assert again["user_token"] == dev_stack["user_token"]
        assert again["hub_entry_id"] == dev_stack["hub_entry_id"]
        status, body = _request(
            f"{again['base_url']}/api/orchestration/health", token=again["admin_token"]
        )
        assert status == 200
        assert body is not None
        assert body["data"]["status"] == "healthy"
    finally:
        assert _stop(process) == 0


@pytest.mark.usefixtures("socket_enabled")
def test_home_assistant_stops_when_the_script_is_killed(work: Path) -> None:
    """`kill -9` of scripts/develop leaves no Home Assistant behind."""
    process, stack = _start(work, "--no-farm")
    process.kill()
    process.wait()
    deadline = time.monotonic() + 90
    while Path(f"/proc/{stack['hass_pid']}").exists():
        assert time.monotonic() < deadline, "Home Assistant outlived scripts/develop"
        time.sleep(0.5)
