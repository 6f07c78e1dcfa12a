"""The driver against a real TLS Mosquitto (certificate CN = serial, password auth)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from custom_components.ottoengine.bambu import (
    BambuAuthError,
    BambuPrinterClient,
    PrinterStatus,
    PrintState,
    SerialMismatchError,
)
from ottosim.bambu.broker import MosquittoBroker
from tests.bambu.conftest import ACCESS_CODE, FAST, SERIAL
from tests.bambu.fake_printer import FakePrinter


def make_client(broker: MosquittoBroker, **kwargs: object) -> BambuPrinterClient:
    options: dict[str, object] = {"settings": FAST, **kwargs}
    return BambuPrinterClient(
        broker.host,
        str(options.pop("serial", SERIAL)),
        str(options.pop("access_code", ACCESS_CODE)),
        **options,  # type: ignore[arg-type]
    )


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_connect_merges_pushall_and_reports_fingerprint(
    broker: MosquittoBroker, printer: FakePrinter
) -> None:
    seen: list[PrinterStatus] = []
    client = make_client(broker)
    client.add_status_listener(seen.append)
    try:
        fingerprint = await client.connect()
        await client.wait_ready(5)
        assert len(fingerprint) == 64
        assert client.certificate_fingerprint == fingerprint
        assert client.firmware_version == "01.08.02.00"
        assert client.product_name == "Bambu Lab P1S"
        assert client.status.status is PrintState.IDLE
        printer.publish({"print": {"command": "push_status", "msg": 1, "mc_percent": 12}})
        printer.publish({"print": {"command": "push_status", "msg": 1, "gcode_state": "RUNNING"}})
        await wait_until(lambda: client.status.status is PrintState.RUNNING)
        status = client.status
        assert status.progress_percent == 12
        assert status.filament is not None
        assert status.filament.source == "ams_1_tray_1"
        assert seen
        assert seen[-1].status is PrintState.RUNNING
        assert printer.commands()[:2] == ["get_version", "pushall"]
    finally:
        await client.close()
    assert not client.connected
    assert client.status.status is PrintState.OFFLINE


async def test_wrong_access_code_raises_auth_error(broker: MosquittoBroker) -> None:
    client = make_client(broker, access_code="87654321")
    with pytest.raises(BambuAuthError):
        await client.connect()
    await client.close()


async def test_wrong_serial_raises_serial_mismatch(broker: MosquittoBroker) -> None:
    client = make_client(broker, serial="01P00A999999999")
    with pytest.raises(SerialMismatchError) as caught:
        await client.connect()
    assert caught.value.actual == SERIAL
    await client.close()
