"""Fixtures of the Bambu driver tests: real TLS Mosquitto and vsftpd on loopback addresses.

The servers come from the simulator (``ottosim.bambu``); this area uses 127.0.1.200+ so that it
never collides with other areas' simulated printers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import itertools
from pathlib import Path
import tempfile

import pytest

from custom_components.ottoengine.bambu import ConnectionSettings
from ottosim.bambu.broker import MosquittoBroker
from ottosim.bambu.certs import CertificateAuthority
from ottosim.bambu.ftps import VsftpdServer
from tests.bambu.fake_printer import FakePrinter

SERIAL = "01P00A123456789"
ACCESS_CODE = "12345678"
# Each broker or FTP server gets its own address, so a slow shutdown never blocks the next test.
_HOSTS = itertools.cycle(f"127.0.1.{n}" for n in range(200, 250))

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


_counter = itertools.count()


@pytest.fixture
async def broker(
    loopback_enabled: None, server_dir: Path, ca: CertificateAuthority
) -> AsyncIterator[MosquittoBroker]:
    workdir = server_dir / f"mqtt-{next(_counter)}"
    server = MosquittoBroker(
        host=next(_HOSTS), serial=SERIAL, access_code=ACCESS_CODE, workdir=workdir, ca=ca
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
    loopback_enabled: None, server_dir: Path, ca: CertificateAuthority
) -> AsyncIterator[VsftpdServer]:
    workdir = server_dir / f"ftp-{next(_counter)}"
    server = VsftpdServer(
        host=next(_HOSTS), serial=SERIAL, access_code=ACCESS_CODE, workdir=workdir, ca=ca
    )
    await server.start()
    yield server
    await server.stop()
    server.remove_files()
