"""Implicit-TLS FTP client for Bambu Lab printers (port 990, TLS session reuse).

Python's :class:`ftplib.FTP_TLS` speaks explicit TLS (``AUTH TLS``) and opens data channels
with fresh TLS sessions; printers need implicit TLS and reject data channels that do not resume
the control channel's session (``522 session reuse required``). This subclass wraps the control
socket right after connecting and resumes its session on every data socket.
"""

from __future__ import annotations

import ftplib
import socket
import ssl
from typing import Any

from .tls import client_context, verify_peer

FTPS_PORT = 990


class ImplicitFtpTls(ftplib.FTP_TLS):
    """``FTP_TLS`` with implicit TLS and data-channel session reuse.

    ``serial`` / ``pinned_fingerprint`` are checked against the printer's certificate right
    after the TLS handshake, before the access code is sent (see :mod:`.tls`).
    """

    def __init__(
        self,
        *,
        serial: str | None,
        pinned_fingerprint: str | None,
        context: ssl.SSLContext | None = None,
        timeout: float = 20.0,
    ) -> None:
        super().__init__(context=context or client_context(max_tls_1_2=True), timeout=timeout)
        self.serial = serial
        self.pinned_fingerprint = pinned_fingerprint
        self.certificate_fingerprint: str | None = None
        self._data_tls = False

    def prot_p(self) -> str:
        """Protect the data channel (``PBSZ 0`` + ``PROT P``)."""
        response = super().prot_p()
        self._data_tls = True
        return response

    def prot_c(self) -> str:
        """Clear data channel (the A1 fallback), control channel still encrypted."""
        self.voidcmd("PBSZ 0")
        response = super().prot_c()
        self._data_tls = False
        return response

    def connect(
        self,
        host: str = "",
        port: int = 0,
        timeout: float = -999,
        source_address: tuple[str, int] | None = None,
    ) -> str:
        """Open the TCP connection, wrap it in TLS at once, verify the peer, read the banner."""
        if host:
            self.host = host
        if port > 0:
            self.port = port
        if timeout != -999:
            self.timeout = timeout
        if source_address is not None:
            self.source_address = source_address
        raw = socket.create_connection(
            (self.host, self.port), self.timeout, source_address=self.source_address
        )
        try:
            tls = self.context.wrap_socket(raw, server_hostname=None)
        except BaseException:
            raw.close()
            raise
        try:
            self.certificate_fingerprint = verify_peer(
                tls, serial=self.serial, pinned_fingerprint=self.pinned_fingerprint
            )
        except BaseException:
            tls.close()
            raise
        self.sock = tls
        self.af = tls.family
        self.file = tls.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def ntransfercmd(
        self, cmd: str, rest: int | str | None = None
    ) -> tuple[socket.socket, int | None]:
        """Open the data connection; with ``PROT P`` resume the control channel's TLS session."""
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321 (TLS below)
        if self._data_tls:
            control: Any = self.sock
            try:
                conn = self.context.wrap_socket(conn, server_hostname=None, session=control.session)
            except BaseException:
                conn.close()
                raise
        return conn, size
