"""Simulated printers announce themselves over SSDP the way the firmware does."""

from __future__ import annotations

import asyncio
import socket

import pytest

from custom_components.ottoengine.bambu import parse_ssdp_notify
from ottosim.bambu.ssdp import SsdpAnnouncer, notify_message, parse_target

from ..farm_fixtures import run_farm


def test_the_driver_reads_the_simulated_announcement() -> None:
    found = parse_ssdp_notify(
        notify_message(
            ip="127.0.1.7",
            serial="01P00A000000007",
            model_code="C12",
            name="p1s-7",
            firmware="01.07.00.00",
        )
    )
    assert found is not None
    assert found.serial == "01P00A000000007"
    assert found.ip_address == "127.0.1.7"
    assert found.model == "P1S"
    assert found.name == "p1s-7"
    assert found.firmware_version == "01.07.00.00"
    assert found.connect_mode == "lan"
    assert found.secure_link is True


@pytest.mark.parametrize("text", ["127.0.0.1", ":2021", "127.0.0.1:0", "host:2021", "1.2.3.4:x"])
def test_targets_must_be_ipv4_host_and_port(text: str) -> None:
    with pytest.raises((ValueError, OSError)):
        parse_target(text)
    assert parse_target("127.0.0.1:2021") == ("127.0.0.1", 2021)


async def test_announcer_repeats_from_the_printers_address(loopback_enabled: None) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.setblocking(False)
        announcer = SsdpAnnouncer(
            ip="127.0.1.9",
            targets=[listener.getsockname(), ("127.0.0.1", 9)],  # nobody listens on the second
            message=lambda: b"NOTIFY * HTTP/1.1\r\n\r\n",
            interval=0.05,
        )
        task = asyncio.create_task(announcer.run())
        loop = asyncio.get_running_loop()
        try:
            senders = set()
            for _ in range(3):
                data, sender = await asyncio.wait_for(loop.sock_recvfrom(listener, 2048), 5)
                assert data == b"NOTIFY * HTTP/1.1\r\n\r\n"
                senders.add(sender[0])
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert senders == {"127.0.1.9"}


def test_farm_printers_announce_to_the_given_listener(loopback_enabled: None) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(15)
        host, port = listener.getsockname()
        with run_farm(printers=2, ssdp_to=[f"{host}:{port}"]) as farm:
            expected = {p["serial_number"]: p for p in farm.printers}
            seen = {}
            while set(seen) != set(expected):
                data, sender = listener.recvfrom(2048)
                found = parse_ssdp_notify(data)
                assert found is not None
                assert sender[0] == found.ip_address
                seen[found.serial] = found
    for serial, printer in expected.items():
        assert seen[serial].ip_address == printer["ip"]
        assert seen[serial].model == printer["model"]
        assert seen[serial].name == printer["name"]
