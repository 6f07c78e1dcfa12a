"""Slow lane (`scripts/test --slow`): Schemathesis fuzzes every route of a real Home Assistant
with the simulated farm, from the integration's own OpenAPI document.

`python -m devstack` (what `scripts/develop` runs) brings up `hass` onboarded with the farm's
printers, OttoEject and rack in the hub; the document is read from
``/api/ottoengine/openapi.json`` with the administrator's token, and Schemathesis (from its own
venv, ``requirements_fuzz.txt``: made on first use, or by `scripts/setup --fuzz`) generates at
least ``OTTO_FUZZ_MIN_CASES`` (2,000) cases over every operation, valid and invalid, with the
checks below. Every failure fails the lane: a 500, a status or content type the document does
not list for the route, or a body that does not match its schema. 502 and 503 are the
documented answers for devices that refuse or cannot be reached (the fuzzer does register
OttoEjects at addresses nobody answers), never a crash.

Before the run the farm gets two print items and a few jobs (one started, so the orchestrator
works while the fuzzer does), so that the job and item routes are reached with ids that exist.
The fuzzer may change the farm (it is a disposable stack) but not wreck itself: a hook keeps
path ids small, so that they name those records, and another turns a DELETE of one of the
farm's own printers, OttoEjects or racks (in any phase: the coverage phase tries the ids
around the boundaries too) into a DELETE of the id above them (a record the fuzzer created).

Knobs: ``OTTO_FUZZ_MAX_EXAMPLES`` (per operation, default 40), ``OTTO_FUZZ_SEED``,
``OTTO_FUZZ_MIN_CASES``. The report (JSON) and Schemathesis' output are kept in the test's
temporary folder, and printed on failure.
"""

from __future__ import annotations

from hashlib import sha256
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time
from typing import Any
import urllib.request
import uuid

import pytest

from ..jobs.helpers import gcode_bytes
from .stack import REPO, request, start, stop

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("socket_enabled")]

REQUIREMENTS = REPO / "requirements_fuzz.txt"
MIN_CASES = int(os.environ.get("OTTO_FUZZ_MIN_CASES", "2000"))
MAX_EXAMPLES = int(os.environ.get("OTTO_FUZZ_MAX_EXAMPLES", "40"))
SEED = int(os.environ.get("OTTO_FUZZ_SEED", "20261203"))
FUZZ_TIMEOUT = 1800
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# The path ids the hook maps generated ids onto (the farm's records and a few more).
ID_SPAN = 8

CONFIG = """\
# Written by tests/e2e/test_fuzz.py.
[checks.not_a_server_error]
# 502/503: a device refused or cannot be reached (documented per route); a 500 never passes.
expected-statuses = ["2xx", "3xx", "4xx", "502", "503"]
"""

HOOKS = '''\
"""Schemathesis hooks of tests/e2e/test_fuzz.py: ids that name records, a stack that stays."""

import json
import os

import schemathesis

SPAN = int(os.environ["OTTO_FUZZ_ID_SPAN"])
# {"/api/printers": [1, 2, 3], ...}: the farm's own devices, never deleted.
PROTECTED = json.loads(os.environ["OTTO_FUZZ_PROTECTED"])


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    """Generated ids (fuzzing phase) onto the first few: the seeded records and a few more."""
    if not path_parameters:
        return path_parameters
    for name, value in list(path_parameters.items()):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            path_parameters[name] = 1 + (value - 1) % SPAN
    return path_parameters


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Every phase: DELETE of one of the farm's own devices deletes an id above them instead."""
    if case.method.upper() != "DELETE" or not case.path_parameters:
        return
    for prefix, ids in PROTECTED.items():
        for name, value in list(case.path_parameters.items()):
            if case.operation.path == prefix + "/{" + name + "}":
                if str(value).strip() in {str(farm_id) for farm_id in ids}:
                    case.path_parameters[name] = max(ids) + 1
'''


def fuzz_venv() -> Path:
    """Schemathesis' venv beside the test venv (``scripts/lib/env.sh``: ``otto_fuzz_venv``)."""
    key = sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    venv = Path(sys.prefix).parent / f"fuzz-venv-{key}"
    if not (venv / ".ottoengine-fuzz").exists():
        shutil.rmtree(venv, ignore_errors=True)
        base = getattr(sys, "_base_executable", None) or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True, timeout=600)
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True, timeout=900)
        (venv / ".ottoengine-fuzz").touch()
    return venv


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Any:
    work = tmp_path_factory.mktemp("fuzz")
    process, stack = start(work, "--printers", "3", "--ejectors", "1", "--shelves", "6")
    stack["work"] = work
    try:
        yield stack
    finally:
        stop(process)


