"""The farm CA and the printer certificates carry key identifiers, so a client that trusts the
farm CA beside Bambu's own "BBL CA" (same subject name) finds the right issuer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ottosim.bambu.certs import CertificateAuthority


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _ski(cert: x509.Certificate) -> bytes:
    return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def _aki(cert: x509.Certificate) -> bytes | None:
    return cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier


def test_printer_certificate_names_its_issuer_by_key_identifier(tmp_path: Path) -> None:
    ca = CertificateAuthority.create(tmp_path / "ca")
    cert_file, _key = ca.server_certificate("01P00A000000001")
    ca_cert, printer_cert = _load(ca.cert_file), _load(cert_file)

    assert _aki(ca_cert) == _ski(ca_cert)  # self-signed: points at itself
    assert _aki(printer_cert) == _ski(ca_cert)
    assert _ski(printer_cert) != _ski(ca_cert)
    assert printer_cert.issuer == ca_cert.subject


def test_a_second_ca_with_the_same_name_is_told_apart(tmp_path: Path) -> None:
    ours = CertificateAuthority.create(tmp_path / "ours")
    other = CertificateAuthority.create(tmp_path / "other")  # the real "BBL CA" stand-in
    cert_file, key_file = ours.server_certificate("01P00A000000001")
    assert _load(other.cert_file).subject == _load(ours.cert_file).subject
    assert _aki(_load(cert_file)) == _ski(_load(ours.cert_file))
    assert _aki(_load(cert_file)) != _ski(_load(other.cert_file))

    # A TLS client trusting both (the other one first) verifies the printer's certificate.
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(other.cert_file))
    client.load_verify_locations(cafile=str(ours.cert_file))
    client.check_hostname = False
    client.verify_flags &= ~ssl.VERIFY_X509_STRICT
    _handshake(client, server)


def _handshake(client_context: ssl.SSLContext, server_context: ssl.SSLContext) -> None:
    """A TLS handshake in memory; raises ``ssl.SSLCertVerificationError`` if it fails."""
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_context.wrap_bio(c_in, c_out)
    server = server_context.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for name, side in (("client", client), ("server", server)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            return
    raise AssertionError("handshake did not finish")


def test_an_old_identity_folder_is_upgraded_and_keeps_its_ca_key(tmp_path: Path) -> None:
    ca = CertificateAuthority.create(tmp_path / "ca")
    key_before = ca.key_file.read_bytes()
    # An identity folder written before the extensions existed: a CA without AKI, a printer
    # certificate without either (issued by hand here with the CA's key).
    ca_key = serialization.load_pem_private_key(key_before, password=None)
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    ca_cert = _load(ca.cert_file)
    now = dt.datetime.now(dt.UTC)
    bare_ca = (
        x509.CertificateBuilder()
        .subject_name(ca_cert.subject)
        .issuer_name(ca_cert.subject)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca.cert_file.write_bytes(bare_ca.public_bytes(serialization.Encoding.PEM))
    issued = ca.cert_file.parent / "issued"
    issued.mkdir()
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bare_leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "SERIAL")]))
        .issuer_name(ca_cert.subject)
        .public_key(leaf_key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=10))
        .sign(ca_key, hashes.SHA256())
    )
    (issued / "SERIAL.crt").write_bytes(bare_leaf.public_bytes(serialization.Encoding.PEM))
    (issued / "SERIAL.key").write_bytes(b"old")

    upgraded = CertificateAuthority.load_or_create(tmp_path / "ca")
    assert upgraded.key_file.read_bytes() == key_before  # still the same CA
    cert_file, _key = upgraded.server_certificate("SERIAL")
    assert _aki(_load(upgraded.cert_file)) == _ski(_load(upgraded.cert_file))
    assert _aki(_load(cert_file)) == _ski(_load(upgraded.cert_file))
