"""Run Home Assistant with OttoEngine for development: `scripts/develop [--no-farm] [--bare]`.

Starts the simulated farm (unless --no-farm) and a real `hass` with `config/`, finishes
onboarding, creates the OttoEngine hub, writes `.dev/stack.json` (base_url, an admin and a
non-admin long-lived token, the login, the farm description) and runs until Ctrl-C.
`--farm FILE` uses a farm that already runs (`python -m ottosim --describe FILE`) instead: its
devices are added the same way, but it is neither started nor stopped, so it outlives this run.
`--loop-probe` also loads the dev-only event-loop lag probe (`devstack/loop_probe`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime
from http import HTTPStatus
import json
import os
from pathlib import Path
import signal
import socket
import sys
import time
from typing import Any

import aiohttp

from ottosim.process import die_with_parent

from .farm_setup import FarmRecord, FarmSetup
from .onboarding import HomeAssistantAdmin

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "ottoengine"
LOOP_PROBE = "loop_probe"  # dev-only custom integration (devstack/loop_probe), --loop-probe
LOOP_PROBE_PACKAGE = '"""Written by python -m devstack --loop-probe."""\n'
SSDP_PORT = 2021  # where Bambu Studio and the hub listen for printers' announcements
ADMIN = {"name": "OttoEngine Admin", "username": "ottoengine", "password": "ottoengine-dev"}
VIEWER = {"name": "Farm Viewer", "username": "viewer", "password": "ottoengine-viewer"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=8123, help="HTTP port (default 8123; 0 picks a free one)"
    )
    parser.add_argument("--config", type=Path, default=REPO / "config", help="HA config folder")
    parser.add_argument("--stack-file", type=Path, default=REPO / ".dev" / "stack.json")
    parser.add_argument("--no-farm", action="store_true", help="do not start the simulated farm")
    parser.add_argument(
        "--farm",
        type=Path,
        metavar="FILE",
        help="use the running farm FILE describes (ottosim --describe); never start or stop it",
    )
    parser.add_argument(
        "--bare", action="store_true", help="start the farm but leave the hub empty"
    )
    parser.add_argument("--printers", type=int, default=3)
    parser.add_argument("--ejectors", type=int, default=1)
    parser.add_argument("--shelves", type=int, default=6)
    parser.add_argument("--time-scale", type=float, default=60.0)
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log the integration at DEBUG (every device report: a line per printer every 2 s)",
    )
    parser.add_argument(
        "--loop-probe",
        action="store_true",
        help="also load the dev-only event-loop lag probe (devstack/loop_probe, GET /api/loop_probe)",
    )
    return parser.parse_args(argv)


def prepare_config(
    config: Path, port: int, *, debug: bool = False, loop_probe: bool = False
) -> None:
    """Write configuration.yaml and the HTTP settings, and link the integration in."""
    config.mkdir(parents=True, exist_ok=True)
    text = (Path(__file__).parent / "configuration.yaml").read_text(encoding="utf-8")
    # The console stays readable: the integration logs at INFO unless --debug asks for more.
    text = (
        text.replace("custom_components.ottoengine: info", "custom_components.ottoengine: debug")
        if debug
        else text
    )
    if loop_probe:
        text += f"{LOOP_PROBE}:\n"
    target = config / "configuration.yaml"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    write_http_settings(config, port)
    skip_onboarding_extras(config)
    custom = config / "custom_components"
    custom.mkdir(exist_ok=True)
    link_loop_probe(custom, enabled=loop_probe)
    link = custom / DOMAIN
    source = REPO / "custom_components" / DOMAIN
    if link.is_symlink() and link.resolve() == source:
        return
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(source, custom))


def link_loop_probe(custom: Path, *, enabled: bool) -> None:
    """Link the dev-only loop probe into custom_components when asked, else remove the link.

    Home Assistant runs from the repository, whose ``custom_components`` is a regular package
    that would shadow the config folder's (a namespace package) and with it the probe: an
    ``__init__.py`` makes the config folder's the package (it links OttoEngine too).
    """
    link = custom / LOOP_PROBE
    marker = custom / "__init__.py"
    if link.is_symlink() or link.exists():
        link.unlink()
    if marker.exists() and marker.read_text(encoding="utf-8") == LOOP_PROBE_PACKAGE:
        marker.unlink()
    if enabled:
        source = Path(__file__).parent / LOOP_PROBE
        link.symlink_to(os.path.relpath(source, custom))
        marker.write_text(LOOP_PROBE_PACKAGE, encoding="utf-8")


def write_http_settings(config: Path, port: int) -> None:
    """Serve on 127.0.0.1:<port> only, as Home Assistant's confirmed ("stable") HTTP config."""
    storage = config / ".storage" / "http"
    storage.parent.mkdir(parents=True, exist_ok=True)
    stable = {
        "server_host": ["127.0.0.1"],
        "server_port": port,
        "cors_allowed_origins": [],
        "login_attempts_threshold": -1,
        "ip_ban_enabled": True,
        "ssl_profile": "modern",
        "use_x_frame_options": True,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    data = {
        "version": 2,
        "minor_version": 2,
        "key": "http",
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }
    storage.write_text(json.dumps(data, indent=2), encoding="utf-8")


def skip_onboarding_extras(config: Path) -> None:
    """Mark every onboarding step but the owner account as done, before the first start.

    The core-config step would set up met, google_translate (whose voice pipeline needs a C++
    compiler) and radio_browser, which all want the internet; a farm controller needs none.
    """
    onboarding = config / ".storage" / "onboarding"
    if onboarding.exists():
        return
    onboarding.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["core_config", "analytics", "integration"]},
    }
    onboarding.write_text(json.dumps(data, indent=2), encoding="utf-8")


