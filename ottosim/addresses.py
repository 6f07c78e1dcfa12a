"""Loopback addresses for simulated devices: one address per device, like hosts on a LAN.

Printers get 127.0.1.N, OttoEjects 127.0.2.N, Klipper printers 127.0.3.N. An address is taken only if the device's ports
are free there and no other farm holds it: each taken address is locked (``flock`` on
``LOCK_DIR/<address>.lock``) until the lease is released, so farms started at the same moment
(parallel test runs, a benchmark) never pick the same address.
"""

from __future__ import annotations

from collections.abc import Sequence
import contextlib
import fcntl
import os
from pathlib import Path

from ottosim.process import port_free

PRINTER_NETWORK = "127.0.1"
EJECTOR_NETWORK = "127.0.2"
KLIPPER_PRINTER_NETWORK = "127.0.3"
LOCK_DIR = Path("/var/lib/ottosim/address-locks")


class AddressLease:
    """Addresses held by one farm; ``release()`` gives them back."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self._locks: list[int] = []

    def take(self, network: str, ports: Sequence[int], count: int) -> list[str]:
        """``count`` more addresses ``<network>.N`` on which every port in ``ports`` is free."""
        LOCK_DIR.mkdir(parents=True, exist_ok=True)
        found: list[str] = []
        for number in range(1, 255):
            if len(found) == count:
                break
            host = f"{network}.{number}"
            lock = os.open(LOCK_DIR / f"{host}.lock", os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock)
                continue
            if all(port_free(host, port) for port in ports):
                found.append(host)
                self._locks.append(lock)
            else:
                os.close(lock)
        self.addresses += found
        if len(found) < count:
            raise RuntimeError(
                f"only {len(found)} free addresses in {network}.0/24, {count} needed"
            )
        return found

    def release(self) -> None:
        for lock in self._locks:
            with contextlib.suppress(OSError):
                os.close(lock)
        self._locks = []
        self.addresses = []
