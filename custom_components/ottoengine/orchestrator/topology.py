"""The farm's topology as the orchestrator needs it, read from the hub's subentries now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..farm.orchestration.engine import Topology
from ..farm.orchestration.topology import LoadedFilament, PrinterSetup
from ..subentries import DeviceKind

if TYPE_CHECKING:
    from ..runtime import OttoRuntime

CONF_OTTOEJECT_ID = "ottoeject_id"


def _color(raw: str | None) -> str | None:
    if not raw or len(raw) < 6:
        return None
    return f"#{raw[:6].upper()}"


def printer_setups(runtime: OttoRuntime) -> dict[int, PrinterSetup]:
    setups: dict[int, PrinterSetup] = {}
    for printer_id, coordinator in runtime.printers.coordinators.items():
        status = coordinator.data
        filaments: tuple[LoadedFilament, ...] = ()
        if status is not None:
            filaments = tuple(
                LoadedFilament(tray.material, _color(tray.color))
                for tray in status.trays
                if tray.material
            )
        setups[printer_id] = coordinator.settings.setup(filaments=filaments)
    for printer_id, klipper in runtime.printers.klipper_coordinators.items():
        setups[printer_id] = klipper.settings.setup()  # no AMS: the configured filament
    return setups


def current_topology(runtime: OttoRuntime) -> Topology:
    racks: dict[int, int | None] = {}
    for subentry in runtime.entry.subentries.values():
        if subentry.subentry_type == DeviceKind.RACK:
            configured = subentry.data.get(CONF_OTTOEJECT_ID)
            racks[int(subentry.data["id"])] = int(configured) if configured is not None else None
    return Topology(
        printers=printer_setups(runtime),
        ejector_ids=sorted(runtime.ottoejects.ejector_ids()),
        rack_ejectors=racks,
    )
