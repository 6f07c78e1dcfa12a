"""A farm run with an identity folder keeps its printers' certificates and access codes."""

from __future__ import annotations

import hashlib
from pathlib import Path
import ssl

from ..farm_fixtures import run_farm


def _certificate_sha256(ip: str, port: int) -> str:
    pem = ssl.get_server_certificate((ip, port))  # no verification: only the certificate
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def _identities(farm_printers: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    return {
        p["serial_number"]: (p["access_code"], _certificate_sha256(p["ip"], int(p["mqtt_port"])))
        for p in farm_printers
    }


def test_identity_survives_a_restart_and_differs_without_it(
    loopback_enabled: None, tmp_path: Path
) -> None:
    identity = tmp_path / "identity"
    with run_farm(printers=2, identity_dir=identity) as farm:
        first = _identities(farm.printers)
    with run_farm(printers=2, identity_dir=identity) as farm:
        again = _identities(farm.printers)
    assert again == first
    assert (identity / "access_codes.json").exists()

    with run_farm(printers=2) as farm:
        fresh = _identities(farm.printers)
    assert fresh.keys() == first.keys()  # serials are the same: p1s-1, p1p-2
    for serial, (_code, fingerprint) in fresh.items():
        assert fingerprint != first[serial][1]
