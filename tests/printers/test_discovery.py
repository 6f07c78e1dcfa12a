"""The SSDP discovery store of the hub (HA-free parts)."""

from __future__ import annotations

import logging

import pytest

from custom_components.ottoengine.bambu import DiscoveredPrinter
from custom_components.ottoengine.printers.discovery import PrinterDiscovery


def _printer(serial: str, name: str | None) -> DiscoveredPrinter:
    return DiscoveredPrinter(
        serial=serial,
        ip_address="192.168.1.20",
        model_code="C12",
        model="P1S",
        name=name,
        signal_dbm=-50,
        connect_mode="lan",
        bind_state="free",
        firmware_version="01.08.02.00",
        secure_link=True,
    )


async def test_listens_where_it_can_and_forgets_old_announcements(
    socket_enabled: None, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    discovery = PrinterDiscovery(
        (("127.0.0.1", 0, None), ("192.0.2.1", 0, None)), max_age=60, clock=lambda: now[0]
    )
    caplog.set_level(logging.INFO)
    await discovery.async_start()
    await discovery.async_start()  # already listening
    try:
        # An address that is not local cannot be bound: logged, manual entry still works.
        assert len(discovery.addresses) == 1
        assert "cannot listen on 192.0.2.1" in caplog.text
        discovery._found_printer(_printer("01P00A000000002", "b"))
        discovery._found_printer(_printer("01P00A000000001", None))
        discovery._found_printer(_printer("01P00A000000003", "A"))
        assert [p.serial for p in discovery.unconfigured({"01P00A000000002"})] == [
            "01P00A000000001",
            "01P00A000000003",
        ]
        now[0] += 61
        discovery._found_printer(_printer("01P00A000000003", "A"))
        assert [p.serial for p in discovery.unconfigured(set())] == ["01P00A000000003"]
        assert discovery.get("01P00A000000001") is None
    finally:
        discovery.stop()
    assert discovery.addresses == []
    assert not discovery.started
