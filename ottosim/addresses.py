"""Loopback addresses for simulated devices: one address per device, like hosts on a LAN.

Printers get 127.0.1.N, OttoEjects 127.0.2.N. An address is taken only if the device's ports
are free there, so several farms (or a farm and a test's own broker) can run side by side.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ottosim.process import port_free

PRINTER_NETWORK = "127.0.1"
EJECTOR_NETWORK = "127.0.2"


def free_addresses(network: str, ports: Sequence[int], count: int) -> list[str]:
    """``count`` addresses ``<network>.N`` (N = 1..254) on which every port in ``ports`` is free."""
    found: list[str] = []
    for host in _hosts(network):
        if len(found) == count:
            break
        if all(port_free(host, port) for port in ports):
            found.append(host)
    if len(found) < count:
        raise RuntimeError(f"only {len(found)} free addresses in {network}.0/24, {count} needed")
    return found


def _hosts(network: str) -> Iterator[str]:
    for number in range(1, 255):
        yield f"{network}.{number}"
