"""TLS trust for Bambu Lab printers: serial-in-certificate check and fingerprint pinning.

Printers serve self-signed (private Bambu CA) certificates whose subject CN is the serial, on an
IP address, so neither the CA nor the hostname can be checked the usual way. Instead the
connection is accepted unverified (``CERT_NONE``) and then, before any credential is sent, the
peer certificate must name the configured serial and, once pinned (trust on first use), have
the pinned SHA-256 fingerprint.
"""

from __future__ import annotations

import hashlib
import ssl

from cryptography import x509
from cryptography.x509.oid import NameOID

from .errors import CertificateMismatchError, SerialMismatchError


def client_context(*, max_tls_1_2: bool = False) -> ssl.SSLContext:
    """A client context that accepts the printer's certificate for manual verification."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if max_tls_1_2:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


def normalize_fingerprint(fingerprint: str) -> str:
    """Lower-case hex without separators (accepts ``AB:CD:...`` forms)."""
    return fingerprint.replace(":", "").replace(" ", "").strip().lower()


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of the DER certificate, lower-case hex."""
    return hashlib.sha256(der).hexdigest()


def certificate_common_name(der: bytes) -> str | None:
    """The subject CN of a DER certificate (``None`` when it has none)."""
    certificate = x509.load_der_x509_certificate(der)
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        return None
    value = names[0].value
    return value if isinstance(value, str) else value.decode()


def verify_certificate(
    der: bytes | None, *, serial: str | None, pinned_fingerprint: str | None
) -> str:
    """Check a peer certificate and return its fingerprint.

    Raises :class:`SerialMismatchError` when the CN is not ``serial`` (skipped when ``serial`` is
    ``None``) and :class:`CertificateMismatchError` when ``pinned_fingerprint`` is set and
    differs.
    """
    if not der:
        raise SerialMismatchError(serial or "", None)
    fingerprint = certificate_fingerprint(der)
    if serial is not None:
        common_name = certificate_common_name(der)
        if common_name != serial:
            raise SerialMismatchError(serial, common_name)
    if pinned_fingerprint is not None:
        expected = normalize_fingerprint(pinned_fingerprint)
        if fingerprint != expected:
            raise CertificateMismatchError(expected, fingerprint)
    return fingerprint


def verify_peer(sock: ssl.SSLSocket, *, serial: str | None, pinned_fingerprint: str | None) -> str:
    """:func:`verify_certificate` applied to a connected TLS socket."""
    return verify_certificate(
        sock.getpeercert(binary_form=True), serial=serial, pinned_fingerprint=pinned_fingerprint
    )
