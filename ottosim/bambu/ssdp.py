"""A simulated printer's SSDP announcements (bambu-lan-protocol.md section 8).

Real printers send an SSDP ``NOTIFY`` about every 5 s to the broadcast address on UDP 2021
(where Bambu Studio listens) and to the 239.255.255.250:1990 multicast group. On loopback
there is no broadcast, so the farm sends the same datagram, from the printer's own address, to
the listeners it is told about (``--ssdp-to 127.0.0.1:2021``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import contextlib
import logging
import socket

_LOGGER = logging.getLogger(__name__)

ANNOUNCE_INTERVAL_S = 5.0
BAMBU_SSDP_URN = "urn:bambulab-com:device:3dprinter:1"


def notify_message(
    *, ip: str, serial: str, model_code: str, name: str, firmware: str, signal_dbm: int = -44
) -> bytes:
    """The NOTIFY datagram a printer in LAN mode sends (headers as the firmware spells them)."""
    lines = [
        "NOTIFY * HTTP/1.1",
        "HOST: 239.255.255.250:1990",
        "Server: Buildroot/2018.02-rc3 UPnP/1.0 ssdpd/1.8",
        f"Location: {ip}",
        f"NT: {BAMBU_SSDP_URN}",
        "NTS: ssdp:alive",
        f"USN: {serial}",
        "Cache-Control: max-age=1800",
        f"DevModel.bambu.com: {model_code}",
        f"DevName.bambu.com: {name}",
        f"DevSignal.bambu.com: {signal_dbm}",
        "DevConnect.bambu.com: lan",
        "DevBind.bambu.com: free",
        "Devseclink.bambu.com: secure",
        f"DevVersion.bambu.com: {firmware}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class SsdpAnnouncer:
    """Sends a printer's NOTIFY to every target now and then every ``interval`` seconds."""

    def __init__(
        self,
        *,
        ip: str,
        targets: Sequence[tuple[str, int]],
        message: Callable[[], bytes],
        interval: float = ANNOUNCE_INTERVAL_S,
    ) -> None:
        self._ip = ip
        self._targets = list(targets)
        self._message = message
        self._interval = interval
        self.sent = 0

    async def run(self) -> None:
        """Announce until cancelled (a target that does not listen is not an error)."""
        if not self._targets:
            return
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.bind((self._ip, 0))
            while True:
                datagram = self._message()
                for target in self._targets:
                    with contextlib.suppress(OSError):
                        await loop.sock_sendto(sock, datagram, target)
                        self.sent += 1
                await asyncio.sleep(self._interval)
        finally:
            sock.close()


def parse_target(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (IPv4) as given to ``--ssdp-to``."""
    host, separator, port = text.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not HOST:PORT: {text!r}")
    socket.inet_aton(host)  # raises OSError for a host that is not an IPv4 address
    return host, int(port)