async def wait_for_file(path: Path, process: asyncio.subprocess.Process, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"the process ended early (exit code {process.returncode})")
        if path.exists():
            with contextlib.suppress(ValueError):
                return json.loads(path.read_text(encoding="utf-8"))
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{path} did not appear within {timeout:.0f} s")


async def wait_for_http(
    session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"Home Assistant exited (code {process.returncode}); see its log")
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                if response.status == HTTPStatus.OK:
                    return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"Home Assistant did not answer {url} within {timeout:.0f} s")


async def start_farm(args: argparse.Namespace, describe: Path) -> asyncio.subprocess.Process:
    describe.unlink(missing_ok=True)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ottosim",
        "--printers",
        str(args.printers),
        "--ejectors",
        str(args.ejectors),
        "--shelves",
        str(args.shelves),
        "--time-scale",
        str(args.time_scale),
        "--describe",
        str(describe),
        # The printers announce themselves like real ones, to where the hub listens.
        "--ssdp-to",
        f"127.0.0.1:{SSDP_PORT}",
        # Same certificates and access codes on every run: the hub's printers stay valid.
        "--identity-dir",
        str(describe.parent / "farm-identity"),
        cwd=REPO,
    )


async def tokens(admin: HomeAssistantAdmin, config: Path) -> dict[str, str]:
    """Long-lived tokens for the admin and the viewer, kept in the config folder across runs."""
    saved = config / ".ottoengine-dev-tokens.json"
    previous: dict[str, Any] = {}
    if saved.exists():
        with contextlib.suppress(ValueError):
            previous = json.loads(saved.read_text(encoding="utf-8"))
    if not await admin.onboarded():
        await admin.onboard(**ADMIN)
    found = {}
    for key in ("admin_token", "user_token"):
        token = previous.get(key)
        if isinstance(token, str) and await admin.token_valid(token):
            found[key] = token
    # Token names must be unique per user in Home Assistant.
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if "admin_token" not in found:
        login = await admin.login(ADMIN["username"], ADMIN["password"])
        found["admin_token"] = await admin.long_lived_token(
            login, f"scripts/develop (admin, {created})"
        )
    if "user_token" not in found:
        await admin.ensure_user(found["admin_token"], **VIEWER)
        login = await admin.login(VIEWER["username"], VIEWER["password"])
        found["user_token"] = await admin.long_lived_token(
            login, f"scripts/develop (viewer, {created})"
        )
    saved.write_text(json.dumps(found), encoding="utf-8")
    saved.chmod(0o600)
    return found


async def stop(process: asyncio.subprocess.Process | None, name: str) -> None:
    if process is None or process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 60)
    except TimeoutError:
        print(f"[develop] {name} did not stop in time; killing it", file=sys.stderr)
        process.kill()
        await process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run(args: argparse.Namespace) -> int:
    if args.port == 0:
        args.port = free_port()
    stack_dir = args.stack_file.parent
    stack_dir.mkdir(parents=True, exist_ok=True)
    prepare_config(args.config, args.port, debug=args.debug, loop_probe=args.loop_probe)
    base_url = f"http://127.0.0.1:{args.port}"
    farm: asyncio.subprocess.Process | None = None
    hass: asyncio.subprocess.Process | None = None
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        farm_description = None
        if args.farm is not None:
            farm_description = json.loads(args.farm.read_text(encoding="utf-8"))
        elif not args.no_farm:
            describe = stack_dir / "farm.json"
            farm = await start_farm(args, describe)
            farm_description = await wait_for_file(describe, farm, 120)
        hass = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(args.config),
            cwd=REPO,
            # Should this script be killed outright, Home Assistant stops too (the farm already
            # does by itself).
            preexec_fn=die_with_parent,
        )
        async with aiohttp.ClientSession() as session:
            await wait_for_http(session, f"{base_url}/manifest.json", hass, 300)
            admin = HomeAssistantAdmin(session, base_url)
            found = await tokens(admin, args.config)
            entry_id = await admin.ensure_config_entry(found["admin_token"], DOMAIN)
            if farm_description is not None and not args.bare:
                # What earlier runs added (and the user may have deleted since) is kept here.
                record = FarmRecord(stack_dir / "farm-added.json", entry_id)
                setup = FarmSetup(session, base_url, found["admin_token"], record)
                await setup.add_farm(farm_description)
        stack = {
            "base_url": base_url,
            "admin_token": found["admin_token"],
            "user_token": found["user_token"],
            "login": {"username": ADMIN["username"], "password": ADMIN["password"]},
            "viewer_login": {"username": VIEWER["username"], "password": VIEWER["password"]},
            "hub_entry_id": entry_id,
            "hass_pid": hass.pid,
            "farm": farm_description,
        }
        tmp = args.stack_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(stack, indent=2), encoding="utf-8")
        tmp.replace(args.stack_file)
        print(
            f"\n  Home Assistant with OttoEngine: {base_url}\n"
            f"  login: {ADMIN['username']} / {ADMIN['password']}"
            f" (non-admin: {VIEWER['username']} / {VIEWER['password']})\n"
            f"  tokens and farm: {args.stack_file}\n  Ctrl-C stops everything.\n",
            flush=True,
        )
        waiters = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(hass.wait())]
        if farm is not None:
            waiters.append(asyncio.ensure_future(farm.wait()))
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        return 0 if stopping.is_set() else 1
    except RuntimeError as err:
        print(f"[develop] {err}", file=sys.stderr)
        return 1
    finally:
        await stop(hass, "Home Assistant")
        await stop(farm, "the simulated farm")
        args.stack_file.unlink(missing_ok=True)


def main() -> int:
    return asyncio.run(run(parse_args(sys.argv[1:])))


if __name__ == "__main__":
    sys.exit(main())
