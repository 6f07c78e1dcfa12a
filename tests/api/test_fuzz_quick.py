"""A quick Schemathesis pass in the normal suite: a few hundred generated cases over every
route of the test hub (one printer and one OttoEject, neither reachable) but two, with the fuzz
lane's checks. The full lane (tests/e2e/test_fuzz.py, `scripts/test --slow`) runs thousands against a
real `hass` with the simulated farm; this one catches a response that drifted from its schema on
every run. It needs the fuzz venv (`scripts/setup --fuzz`, or one run of the slow lane) and is
skipped without it: Schemathesis never goes into Home Assistant's venv.
"""

from __future__ import annotations

import asyncio
from hashlib import sha256
import json
from pathlib import Path
import sys
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ottoengine.api.openapi import OPENAPI_URL

from ..jobs.helpers import create_job, setup_farm, upload_item

REPO = Path(__file__).resolve().parents[2]
_KEY = sha256((REPO / "requirements_fuzz.txt").read_bytes()).hexdigest()[:12]
FUZZ_VENV = Path(sys.prefix).parent / f"fuzz-venv-{_KEY}"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
MIN_CASES = 200
BUDGET_S = 60
# Registering or moving an OttoEject resolves the generated host name; in this test harness the
# shared DNS resolver belongs to another event loop (a RuntimeError no real `hass` has), so these
# two are left to the full lane.
EXCLUDED = ("post_ottoeject", "put_ottoeject_device")

pytestmark = pytest.mark.skipif(
    not (FUZZ_VENV / ".ottoengine-fuzz").exists(),
    reason="no fuzz venv: `scripts/setup --fuzz` (Schemathesis)",
)

CONFIG = """\
[checks.not_a_server_error]
# 502/503: a device refused or cannot be reached (documented per route); a 500 never passes.
expected-statuses = ["2xx", "3xx", "4xx", "502", "503"]
"""


@pytest.mark.timeout(BUDGET_S + 60)
async def test_a_quick_schemathesis_pass_finds_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    tmp_path: Path,
) -> None:
    await setup_farm(hass)
    client = await hass_client()
    item = await upload_item(client)
    await create_job(client, print_item_id=item)
    response = await client.get(OPENAPI_URL)
    (tmp_path / "openapi.json").write_text(json.dumps(await response.json()))
    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    report = tmp_path / "report.json"
    began = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        str(FUZZ_VENV / "bin" / "st"),
        "--config-file",
        str(tmp_path / "schemathesis.toml"),
        "run",
        str(tmp_path / "openapi.json"),
        "--url",
        str(client.make_url("")).rstrip("/"),
        "--header",
        f"Authorization: Bearer {hass_access_token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        "8",
        *(option for name in EXCLUDED for option in ("--exclude-operation-id", name)),
        "--seed",
        "11",
        "--workers",
        "1",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), BUDGET_S + 45)
    text = output.decode(errors="replace")
    assert report.exists(), text[-6000:]
    summary = json.loads(report.read_text())
    print(
        f"schemathesis (quick): {summary['test_cases']['generated']} cases in "
        f"{time.monotonic() - began:.0f} s"
    )
    assert process.returncode == 0, text[-10000:]
    assert not summary["failures"], summary["failures"]
    assert summary["operations"]["tested"] == summary["operations"]["total"] - len(EXCLUDED)
    assert summary["test_cases"]["generated"] >= MIN_CASES, summary["test_cases"]
