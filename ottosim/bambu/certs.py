"""TLS certificates shaped like a Bambu Lab printer's.

Real printers serve a certificate whose subject CN is the printer's serial number, issued by a
private Bambu CA, with no subjectAltName (so clients must turn hostname checking off). The CA's
basicConstraints extension is not marked critical, like the real "BBL CA": Python >= 3.13 then
rejects it unless ``ssl.VERIFY_X509_STRICT`` is cleared, exactly as with a real printer.

Both the CA and the printer certificates carry the subject key identifier and the authority key
identifier: a client that trusts the farm CA beside Bambu's own "BBL CA" (same subject name)
picks the issuer by key identifier, and without them it may try the wrong one and fail. An
identity folder from before these extensions is upgraded in place: the CA is re-signed with its
own key (so it stays the same CA), printer certificates without them are issued again.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtensionOID, NameOID

_VALIDITY = dt.timedelta(days=3650)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _has_key_identifiers(cert: x509.Certificate) -> bool:
    extensions = {extension.oid for extension in cert.extensions}
    return {
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    } <= extensions


def _write_key(key: rsa.RSAPrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


@dataclass(frozen=True)
class CertificateAuthority:
    """The simulated "BBL CA": ``cert_file`` is what clients pass as ``cafile``."""

    cert_file: Path
    key_file: Path

    @classmethod
    def create(cls, directory: Path) -> CertificateAuthority:
        """Create a new CA in ``directory`` (``bbl-ca.crt`` / ``bbl-ca.key``)."""
        directory.mkdir(parents=True, exist_ok=True)
        ca = cls(directory / "bbl-ca.crt", directory / "bbl-ca.key")
        key = _key()
        _write_key(key, ca.key_file)
        ca._sign_self(key)
        return ca

    def _sign_self(self, key: rsa.RSAPrivateKey) -> None:
        """Write the self-signed CA certificate for ``key``."""
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BBL Technologies Co., Ltd"),
                x509.NameAttribute(NameOID.COMMON_NAME, "BBL CA"),
            ]
        )
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False
            )
            .sign(key, hashes.SHA256())
        )
        self.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    @classmethod
    def load_or_create(cls, directory: Path) -> CertificateAuthority:
        ca = cls(directory / "bbl-ca.crt", directory / "bbl-ca.key")
        if ca.cert_file.exists() and ca.key_file.exists():
            cert = x509.load_pem_x509_certificate(ca.cert_file.read_bytes())
            if not _has_key_identifiers(cert):
                ca._sign_self(ca._private_key())
            return ca
        return cls.create(directory)

    def _private_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self.key_file.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def server_certificate(self, common_name: str) -> tuple[Path, Path]:
        """Certificate and key for ``common_name``, issued once and kept next to the CA (the
        broker and the FTPS server of one printer serve the same certificate, as on a printer)."""
        directory = self.cert_file.parent / "issued"
        cert_file, key_file = directory / f"{common_name}.crt", directory / f"{common_name}.key"
        if not (cert_file.exists() and key_file.exists()) or not _has_key_identifiers(
            x509.load_pem_x509_certificate(cert_file.read_bytes())
        ):
            directory.mkdir(exist_ok=True)
            self.issue(common_name, cert_file, key_file)
        return cert_file, key_file

    def issue(self, common_name: str, cert_file: Path, key_file: Path) -> None:
        """Write a server certificate for ``common_name`` (the printer serial) and its key."""
        ca_cert = x509.load_pem_x509_certificate(self.cert_file.read_bytes())
        ca_key = self._private_key()
        key = _key()
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BBL Technologies Co., Ltd"),
                        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                    ]
                )
            )
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                    ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
                ),
                False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        cert_file.parent.mkdir(parents=True, exist_ok=True)
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_file)
