"""The driver against a real TLS Mosquitto (certificate CN = serial, password auth)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from custom_components.ottoengine.bambu import (
    BambuAuthError,
    BambuConnectionError,
    BambuError,
    BambuPrinterClient,
    CertificateMismatchError,
    PrinterStatus,
    PrintState,
    SerialMismatchError,
)
from ottosim.bambu.broker import MosquittoBroker
from ottosim.bambu.certs import CertificateAuthority
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


# A reconnect may spend whole attempts (connect timeout plus backoff) against a broker that is
# still starting: waits for one follow the client's own timing, with room for a busy machine.
RECONNECT_BUDGET = 3 * (FAST.connect_timeout + FAST.backoff_max)


# Any other wait (a report, a refused attempt, silence noticed) is shorter than a reconnect.
async def wait_until(predicate: Callable[[], bool], timeout: float = RECONNECT_BUDGET) -> None:
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
    after_close = client.status
    assert after_close.status is PrintState.OFFLINE


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


async def test_changed_certificate_raises_certificate_mismatch(
    broker: MosquittoBroker, printer: FakePrinter, server_dir: Path
) -> None:
    first = make_client(broker)
    fingerprint = await first.connect()
    await first.close()

    # Connecting again with the pinned fingerprint works...
    again = make_client(broker, pinned_fingerprint=fingerprint.upper())
    assert await again.connect() == fingerprint
    errors: list[BambuError] = []
    again.add_error_listener(errors.append)

    # ...until the printer presents another certificate (same serial, new key and issuer).
    printer.stop()
    await broker.stop()
    impostor = MosquittoBroker(
        host=broker.host,
        serial=SERIAL,
        access_code=ACCESS_CODE,
        workdir=server_dir / "impostor",
        ca=CertificateAuthority.create(server_dir / "impostor-ca"),
    )
    await impostor.start()
    try:
        # The running client refuses it on reconnect and stops retrying.
        try:
            await wait_until(
                lambda: any(isinstance(e, CertificateMismatchError) for e in errors),
                timeout=RECONNECT_BUDGET,  # refused on the client's next reconnect
            )
        except TimeoutError:
            pytest.fail(f"no CertificateMismatchError; errors: {errors!r}")
        assert not again.connected
        pinned = make_client(impostor, pinned_fingerprint=fingerprint)
        with pytest.raises(CertificateMismatchError) as caught:
            await pinned.connect()
        assert caught.value.expected == fingerprint
        assert caught.value.actual != fingerprint
        await pinned.close()
    finally:
        await again.close()
        await impostor.stop()
        impostor.remove_files()
        await broker.start()  # the fixture stops it again
        printer.start()


async def test_reconnects_after_broker_restart(
    broker: MosquittoBroker, printer: FakePrinter
) -> None:
    availability: list[bool] = []
    client = make_client(broker)
    client.add_status_listener(lambda s: availability.append(s.status is not PrintState.OFFLINE))
    await client.connect()
    await client.wait_ready(5)
    try:
        printer.stop()
        broker.kill()  # sudden death: no DISCONNECT reaches the client
        await wait_until(lambda: not client.connected)
        assert client.status.status is PrintState.OFFLINE
        await broker.start()
        printer.start()
        await wait_until(lambda: client.connected, timeout=RECONNECT_BUDGET)
        # The fake printer reconnects to the restarted broker on its own schedule; a report
        # sent before it is back is lost, so it reports again (as a real printer does each
        # second) until the client has it.
        async with asyncio.timeout(RECONNECT_BUDGET):
            while client.status.status is not PrintState.FINISH:
                printer.publish(
                    {"print": {"command": "push_status", "msg": 1, "gcode_state": "FINISH"}}
                )
                await asyncio.sleep(0.5)
        assert availability[-1] is True
        assert False in availability
    finally:
        await client.close()


async def test_silence_resyncs_then_goes_offline_and_reconnects(
    broker: MosquittoBroker, printer: FakePrinter
) -> None:
    settings = replace(FAST, resync_after=0.3, offline_after=0.8, reconnect_cooldown=0.5)
    client = make_client(broker, settings=settings)
    await client.connect()
    await client.wait_ready(5)
    assert client.available
    printer.answer_handshake = False  # the printer stops talking
    try:
        start = await printer.wait_for_request("start")
        assert start["pushing"]["command"] == "start"
        await wait_until(lambda: printer.commands().count("pushall") >= 2)
        # silence past offline_after, then a forced reconnect after the cooldown: client timing
        await wait_until(
            lambda: not client.available, timeout=settings.offline_after + RECONNECT_BUDGET
        )
        assert client.status.status is PrintState.OFFLINE
        # A forced reconnect (fresh client id) repeats the handshake.
        await wait_until(
            lambda: printer.commands().count("get_version") >= 2,
            timeout=settings.reconnect_cooldown + RECONNECT_BUDGET,
        )
        printer.publish({"print": {"command": "push_status", "msg": 1, "mc_percent": 5}})
        await wait_until(lambda: client.available, timeout=RECONNECT_BUDGET)
    finally:
        await client.close()


async def test_unreachable_printer_raises_connection_error(loopback_enabled: None) -> None:
    client = BambuPrinterClient("127.0.1.253", SERIAL, ACCESS_CODE, settings=FAST)
    with pytest.raises(BambuConnectionError):
        await client.connect()
    await client.close()


async def test_start_keeps_retrying_until_the_printer_appears(
    broker: MosquittoBroker, printer: FakePrinter
) -> None:
    printer.stop()
    await broker.stop()
    client = make_client(broker)
    errors: list[BambuError] = []
    client.add_error_listener(errors.append)
    client.start()
    try:
        await wait_until(lambda: len(errors) >= 2)  # refused, retried with backoff
        assert all(isinstance(e, BambuConnectionError) for e in errors)
        await broker.start()
        printer.start()
        await wait_until(lambda: client.connected, timeout=RECONNECT_BUDGET)
        printer.publish({"print": {"command": "push_status", "msg": 1, "gcode_state": "IDLE"}})
        await wait_until(lambda: client.status.status is PrintState.IDLE)
    finally:
        await client.close()
