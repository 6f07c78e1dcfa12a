"""Moonraker's own ``[zeroconf]`` announcement of a simulated Klipper printer, found by a
python-zeroconf browser on loopback (what Home Assistant's zeroconf discovery listens to)."""

from __future__ import annotations

import asyncio
from pathlib import Path
import socket

from zeroconf import IPVersion, ServiceListener, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from ottosim.klipper import SimulatedKlipperPrinter
from ottosim.world import World

HOST = "127.0.3.202"
SERVICE = "_moonraker._tcp.local."


class _Names(ServiceListener):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.names.add(name)

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.names.add(name)

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.names.discard(name)


async def _find(azc: AsyncZeroconf, listener: _Names, timeout: float) -> AsyncServiceInfo | None:
    """The announced service whose address is the simulated printer's."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for name in list(listener.names):
            info = AsyncServiceInfo(SERVICE, name)
            if await info.async_request(azc.zeroconf, 1000) and HOST in info.parsed_addresses():
                return info
        await asyncio.sleep(0.2)
    return None


async def test_moonraker_announces_the_printer(loopback_enabled: None, tmp_path: Path) -> None:
    world = World()
    world.add_printer("k1c-7", "K1C")
    printer = SimulatedKlipperPrinter(
        world, name="k1c-7", host=HOST, workdir=tmp_path, zeroconf=True, time_scale=50.0
    )
    await printer.start()
    azc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    listener = _Names()
    browser = AsyncServiceBrowser(azc.zeroconf, SERVICE, listener=listener)
    try:
        info = await _find(azc, listener, timeout=15.0)
    finally:
        await browser.async_cancel()
        await azc.async_close()
        await printer.stop()
    assert info is not None, f"no announcement with {HOST}; seen {listener.names}"
    assert info.port == 7125
    assert info.server == "k1c-7.local."
    assert info.name.endswith(f"@ k1c-7.{SERVICE}")
    assert socket.inet_aton(HOST) in info.addresses


async def test_no_announcement_unless_enabled(loopback_enabled: None, tmp_path: Path) -> None:
    world = World()
    world.add_printer("k1c-8", "K1C")
    printer = SimulatedKlipperPrinter(world, name="k1c-8", host=HOST, workdir=tmp_path)
    await printer.start()
    try:
        _, body = await printer.moonraker.get_json("/server/info")
    finally:
        await printer.stop()
    assert "zeroconf" not in body["result"]["components"]
