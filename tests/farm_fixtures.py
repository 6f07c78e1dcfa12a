"""pytest fixtures that run the simulated farm (``python -m ottosim``) as a subprocess.

``run_farm(...)`` is a context manager yielding a ``FarmHandle``: the parsed ``--describe``
document plus helpers for the control endpoint. Module-scoped fixtures built on it:

- ``sim_farm``: one printer of each model (P1S, P1P, X1C, A1), no OttoEject, time scale 200;
- ``sim_farm_with_ejector``: the same printers, one OttoEject with a 6-shelf rack.

The farm process is started once per module and stopped (SIGTERM, every server it started goes
with it) at the end. Tests that talk to the devices must request ``loopback_enabled``. Control
calls are plain blocking HTTP (urllib) to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.error
import urllib.request

import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
SIM_TIME_SCALE = 200.0


class FarmControlError(RuntimeError):
    """The control endpoint answered with an error status."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class FarmHandle:
    """A running farm: its description and its control endpoint."""

    description: dict[str, Any]
    log_file: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def control_url(self) -> str:
        return str(self.description["control"])

    @property
    def ca_file(self) -> str:
        return str(self.description["ca_file"])

    @property
    def printers(self) -> list[dict[str, Any]]:
        return list(self.description["printers"])

    @property
    def ejectors(self) -> list[dict[str, Any]]:
        return list(self.description["ejectors"])

    def printer(self, name_or_model: str) -> dict[str, Any]:
        """A printer by name (``p1s-1``) or the first of a model (``X1C``)."""
        for printer in self.printers:
            if name_or_model in (printer["name"], printer["model"]):
                return printer
        raise KeyError(name_or_model)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call the control endpoint; ``FarmControlError`` on an error status."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.control_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            text = err.read().decode(errors="replace")
            try:
                body = json.loads(text)
            except ValueError:
                body = text
            raise FarmControlError(err.code, body) from None

    def truth(self, since: float | None = None) -> dict[str, Any]:
        """``GET /truth`` (``since``: only the events after that unix time)."""
        query = "" if since is None else f"?since={since!r}"
        return dict(self.request("GET", "/truth" + query))

    def events(self, since: float | None = None, **match: Any) -> list[dict[str, Any]]:
        """``GET /events``: the event log (after ``since``), only events whose fields equal
        ``match`` (``events(event="macro_finished", macro="OTTOEJECT_HOME")``)."""
        query = "" if since is None else f"?since={since!r}"
        events = self.request("GET", "/events" + query)["events"]
        return [e for e in events if all(e.get(k) == v for k, v in match.items())]

    def operator(self, action: str, **params: Any) -> Any:
        """``POST /operator``: a person moves plates or prints."""
        return self.request("POST", "/operator", {"action": action, **params})

    def printer_truth(self, name: str) -> dict[str, Any]:
        """The simulator's view of one printer (``/truth`` → ``devices.printers.<name>``)."""
        return dict(self.truth()["devices"]["printers"][name])

    def fault(self, device: str, fault: str, **params: Any) -> Any:
        """``POST /faults``."""
        return self.request("POST", "/faults", {"device": device, "fault": fault, **params})

    def reset(self) -> Any:
        """``POST /reset``: clear every printer's faults."""
        return self.request("POST", "/reset", {})


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def run_farm(
    *,
    printers: int = 4,
    ejectors: int = 0,
    shelves: int = 6,
    time_scale: float = SIM_TIME_SCALE,
    models: str = "",
    ssdp_to: Sequence[str] = (),
    identity_dir: Path | None = None,
    shelf_spacing_mm: float | None = None,
    ams_loadout: Path | None = None,
    klipper_printers: int = 0,
) -> Iterator[FarmHandle]:
    """Run ``python -m ottosim`` until the block ends; yields once the farm is up."""
    with tempfile.TemporaryDirectory(prefix="ottosim-fixture-") as directory:
        describe = Path(directory) / "farm.json"
        log_file = Path(directory) / "farm.log"
        command = [
            sys.executable, "-m", "ottosim",
            "--printers", str(printers),
            "--ejectors", str(ejectors),
            "--shelves", str(shelves),
            "--time-scale", str(time_scale),
            "--describe", str(describe),
        ]  # fmt: skip
        if models:
            command += ["--models", models]
        for target in ssdp_to:
            command += ["--ssdp-to", target]
        if identity_dir is not None:
            command += ["--identity-dir", str(identity_dir)]
        if shelf_spacing_mm is not None:
            command += ["--shelf-spacing-mm", str(shelf_spacing_mm)]
        if ams_loadout is not None:
            command += ["--ams-loadout", str(ams_loadout)]
        if klipper_printers:
            command += ["--klipper-printers", str(klipper_printers)]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not describe.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"farm did not start:\n{log_file.read_text()[-4000:]}")
                time.sleep(0.1)
            yield FarmHandle(json.loads(describe.read_text()), log_file)
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def sim_farm() -> Iterator[FarmHandle]:
    """One printer per model (P1S, P1P, X1C, A1), no OttoEject, time scale 200."""
    with run_farm(printers=4, ejectors=0) as farm:
        yield farm


@pytest.fixture(scope="module")
def sim_farm_with_ejector() -> Iterator[FarmHandle]:
    """One printer per model and one OttoEject with a 6-shelf rack, time scale 200."""
    with run_farm(printers=4, ejectors=1, shelves=6) as farm:
        yield farm
