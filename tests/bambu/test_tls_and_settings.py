"""Certificate checks (CN = serial, pinned fingerprint) and connection settings."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.ottoengine.bambu import (
    CertificateMismatchError,
    ConnectionSettings,
    SerialMismatchError,
)
from custom_components.ottoengine.bambu.tls import (
    certificate_common_name,
    certificate_fingerprint,
    normalize_fingerprint,
    verify_certificate,
)


def make_certificate(common_name: str | None) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BBL Technologies Co., Ltd")]
    if common_name is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    name = x509.Name(attributes)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def test_common_name_and_fingerprint() -> None:
    der = make_certificate("01S00C371700385")
    assert certificate_common_name(der) == "01S00C371700385"
    fingerprint = verify_certificate(der, serial="01S00C371700385", pinned_fingerprint=None)
    assert fingerprint == certificate_fingerprint(der)
    assert len(fingerprint) == 64
    colon_form = ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    assert normalize_fingerprint(colon_form) == fingerprint
    assert verify_certificate(der, serial=None, pinned_fingerprint=colon_form) == fingerprint


def test_serial_mismatch() -> None:
    with pytest.raises(SerialMismatchError) as caught:
        verify_certificate(
            make_certificate("01S00C000000000"), serial="01S00C371700385", pinned_fingerprint=None
        )
    assert caught.value.actual == "01S00C000000000"
    with pytest.raises(SerialMismatchError):  # serials are case-sensitive
        verify_certificate(
            make_certificate("01s00c371700385"), serial="01S00C371700385", pinned_fingerprint=None
        )
    with pytest.raises(SerialMismatchError):
        verify_certificate(
            make_certificate(None), serial="01S00C371700385", pinned_fingerprint=None
        )
    with pytest.raises(SerialMismatchError):
        verify_certificate(None, serial="01S00C371700385", pinned_fingerprint=None)


def test_fingerprint_mismatch() -> None:
    der = make_certificate("01S00C371700385")
    with pytest.raises(CertificateMismatchError) as caught:
        verify_certificate(der, serial="01S00C371700385", pinned_fingerprint="ab" * 32)
    assert caught.value.expected == "ab" * 32
    assert caught.value.actual == certificate_fingerprint(der)


def test_backoff_doubles_up_to_the_cap() -> None:
    settings = ConnectionSettings(backoff_initial=1.0, backoff_max=30.0)
    assert [settings.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert ConnectionSettings().watch_interval == 1.0
    assert ConnectionSettings(resync_after=0.4, offline_after=1.0).watch_interval == 0.1
