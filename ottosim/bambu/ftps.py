"""A real vsftpd FTPS server shaped like the one inside a Bambu Lab printer.

``VsftpdServer`` runs ``/usr/sbin/vsftpd`` in the foreground for one printer:

* implicit TLS on ``host:990`` (TLS 1.2 only, like X1 firmware), certificate CN = serial from the
  simulated "BBL CA";
* ``require_ssl_reuse=YES``: a PROT P data connection that does not resume the control
  connection's TLS session gets ``522 SSL connection failed: session reuse required``, exactly
  like the printers; ``PROT C`` (clear data, the A1 fallback) is allowed;
* passive mode on the same address (ports ``PASV_PORTS``);
* one virtual user ``bblp`` whose password is the access code, checked by PAM through a
  per-instance Berkeley DB (``db_load``) and a per-instance service ``/etc/pam.d/ottosim-<serial in lower case>-<instance id>``
  using ``pam_userdb.so``; the virtual user is mapped (``guest_username``) to the system user
  ``FTP_SYSTEM_USER``, which owns the upload directory ``root`` (the printer's "SD card", under
  ``SD_CARD_BASE``: the guest user must be able to reach it).

Faults: ``limit_file_size(n)`` makes every later upload fail after ``n`` bytes (RLIMIT_FSIZE on
the server, inherited by its session processes), ``kill_sessions()`` cuts every open session
(transfers in flight break), ``kill()`` takes the whole server down.

Typical use::

    ftps = VsftpdServer(host="127.0.1.7", serial="01P00A000000007", access_code="12345678",
                        workdir=tmp_path / "ftp", ca=ca)
    await ftps.start()          # returns once 990 accepts connections (needs root)
    (ftps.root / "job.gcode.3mf").exists()
    await ftps.stop()           # also removes the PAM service file
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
import pwd
import resource
import secrets
import shutil
import signal
import subprocess

from ottosim.bambu.broker import LAN_USER
from ottosim.bambu.certs import CertificateAuthority
from ottosim.process import ManagedProcess

VSFTPD = "/usr/sbin/vsftpd"
DB_LOAD = "/usr/bin/db_load"
USERADD = "/usr/sbin/useradd"
USERMOD = "/usr/sbin/usermod"
PAM_DIR = Path("/etc/pam.d")
FTPS_PORT = 990
PASV_PORTS = (50000, 50999)
FTP_SYSTEM_USER = "ottosim-ftp"
SD_CARD_DIRS = ("cache", "timelapse", "image", "logger", "model")
# vsftpd enters the upload directory as the unprivileged guest user, so every directory above it
# must be traversable by that user: the "SD cards" live here, not in (private) temp directories.
SD_CARD_BASE = Path("/var/lib/ottosim/sdcards")


def ftp_system_user() -> pwd.struct_passwd:
    """The local system user every simulated printer's ``bblp`` maps to (created if missing).

    Its home is ``SD_CARD_BASE``: vsftpd enters the guest user's home before ``local_root``.
    """
    SD_CARD_BASE.mkdir(parents=True, exist_ok=True)
    for directory in (SD_CARD_BASE.parent, SD_CARD_BASE):
        directory.chmod(0o755)
    try:
        user = pwd.getpwnam(FTP_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                USERADD,
                "--system",
                "--no-create-home",
                "--home-dir",
                str(SD_CARD_BASE),
                "--shell",
                "/usr/sbin/nologin",
                FTP_SYSTEM_USER,
            ],
            check=False,
            capture_output=True,
        )
        return pwd.getpwnam(FTP_SYSTEM_USER)  # raises if it could not be created
    if user.pw_dir != str(SD_CARD_BASE):
        subprocess.run([USERMOD, "--home", str(SD_CARD_BASE), FTP_SYSTEM_USER], check=True)
        user = pwd.getpwnam(FTP_SYSTEM_USER)
    return user


class VsftpdServer:
    """One printer's FTPS server (see the module docstring)."""

    def __init__(
        self,
        *,
        host: str,
        serial: str,
        access_code: str,
        workdir: Path,
        ca: CertificateAuthority | None = None,
        port: int = FTPS_PORT,
    ) -> None:
        self.host = host
        self.port = port
        self.serial = serial
        self.access_code = access_code
        self.workdir = workdir
        self._ca = ca
        instance = secrets.token_hex(4)  # two farms may simulate printers with the same serial
        self.root = SD_CARD_BASE / f"{serial}-{instance}"
        """The directory FTP clients see as ``/`` (the printer's SD card)."""
        # Linux-PAM lower-cases service names before looking them up in /etc/pam.d.
        self.pam_service = f"ottosim-{serial.lower()}-{instance}"
        self._process = ManagedProcess(
            f"vsftpd[{serial}@{host}]",
            [VSFTPD, str(workdir / "vsftpd.conf")],
            workdir / "vsftpd.out",
        )
        self._prepared = False
        self._file_size_limit: int | None = None

    @property
    def ca(self) -> CertificateAuthority:
        if self._ca is None:
            self._ca = CertificateAuthority.load_or_create(self.workdir / "ca")
        return self._ca

    @property
    def pam_file(self) -> Path:
        return PAM_DIR / self.pam_service

    @property
    def running(self) -> bool:
        return self._process.running

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def file_size_limit(self) -> int | None:
        return self._file_size_limit

    def _prepare(self) -> None:
        owner = ftp_system_user()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.root.mkdir()
        for name in SD_CARD_DIRS:
            (self.root / name).mkdir(exist_ok=True)
        for path in (self.root, *(self.root / name for name in SD_CARD_DIRS)):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        empty = self.workdir / "empty"
        empty.mkdir(exist_ok=True)
        empty.chmod(0o555)
        cert, key = self.ca.server_certificate(self.serial)

        users = self.workdir / "users.txt"
        users.write_text(f"{LAN_USER}\n{self.access_code}\n")
        users.chmod(0o600)
        database = self.workdir / "users"
        Path(f"{database}.db").unlink(missing_ok=True)
        subprocess.run(
            [DB_LOAD, "-T", "-t", "hash", "-f", str(users), f"{database}.db"],
            check=True,
            capture_output=True,
        )
        users.unlink()
        self.pam_file.write_text(
            f"# ottosim: FTPS users of the simulated printer {self.serial}\n"
            f"auth required pam_userdb.so db={database} crypt=none\n"
            f"account required pam_userdb.so db={database}\n"
        )

        settings = {
            "listen": "YES",
            "listen_ipv6": "NO",
            "listen_address": self.host,
            "listen_port": str(self.port),
            "background": "NO",
            "ssl_enable": "YES",
            "implicit_ssl": "YES",
            "rsa_cert_file": str(cert),
            "rsa_private_key_file": str(key),
            "ssl_sslv2": "NO",
            "ssl_sslv3": "NO",
            "ssl_tlsv1": "NO",
            "ssl_tlsv11": "NO",
            "ssl_tlsv12": "YES",
            "ssl_tlsv13": "NO",
            "ssl_ciphers": "HIGH",
            "require_ssl_reuse": "YES",
            "strict_ssl_read_eof": "NO",
            "force_local_logins_ssl": "YES",
            "force_local_data_ssl": "NO",
            "allow_anon_ssl": "NO",
            "anonymous_enable": "NO",
            "local_enable": "YES",
            "write_enable": "YES",
            "local_umask": "022",
            "guest_enable": "YES",
            "guest_username": owner.pw_name,
            "virtual_use_local_privs": "YES",
            "pam_service_name": self.pam_service,
            "local_root": str(self.root),
            "chroot_local_user": "YES",
            "allow_writeable_chroot": "YES",
            "secure_chroot_dir": str(empty),
            "pasv_enable": "YES",
            "pasv_address": self.host,
            "pasv_min_port": str(PASV_PORTS[0]),
            "pasv_max_port": str(PASV_PORTS[1]),
            "connect_from_port_20": "NO",
            "seccomp_sandbox": "NO",
            "isolate": "NO",
            "isolate_network": "NO",
            "hide_ids": "YES",
            "xferlog_enable": "YES",
            "vsftpd_log_file": str(self.workdir / "vsftpd.log"),
            "idle_session_timeout": "300",
            "data_connection_timeout": "120",
        }
        config = self.workdir / "vsftpd.conf"
        config.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
        config.chmod(0o600)
        self._prepared = True

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start vsftpd (writing its configuration, user database and PAM service first)."""
        if self.running:
            return
        if not self._prepared:
            self._prepare()
        await self._process.start_listening(self.host, self.port)
        if self._file_size_limit is not None:
            self.limit_file_size(self._file_size_limit)

    def kill(self) -> None:
        """Sudden death of the server and of every session."""
        self._process.kill()

    async def stop(self) -> None:
        """Stop the server and every session; remove the PAM service file."""
        await self._process.stop()
        self.pam_file.unlink(missing_ok=True)

    def remove_files(self) -> None:
        """Delete the working directory and the uploads (after ``stop``)."""
        shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- faults --------------------------------------------------------------------------------
    def _session_pids(self) -> list[int]:
        """vsftpd's session processes (its process group, minus the listener itself)."""
        if self.pid is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.pid:
                continue
            with contextlib.suppress(OSError, ProcessLookupError):
                if os.getpgid(int(entry.name)) == self.pid:
                    pids.append(int(entry.name))
        return pids

    def limit_file_size(self, max_bytes: int | None) -> None:
        """Uploads of more than ``max_bytes`` fail midway (``None``: no limit).

        Applies to sessions opened from now on (the limit is inherited from the listener).
        """
        self._file_size_limit = max_bytes
        if self.pid is None:
            return
        # Only the soft limit changes: raising a hard limit again would need CAP_SYS_RESOURCE.
        _soft, hard = resource.prlimit(self.pid, resource.RLIMIT_FSIZE)
        soft = hard if max_bytes is None else max_bytes
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (soft, hard))

    def kill_sessions(self) -> int:
        """Kill every open FTP session (uploads in flight break); returns how many."""
        pids = self._session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)
