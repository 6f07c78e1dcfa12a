"""``python -m ottosim``: run a simulated farm in the foreground until Ctrl-C / SIGTERM.

    python -m ottosim --printers 4 --ejectors 1 --shelves 6 --time-scale 60 --describe farm.json
    python -m ottosim --printers 2 --klipper-printers 1 --ejectors 1 --describe farm.json

``--describe FILE`` is written (atomically) once every device is up: see ``Farm.describe``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from pathlib import Path
import signal
import sys

from ottosim.bambu.ssdp import parse_target
from ottosim.farm import SHELF_SPACING_MM, Farm
from ottosim.process import die_with_parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ottosim", description="Run a simulated farm in the foreground until Ctrl-C / SIGTERM."
    )
    parser.add_argument("--printers", type=int, default=4, help="simulated Bambu printers")
    parser.add_argument("--ejectors", type=int, default=0, help="simulated OttoEjects")
    parser.add_argument("--shelves", type=int, default=6, help="shelves per rack")
    parser.add_argument(
        "--klipper-printers",
        type=int,
        default=0,
        help="simulated Klipper printers (Creality K1C: real Moonraker, simulated Klippy)",
    )
    parser.add_argument(
        "--klipper-zeroconf",
        action="store_true",
        help="enable Moonraker's [zeroconf] mDNS announcement on the Klipper printers",
    )
    parser.add_argument(
        "--shelf-spacing-mm", type=float, default=SHELF_SPACING_MM, help="height of one shelf"
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--models", default="", help="comma-separated models to cycle (P1S,P1P,X1C,A1)"
    )
    parser.add_argument("--control-port", type=int, default=0, help="control server port")
    parser.add_argument("--describe", type=Path, help="write the farm description here")
    parser.add_argument(
        "--identity-dir",
        type=Path,
        help="keep the CA, the printers' certificates and access codes here across runs",
    )
    parser.add_argument(
        "--ssdp-to",
        action="append",
        default=[],
        type=parse_target,
        metavar="HOST:PORT",
        help="send the printers' SSDP announcements here (repeatable), e.g. 127.0.0.1:2021",
    )
    parser.add_argument(
        "--ams-loadout",
        type=Path,
        metavar="FILE",
        help='JSON: printer name -> {"ams": [{"trays": [...]}], "external_spool": {...}|null}',
    )
    args = parser.parse_args(argv)
    args.ams_loadouts = None
    if args.ams_loadout is not None:
        try:
            args.ams_loadouts = json.loads(args.ams_loadout.read_text())
        except (OSError, ValueError) as err:
            parser.error(f"--ams-loadout {args.ams_loadout}: {err}")
        if not isinstance(args.ams_loadouts, dict):
            parser.error("--ams-loadout: expected an object mapping printer name to loadout")
    return args


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


async def run(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    models = [m.strip() for m in args.models.split(",") if m.strip()] or None
    try:
        farm = Farm(
            args.printers,
            args.ejectors,
            args.shelves,
            time_scale=args.time_scale,
            models=models,
            control_port=args.control_port,
            ssdp_targets=args.ssdp_to,
            identity_dir=args.identity_dir,
            shelf_spacing_mm=args.shelf_spacing_mm,
            ams_loadouts=args.ams_loadouts,
            klipper_printers=args.klipper_printers,
            klipper_zeroconf=args.klipper_zeroconf,
        )
    except ValueError as err:  # a bad --ams-loadout, --models, ...
        raise SystemExit(f"ottosim: {err}") from None
    async with farm:
        description = json.dumps(farm.describe(), indent=2)
        if args.describe:
            write_atomically(args.describe, description + "\n")
        print(f"ottosim: farm ready, control {farm.control.url}", file=sys.stderr, flush=True)
        await stop.wait()
        print("ottosim: stopping", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    args = parse_args(argv)
    # A wrapper (scripts/farm, a test fixture) that is killed takes the farm down with it,
    # through the normal clean shutdown.
    die_with_parent()
    try:
        asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
    return 0
