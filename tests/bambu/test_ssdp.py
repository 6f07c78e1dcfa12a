"""SSDP NOTIFY parsing and the UDP discovery listener."""

from __future__ import annotations

import asyncio
import socket

import pytest

from custom_components.ottoengine.bambu import (
    DiscoveredPrinter,
    DiscoveryListener,
    parse_ssdp_notify,
)

NOTIFY = (
    b"NOTIFY * HTTP/1.1\r\n"
    b"HOST: 239.255.255.250:1900\r\n"
    b"Server: UPnP/1.0\r\n"
    b"Location: 192.168.1.100\r\n"
    b"NT: urn:bambulab-com:device:3dprinter:1\r\n"
    b"NTS: ssdp:alive\r\n"
    b"USN: 01P00A000000001\r\n"
    b"Cache-Control: max-age=1800\r\n"
    b"DevModel.bambu.com: C12\r\n"
    b"DevName.bambu.com: 3DP-01P-001\r\n"
    b"DevSignal.bambu.com: -51\r\n"
    b"DevConnect.bambu.com: lan\r\n"
    b"DevBind.bambu.com: free\r\n"
    b"Devseclink.bambu.com: secure\r\n"
    b"DevVersion.bambu.com: 01.08.02.00\r\n"
    b"\r\n"
)


def test_parse_bambu_notify() -> None:
    assert parse_ssdp_notify(NOTIFY) == DiscoveredPrinter(
        serial="01P00A000000001",
        ip_address="192.168.1.100",
        model_code="C12",
        model="P1S",
        name="3DP-01P-001",
        signal_dbm=-51,
        connect_mode="lan",
        bind_state="free",
        firmware_version="01.08.02.00",
        secure_link=True,
    )


@pytest.mark.parametrize(
    ("code", "model"),
    [("BL-P001", "X1C"), ("3DPrinter-X1-Carbon", "X1C"), ("C11", "P1P"), ("N1", "A1 mini"),
     ("N2S", "A1"), ("C13", "X1E"), ("O1D", "H2D"), ("N7", "P2S")],
)  # fmt: skip
def test_model_codes(code: str, model: str) -> None:
    printer = parse_ssdp_notify(NOTIFY.replace(b"C12", code.encode()))
    assert printer is not None
    assert printer.model == model


def test_minimal_notify_guesses_model_from_serial_and_accepts_url_location() -> None:
    data = (
        b"NOTIFY * HTTP/1.1\nnt: urn:bambulab-com:device:3dprinter:1\n"
        b"location: http://10.0.0.7:80/desc\nusn: uuid:00M09A350100123\n\n"
    )
    printer = parse_ssdp_notify(data)
    assert printer is not None
    assert (printer.serial, printer.ip_address, printer.model) == (
        "00M09A350100123",
        "10.0.0.7",
        "X1C",
    )
    assert printer.name is None
    assert printer.secure_link is None


@pytest.mark.parametrize(
    "data",
    [
        NOTIFY.replace(b"urn:bambulab-com:device:3dprinter:1", b"urn:schemas-upnp-org:device:1"),
        NOTIFY.replace(b"ssdp:alive", b"ssdp:byebye"),
        NOTIFY.replace(b"Location: 192.168.1.100", b"Location: not-an-ip"),
        NOTIFY.replace(b"USN: 01P00A000000001", b"USN: "),
        NOTIFY.replace(b"NOTIFY * HTTP/1.1", b"M-SEARCH * HTTP/1.1"),
        b"\xff\xfe garbage",
        b"",
    ],
)
def test_non_printer_datagrams_are_ignored(data: bytes) -> None:
    assert parse_ssdp_notify(data) is None


async def test_listener_delivers_printers(loopback_enabled: None) -> None:
    found: asyncio.Queue[DiscoveredPrinter] = asyncio.Queue()
    async with DiscoveryListener(found.put_nowait, host="127.0.1.230", port=0) as listener:
        address = listener.address
        assert address is not None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"not ssdp", address)
            sender.sendto(NOTIFY, address)
        printer = await asyncio.wait_for(found.get(), 5)
    assert printer.serial == "01P00A000000001"
    assert found.empty()
    assert listener.address is None
