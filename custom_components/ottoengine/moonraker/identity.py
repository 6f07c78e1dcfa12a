"""A stable identity of an OttoEject, for Home Assistant unique ids (never the IP address).

What Moonraker 0.11 offers: ``/machine/system_info`` has ``cpu_info.serial_number`` (the
Raspberry Pi's serial, empty on most x86 and container hosts), ``network`` (interfaces and MACs,
empty without the ``ip`` tool, and shared by every robot simulated on one host),
``instance_ids`` (systemd unit names such as ``moonraker``/``klipper``, identical on every
robot); ``/printer/info`` has Klippy's ``hostname``. Moonraker's own instance UUID is not exposed
over the API.

Chosen: the CPU serial when there is one (``serial:<serial>``), else Klippy's hostname
(``host:<hostname>``). A real OttoEject is a Raspberry Pi, so its id survives renames and
address changes; a simulated robot reports its name as hostname.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class MoonrakerIdentity:
    """Identity facts of one Moonraker host and the unique id chosen from them."""

    unique_id: str
    source: str  # "cpu_serial" or "hostname"
    hostname: str | None = None
    cpu_serial: str | None = None
    mac_addresses: tuple[str, ...] = ()
    instance_ids: dict[str, str] = field(default_factory=dict)


def identity_from(
    system_info: Mapping[str, Any], printer_info: Mapping[str, Any] | None
) -> MoonrakerIdentity:
    """Build the identity from ``machine/system_info`` (its ``system_info``) and ``printer/info``.

    Raises ``ValueError`` when neither a CPU serial nor a hostname is known.
    """
    cpu = system_info.get("cpu_info") or {}
    serial = str(cpu.get("serial_number") or "").strip().lower()
    if serial.strip("0") == "":
        serial = ""
    network = system_info.get("network") or {}
    macs = tuple(
        sorted(
            {
                str(iface.get("mac_address")).lower()
                for name, iface in network.items()
                if name != "lo"
                and isinstance(iface, Mapping)
                and iface.get("mac_address")
                and str(iface.get("mac_address")).strip("0:") != ""
            }
        )
    )
    hostname = str((printer_info or {}).get("hostname") or "").strip() or None
    instance_ids = {str(k): str(v) for k, v in (system_info.get("instance_ids") or {}).items()}
    if serial:
        unique_id, source = f"serial:{serial}", "cpu_serial"
    elif hostname:
        unique_id, source = f"host:{hostname.lower()}", "hostname"
    else:
        raise ValueError("Moonraker reports neither a CPU serial number nor a hostname")
    return MoonrakerIdentity(
        unique_id=unique_id,
        source=source,
        hostname=hostname,
        cpu_serial=serial or None,
        mac_addresses=macs,
        instance_ids=instance_ids,
    )
