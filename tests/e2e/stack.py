"""Runs `python -m devstack` (what `scripts/develop` runs) for the end-to-end tests, and talks to
the Home Assistant it starts: REST with urllib, websocket commands as the UI sends them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import signal
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.request

import aiohttp

from devstack.onboarding import HomeAssistantAdmin

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300
STOP_TIMEOUT = 90


def request(
    url: str, *, token: str | None = None, method: str = "GET", body: Any = None
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    prepared = urllib.request.Request(url, data=data, method=method)
    if token:
        prepared.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        prepared.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        answer = err.read()
        try:
            return err.code, json.loads(answer)
        except ValueError:
            return err.code, None


def websocket(base_url: str, token: str, *commands: dict[str, Any]) -> list[Any]:
    """Websocket commands (``config_entries/subentries/delete``, ...) as the frontend sends them."""

    async def run() -> list[Any]:
        async with aiohttp.ClientSession() as session:
            return await HomeAssistantAdmin(session, base_url).websocket(token, *commands)

    return asyncio.run(run())


def start(work: Path, *options: str) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
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
        stop(process)
        raise
    stack = json.loads(stack_file.read_text())
    stack["stack_file"] = stack_file
    return process, stack


def stop(process: subprocess.Popen[bytes]) -> int:
    """Ctrl-C, as in a terminal; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
