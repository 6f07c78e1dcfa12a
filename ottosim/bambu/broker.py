"""A real Mosquitto broker shaped like the one inside a Bambu Lab printer.

``MosquittoBroker`` runs ``/usr/sbin/mosquitto`` for one printer:

* TCP ``host:8883`` with TLS (1.2 or newer), certificate CN = serial issued by the
  simulated "BBL CA" (see ``certs.py``), password auth for user ``bblp`` with the access code,
  ``allow_anonymous false``;
* a Unix-socket listener (``internal_socket``) for the simulator's own printer "brain", which
  logs in as ``INTERNAL_USER`` with a random password: the brain is not a LAN client, so it
  neither needs TLS nor knows the access code.

Typical use (also from other tests that need a printer-like broker)::

    ca = CertificateAuthority.load_or_create(tmp_path / "ca")
    broker = MosquittoBroker(host="127.0.1.7", serial="01P00A000000007",
                             access_code="12345678", workdir=tmp_path / "mqtt", ca=ca)
    await broker.start()        # returns once 8883 accepts connections
    ...                         # connect with ca.cert_file as cafile, hostname check off
    broker.kill()               # sudden death (clients see the connection drop)
    await broker.start()        # comes back with the same certificate and passwords
    await broker.stop()
"""

from __future__ import annotations

import contextlib
from pathlib import Path
import secrets
import shutil
import subprocess

from ottosim.bambu.certs import CertificateAuthority
from ottosim.process import ManagedProcess

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
MQTT_TLS_PORT = 8883
LAN_USER = "bblp"
INTERNAL_USER = "ottosim-brain"


class MosquittoBroker:
    """One printer's MQTT broker (see the module docstring)."""

    def __init__(
        self,
        *,
        host: str,
        serial: str,
        access_code: str,
        workdir: Path,
        ca: CertificateAuthority | None = None,
        port: int = MQTT_TLS_PORT,
    ) -> None:
        self.host = host
        self.port = port
        self.serial = serial
        self.access_code = access_code
        self.workdir = workdir
        self.internal_password = secrets.token_hex(16)
        self._ca = ca
        self._process = ManagedProcess(
            f"mosquitto[{serial}@{host}]",
            [MOSQUITTO, "-c", str(workdir / "mosquitto.conf")],
            workdir / "mosquitto.log",
        )
        self._prepared = False

    # -- files ---------------------------------------------------------------------------------
    @property
    def ca(self) -> CertificateAuthority:
        if self._ca is None:
            self._ca = CertificateAuthority.load_or_create(self.workdir / "ca")
        return self._ca

    @property
    def cafile(self) -> Path:
        """The CA certificate clients pass as ``cafile`` (hostname checking must be off)."""
        return self.ca.cert_file

    @property
    def internal_socket(self) -> Path:
        """Unix socket of the listener reserved for the simulator's printer brain."""
        return self.workdir / "brain.sock"

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.running

    def _prepare(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cert, key = self.ca.server_certificate(self.serial)
        passwords = self.workdir / "passwd"
        passwords.write_text("")
        for user, password in (
            (LAN_USER, self.access_code),
            (INTERNAL_USER, self.internal_password),
        ):
            subprocess.run(
                [MOSQUITTO_PASSWD, "-b", str(passwords), user, password],
                check=True,
                capture_output=True,
            )
        lines = [
            "allow_anonymous false",
            f"password_file {passwords}",
            "persistence false",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_timestamp_format %Y-%m-%dT%H:%M:%S",
            # Started as root, Mosquitto would drop to user "mosquitto", which cannot read files
            # in private temporary directories (pytest's tmp_path). The firmware runs as root.
            "user root",
            f"listener {self.port} {self.host}",
            "protocol mqtt",
            f"cafile {self.cafile}",
            f"certfile {cert}",
            f"keyfile {key}",
            "tls_version tlsv1.2",
            "require_certificate false",
            f"listener 0 {self.internal_socket}",
            "protocol mqtt",
        ]
        (self.workdir / "mosquitto.conf").write_text("\n".join(lines) + "\n")
        self._prepared = True

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start Mosquitto (generating certificate and password file the first time)."""
        if self.running:
            return
        if not self._prepared:
            self._prepare()
        with contextlib.suppress(FileNotFoundError):
            self.internal_socket.unlink()
        await self._process.start_listening(self.host, self.port)

    def kill(self) -> None:
        """Sudden death: SIGKILL, every client connection drops without a DISCONNECT."""
        self._process.kill()

    async def stop(self) -> None:
        """Stop Mosquitto (SIGTERM, then SIGKILL after a grace period)."""
        await self._process.stop()

    async def restart(self) -> None:
        self.kill()
        await self.start()

    def log_tail(self) -> str:
        """The last lines Mosquitto logged (for error messages)."""
        return self._process.log_tail()

    def remove_files(self) -> None:
        """Delete the working directory (after ``stop``)."""
        shutil.rmtree(self.workdir, ignore_errors=True)
