"""The simulated farm: N Bambu printers, M OttoEjects, one rack per OttoEject.

::

    async with Farm(printers=4, ejectors=1, shelves=6, time_scale=60) as farm:
        farm.describe()      # how the integration reaches every device (see ``describe``)
        farm.truth()         # where every plate and print is, violations, events, device status
        await farm.inject_fault("p1s-1", "mqtt_drop")
        farm.operator("take_print_off_shelf", rack="rack-1", shelf=1)

Layout:

- printers are named ``<model>-<n>`` (``p1s-1``, ``p1p-2``, ``x1c-3``, ``a1-4``, ``p1s-5``, ...;
  models cycle P1S, P1P, X1C, A1 unless given), each on its own address 127.0.1.N with MQTT
  (8883) and FTPS (990); every printer starts with an empty build plate on its bed;
- OttoEjects are ``ottoeject-<j>`` on 127.0.2.N:7125, each reaching rack ``rack-<j>``;
- Klipper printers (``klipper_printers``, Creality K1C) are ``k1c-<n>`` on 127.0.3.N:7125
  (real Moonraker, simulated Klippy, see ``ottosim.klipper``), each with an empty plate; the
  OttoEjects reach them with ``EJECT_FROM_CREALITY_K_ONE_C`` / ``LOAD_ONTO_CREALITY_K_ONE_C``;
- a rack of S shelves ``shelf_spacing_mm`` apart (80 unless given) starts with an empty plate on
  each shelf of its upper half (shelves S//2+1 .. S) and nothing on the lower half (free for
  storing finished prints);
- ``time_scale``: simulated seconds per real second (120 makes a 2 h print take 60 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
import json
from pathlib import Path
import secrets
import shutil
import tempfile
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ottosim.addresses import (
    EJECTOR_NETWORK,
    KLIPPER_PRINTER_NETWORK,
    PRINTER_NETWORK,
    AddressLease,
)
from ottosim.bambu.ams import Loadout, parse_loadout
from ottosim.bambu.broker import MQTT_TLS_PORT
from ottosim.bambu.camera import CAMERA_PORT
from ottosim.bambu.certs import CertificateAuthority
from ottosim.bambu.ftps import FTPS_PORT
from ottosim.bambu.models import FARM_MODEL_CYCLE, model_spec, serial_number
from ottosim.bambu.printer import FAULTS as PRINTER_FAULTS, FaultError, SimulatedBambuPrinter
from ottosim.control import ControlServer
from ottosim.world import World

if TYPE_CHECKING:
    from ottosim.klipper import SimulatedKlipperPrinter
    from ottosim.ottoeject import SimulatedOttoEject

MOONRAKER_PORT = 7125
PARALLEL_STARTS = 4  # printers starting at once (their servers start while keys are generated)
SHELF_SPACING_MM = 80.0
BED_SIZE = "256x256"
ACCESS_CODES_FILE = "access_codes.json"  # in identity_dir: serial -> access code


def empty_plate_shelves(shelves: int) -> tuple[int, ...]:
    """Shelves that start with an empty plate: the upper half."""
    return tuple(range(shelves // 2 + 1, shelves + 1))


class Farm:
    """See the module docstring."""

    def __init__(
        self,
        printers: int = 4,
        ejectors: int = 0,
        shelves: int = 6,
        *,
        time_scale: float = 1.0,
        models: Sequence[str] | None = None,
        workdir: Path | None = None,
        control_port: int = 0,
        ssdp_targets: Sequence[tuple[str, int]] = (),
        identity_dir: Path | None = None,
        shelf_spacing_mm: float = SHELF_SPACING_MM,
        ams_loadouts: Mapping[str, Any] | None = None,
        klipper_printers: int = 0,
        klipper_zeroconf: bool = False,
    ) -> None:
        if klipper_printers < 0:
            raise ValueError("need klipper_printers >= 0")
        if printers < 0 or ejectors < 0 or shelves < 1 or time_scale <= 0:
            raise ValueError("need printers >= 0, ejectors >= 0, shelves >= 1, time_scale > 0")
        if shelf_spacing_mm <= 0:
            raise ValueError("need shelf_spacing_mm > 0")
        self.time_scale = time_scale
        self.shelves = shelves
        self.shelf_spacing_mm = shelf_spacing_mm
        # Where the printers send their SSDP announcements (none: they stay silent on UDP).
        self.ssdp_targets = tuple(ssdp_targets)
        # Keeps the farm's CA (so each printer's certificate) and access codes across runs, as
        # real printers keep theirs; without it every run is a brand-new set of printers.
        self.identity_dir = identity_dir
        self.world = World()
        self._printer_count = printers
        self._ejector_count = ejectors
        names = list(models) if models else list(FARM_MODEL_CYCLE)
        self._models = [model_spec(names[i % len(names)]) for i in range(printers)]
        # Filament loadouts by printer name (``bambu/ams.py``); the others get their model's.
        printer_names = [f"{spec.name.lower()}-{i}" for i, spec in enumerate(self._models, 1)]
        self._loadouts: dict[str, Loadout] = {}
        for name, loadout in (ams_loadouts or {}).items():
            if name not in printer_names:
                raise ValueError(
                    f"AMS loadout for unknown printer {name!r} (printers: "
                    f"{', '.join(printer_names) or 'none'})"
                )
            self._loadouts[name] = parse_loadout(loadout, name)
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="ottosim-farm-"))
        self.printers: dict[str, SimulatedBambuPrinter] = {}
        self.ejectors: dict[str, SimulatedOttoEject] = {}
        self._klipper_count = klipper_printers
        self.klipper_zeroconf = klipper_zeroconf
        self.klipper_printers: dict[str, SimulatedKlipperPrinter] = {}
        self.control = ControlServer(self, control_port)
        self.ca: CertificateAuthority | None = None
        self._addresses = AddressLease()

    # -- life cycle ------------------------------------------------------------------------------
    async def __aenter__(self) -> Farm:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start every device and the control server."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.identity_dir is None:
            ca = self.ca = CertificateAuthority.create(self.workdir / "ca")
            codes: dict[str, str] = {}
        else:
            ca = self.ca = CertificateAuthority.load_or_create(self.identity_dir / "ca")
            codes = self._load_access_codes()
        ips = self._addresses.take(
            PRINTER_NETWORK, (MQTT_TLS_PORT, FTPS_PORT, CAMERA_PORT), self._printer_count
        )
        for index, (spec, ip) in enumerate(zip(self._models, ips, strict=True), start=1):
            name = f"{spec.name.lower()}-{index}"
            serial = serial_number(spec, index)
            self.world.add_printer(name, spec.name)
            self.printers[name] = SimulatedBambuPrinter(
                self.world,
                name=name,
                spec=spec,
                ip=ip,
                serial=serial,
                access_code=codes.setdefault(serial, f"{secrets.randbelow(10**8):08d}"),
                workdir=self.workdir / "printers" / name,
                ca=ca,
                time_scale=self.time_scale,
                ssdp_targets=self.ssdp_targets,
                loadout=self._loadouts.get(name),
            )
        if self.identity_dir is not None:
            self._save_access_codes(codes)
        starting = asyncio.Semaphore(PARALLEL_STARTS)

        async def start(printer: SimulatedBambuPrinter) -> None:
            async with starting:
                await printer.start()

        await asyncio.gather(*(start(printer) for printer in self.printers.values()))
        if self._klipper_count:
            await self._start_klipper_printers()
        if self._ejector_count:
            await self._start_ejectors()
        await self.control.start()

    def _load_access_codes(self) -> dict[str, str]:
        assert self.identity_dir is not None
        try:
            codes = json.loads((self.identity_dir / ACCESS_CODES_FILE).read_text())
        except OSError, ValueError:
            return {}
        return {str(k): str(v) for k, v in codes.items()} if isinstance(codes, dict) else {}

    def _save_access_codes(self, codes: dict[str, str]) -> None:
        assert self.identity_dir is not None
        path = self.identity_dir / ACCESS_CODES_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(codes, indent=2, sort_keys=True))
        path.chmod(0o600)

    async def _start_klipper_printers(self) -> None:
        """Klipper printers join the world before the OttoEjects read it for their macros."""
        from ottosim.klipper import K1C, SimulatedKlipperPrinter

        ips = self._addresses.take(KLIPPER_PRINTER_NETWORK, (MOONRAKER_PORT,), self._klipper_count)
        for index, ip in enumerate(ips, start=1):
            name = f"{K1C.name.lower()}-{index}"
            self.world.add_printer(name, K1C.name)
            self.klipper_printers[name] = SimulatedKlipperPrinter(
                self.world,
                name=name,
                spec=K1C,
                host=ip,
                port=MOONRAKER_PORT,
                api_key=None,
                workdir=self.workdir / "klipper" / name,
                time_scale=self.time_scale,
                zeroconf=self.klipper_zeroconf,
            )
        starting = asyncio.Semaphore(PARALLEL_STARTS)

        async def start(printer: SimulatedKlipperPrinter) -> None:
            async with starting:
                await printer.start()

        await asyncio.gather(*(start(p) for p in self.klipper_printers.values()))

    async def _start_ejectors(self) -> None:
        from ottosim.ottoeject import SimulatedOttoEject

        ips = self._addresses.take(EJECTOR_NETWORK, (MOONRAKER_PORT,), self._ejector_count)
        for index, ip in enumerate(ips, start=1):
            name, rack = f"ottoeject-{index}", f"rack-{index}"
            self.world.add_rack(
                rack,
                self.shelves,
                empty_plates=empty_plate_shelves(self.shelves),
                spacing_mm=self.shelf_spacing_mm,
            )
            self.world.add_ejector(name, rack)
            ejector = SimulatedOttoEject(
                self.world,
                name=name,
                rack=rack,
                host=ip,
                port=MOONRAKER_PORT,
                api_key=None,
                workdir=self.workdir / "ejectors" / name,
                # The ejector's time_scale multiplies durations; the farm's divides them.
                time_scale=1.0 / self.time_scale,
            )
            self.ejectors[name] = ejector
            await ejector.start()

    async def stop(self) -> None:
        """Stop everything; no process or file is left behind."""
        await self.control.stop()
        for ejector in self.ejectors.values():
            await ejector.stop()
        for klipper in self.klipper_printers.values():
            await klipper.stop()
        for printer in self.printers.values():
            await printer.stop()
        self._addresses.release()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # -- views -----------------------------------------------------------------------------------
    @property
    def device_names(self) -> list[str]:
        return [*self.printers, *self.klipper_printers, *self.ejectors]

    def fault_names(self, device: str) -> tuple[str, ...]:
        if device in self.printers:
            return PRINTER_FAULTS
        if device in self.klipper_printers:
            from ottosim.klipper import FAULTS as KLIPPER_FAULTS

            return KLIPPER_FAULTS
        from ottosim.ottoeject import FAULTS as EJECTOR_FAULTS

        return tuple(EJECTOR_FAULTS)

    def describe(self) -> dict[str, Any]:
        """The farm as the integration is configured with it (the ``--describe`` file)."""
        return {
            "printers": [printer.describe() for printer in self.printers.values()],
            "ejectors": [ejector.describe() for ejector in self.ejectors.values()],
            "klipper_printers": [p.describe() for p in self.klipper_printers.values()],
            "racks": [
                {
                    "name": name,
                    "number_of_shelves": len(shelves),
                    "shelf_spacing_mm": self.world.spacing_mm(name),
                    "bed_size": BED_SIZE,
                }
                for name, shelves in self.world.racks.items()
            ],
            "control": self.control.url,
            "ca_file": str(self.ca.cert_file) if self.ca else None,
            "time_scale": self.time_scale,
        }

    def truth(self, *, since: float | None = None) -> dict[str, Any]:
        """``World.truth()`` (``events`` newer than ``since``) plus each device's simulated
        status under ``devices``."""
        return {
            **self.world.truth(since=since),
            "devices": {
                "printers": {
                    **{name: p.status() for name, p in self.printers.items()},
                    **{name: p.status() for name, p in self.klipper_printers.items()},
                },
                "ejectors": {name: e.status() for name, e in self.ejectors.items()},
            },
        }

    # -- faults ----------------------------------------------------------------------------------
    async def inject_fault(self, device: str, fault: str, **params: Any) -> None:
        """Inject ``fault`` into ``device`` (printer faults: ``SimulatedBambuPrinter``, ejector
        faults: ``SimulatedOttoEject``); logged as ``fault_injected`` once it took effect."""
        if device in self.printers:
            await self.printers[device].inject_fault(fault, **params)
        elif device in self.klipper_printers:
            await self._klipper_fault(device, fault, params)
        elif device in self.ejectors:
            await self.ejectors[device].inject_fault(fault, **params)
        else:
            raise FaultError(f"no device named {device!r}")
        self.world.record(device, "fault_injected", fault=fault, params=params)

    async def reset(self) -> None:
        """Clear every printer's faults (Klipper printers: Moonraker up, Klippy restarted if not
        ready) and every ejector's injected macro failures."""
        for printer in self.printers.values():
            await printer.inject_fault("clear")
        for klipper in self.klipper_printers.values():
            await klipper.inject_fault("clear")
        for ejector in self.ejectors.values():
            await ejector.inject_fault("macro_fail_clear")
        self.world.record("farm", "reset")

    async def _klipper_fault(self, device: str, fault: str, params: dict[str, Any]) -> None:
        from ottosim.klipper.printer import KlipperFaultError

        try:
            await self.klipper_printers[device].inject_fault(fault, **params)
        except KlipperFaultError as err:
            raise FaultError(str(err)) from err

    # -- the operator ----------------------------------------------------------------------------
    def operator(self, action: str, **params: Any) -> dict[str, Any]:
        """A person at the farm moves plates or prints: see ``World.operator``."""
        return self.world.operator(action, **params)