def _protected(base: str, token: str) -> dict[str, list[int]]:
    protected = {}
    for prefix in ("/api/printers", "/api/ottoeject", "/api/ottoracks"):
        status, records = request(f"{base}{prefix}", token=token)
        assert status == 200, (prefix, status, records)
        protected[prefix] = [record["id"] for record in records]
        assert protected[prefix], f"the farm has nothing at {prefix}"
    return protected


def _upload(stack: dict[str, Any], name: str, data: bytes) -> int:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    prepared = urllib.request.Request(
        stack["base_url"] + "/api/print-jobs/upload", data=body, method="POST"
    )
    prepared.add_header("Authorization", f"Bearer {stack['admin_token']}")
    prepared.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with urllib.request.urlopen(prepared, timeout=30) as response:
        return int(json.loads(response.read())["print_item_id"])


def _seed(stack: dict[str, Any]) -> None:
    """Print items and jobs for the fuzzer to find: NEW ones, and one the farm prints."""
    base, token = stack["base_url"], stack["admin_token"]
    items = [_upload(stack, f"seed-{n}.gcode", gcode_bytes(seed=f"fuzz-{n}")) for n in (1, 2)]
    for n, auto_start in enumerate((False, False, False, True)):
        status, job = request(
            f"{base}/api/print-jobs",
            token=token,
            method="POST",
            body={"print_item_id": items[n % 2], "auto_start": auto_start, "priority": n + 1},
        )
        assert status == 201, job


@pytest.mark.timeout(FUZZ_TIMEOUT + 900)  # the venv on first use, the stack, the run
def test_schemathesis_finds_no_crash_and_no_undocumented_answer(stack: dict[str, Any]) -> None:
    venv = fuzz_venv()
    work: Path = stack["work"]
    base, token = stack["base_url"], stack["admin_token"]
    status, document = request(f"{base}/api/ottoengine/openapi.json", token=token)
    assert status == 200
    assert document is not None
    (work / "openapi.json").write_text(json.dumps(document))
    _seed(stack)
    protected = _protected(base, token)
    # The document is valid OpenAPI 3.1 (the validator lives in the fuzz venv only).
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import json, sys; from openapi_spec_validator import validate; "
            "validate(json.load(open(sys.argv[1])))",
            str(work / "openapi.json"),
        ],
        check=True,
        timeout=120,
    )
    (work / "schemathesis.toml").write_text(CONFIG)
    (work / "otto_fuzz_hooks.py").write_text(HOOKS)
    report = work / "report.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(work),
        "SCHEMATHESIS_HOOKS": "otto_fuzz_hooks",
        "OTTO_FUZZ_ID_SPAN": str(ID_SPAN),
        "OTTO_FUZZ_PROTECTED": json.dumps(protected),
    }
    command = [
        str(venv / "bin" / "st"),
        "--config-file",
        str(work / "schemathesis.toml"),
        "run",
        str(work / "openapi.json"),
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    began = time.monotonic()
    result = subprocess.run(
        command,
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=FUZZ_TIMEOUT,
        check=False,
    )
    elapsed = time.monotonic() - began
    (work / "schemathesis.log").write_text(result.stdout)
    assert report.exists(), result.stdout[-6000:]
    summary = json.loads(report.read_text())
    cases = summary["test_cases"]
    print(  # the lane's figures, shown with `pytest -s`
        f"schemathesis: {cases['generated']} cases over {summary['operations']['tested']} "
        f"operations in {elapsed:.0f} s; failures: {summary['failures']}"
    )
    assert summary["operations"]["tested"] == summary["operations"]["total"]
    assert summary["operations"]["total"] == sum(len(item) for item in document["paths"].values())
    assert result.returncode == 0, result.stdout[-12000:]
    assert not summary["failures"], summary["failures"]
    assert not summary["errors"], summary["errors"]
    assert cases["generated"] >= MIN_CASES, cases
    # The stack survived its fuzzer: the farm's devices are still there, the hub still answers.
    status, _ = request(f"{base}/api/orchestration/status", token=token)
    assert status == 200
    after = _protected(base, token)
    assert all(set(ids) <= set(after[prefix]) for prefix, ids in protected.items()), after
    status, served = request(f"{base}/api/ottoengine/openapi.json", token=token)
    assert served == document
