"""Listen for Bambu Lab printers' SSDP announcements (UDP 2021 broadcast, 1990 multicast)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import socket
import struct

from .ssdp import DiscoveredPrinter, parse_ssdp_notify

_LOGGER = logging.getLogger(__name__)

BROADCAST_PORT = 2021  # where Bambu Studio listens
MULTICAST_PORT = 1990
SSDP_MULTICAST_GROUP = "239.255.255.250"

DiscoveryCallback = Callable[[DiscoveredPrinter], None]


class _SsdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, callback: DiscoveryCallback) -> None:
        self._callback = callback

    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        printer = parse_ssdp_notify(data)
        if printer is None:
            return
        try:
            self._callback(printer)
        except Exception:
            _LOGGER.exception("SSDP discovery callback failed")

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("SSDP socket error: %s", exc)


class DiscoveryListener:
    """Delivers every printer announcement received on ``host:port`` to ``callback``.

    Bind ``0.0.0.0`` on port 2021 (broadcast) or 1990 with ``multicast_group`` set to
    ``239.255.255.250`` to hear real printers; tests bind a loopback address. The port is
    shared (``SO_REUSEPORT``) with other listeners such as Bambu Studio.
    """

    def __init__(
        self,
        callback: DiscoveryCallback,
        *,
        host: str = "0.0.0.0",
        port: int = BROADCAST_PORT,
        multicast_group: str | None = None,
    ) -> None:
        self._callback = callback
        self._host = host
        self._port = port
        self._multicast_group = multicast_group
        self._transport: asyncio.DatagramTransport | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        """The bound (host, port), once started (useful with ``port=0``)."""
        if self._transport is None:
            return None
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    async def start(self) -> None:
        """Bind the socket and start listening."""
        if self._transport is not None:
            return
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if hasattr(socket, "SO_REUSEPORT"):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.setblocking(False)
            sock.bind((self._host, self._port))
            if self._multicast_group is not None:
                membership = struct.pack(
                    "4s4s",
                    socket.inet_aton(self._multicast_group),
                    socket.inet_aton("0.0.0.0"),
                )
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
            transport, _protocol = await loop.create_datagram_endpoint(
                lambda: _SsdpProtocol(self._callback), sock=sock
            )
        except BaseException:
            sock.close()
            raise
        self._transport = transport

    def stop(self) -> None:
        """Close the socket."""
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    async def __aenter__(self) -> DiscoveryListener:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.stop()
