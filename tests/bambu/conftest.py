"""Fixtures of the Bambu driver tests: real TLS Mosquitto and vsftpd on loopback addresses.

The servers come from the simulator (``ottosim.bambu``), on printer addresses (127.0.1.N)
leased like a simulated farm's (``ottosim.addresses``): parallel runs on this machine
(pytest-xdist workers, other checkouts, farms) never start a server on the same address.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import itertools
from pathlib import Path
import tempfile

import pytest

from custom_components.ottoengine.bambu import ConnectionSettings
from ottosim.addresses import PRINTER_NETWORK, AddressLease
from ottosim.bambu.broker import MQTT_TLS_PORT, MosquittoBroker
from ottosim.bambu.certs import CertificateAuthority
from ottosim.bambu.ftps import FTPS_PORT, VsftpdServer
from tests.bambu.fake_printer import FakePrinter

SERIAL = "01P00A123456789"
ACCESS_CODE = "12345678"
# Consecutive brokers and FTP servers take turns on this many addresses, so that a slow
# shutdown never blocks the next test.
HOST_POOL = 8

FAST = ConnectionSettings(
    connect_timeout=5.0,
    keepalive=10,
    backoff_initial=0.1,
    backoff_max=0.5,
    resync_after=30.0,
    offline_after=60.0,
    publish_timeout=5.0,
    misc_interval=0.5,
)


@pytest.fixture(scope="session")
def server_dir() -> Iterator[Path]:
    """World-traversable working directory: Mosquitto drops root and must read its files."""
    with tempfile.TemporaryDirectory(prefix="otto-bambu-", dir="/tmp") as name:
        path = Path(name)
        path.chmod(0o755)
        yield path


@pytest.fixture(scope="session")
def ca(server_dir: Path) -> CertificateAuthority:
    return CertificateAuthority.create(server_dir / "ca")


# Leased at import (sockets are still allowed then) and held until the test run ends.
_LEASE = AddressLease()
_HOSTS = itertools.cycle(_LEASE.take(PRINTER_NETWORK, [MQTT_TLS_PORT, FTPS_PORT], HOST_POOL))


@pytest.fixture
def printer_host() -> str:
    """A leased printer address, the next in turn."""
    return next(_HOSTS)


_counter = itertools.count()


@pytest.fixture
async def broker(
    loopback_enabled: None,
    server_dir: Path,
    ca: CertificateAuthority,
    printer_host: str,
) -> AsyncIterator[MosquittoBroker]:
    workdir = server_dir / f"mqtt-{next(_counter)}"
    server = MosquittoBroker(
        host=printer_host, serial=SERIAL, access_code=ACCESS_CODE, workdir=workdir, ca=ca
    )
    await server.start()
    yield server
    await server.stop()
    server.remove_files()


@pytest.fixture
async def printer(broker: MosquittoBroker) -> AsyncIterator[FakePrinter]:
    fake = FakePrinter(broker)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
async def ftps_server(
    loopback_enabled: None,
    server_dir: Path,
    ca: CertificateAuthority,
    printer_host: str,
) -> AsyncIterator[VsftpdServer]:
    workdir = server_dir / f"ftp-{next(_counter)}"
    server = VsftpdServer(
        host=printer_host, serial=SERIAL, access_code=ACCESS_CODE, workdir=workdir, ca=ca
    )
    await server.start()
    yield server
    await server.stop()
    server.remove_files()
