"""Third-party clients talk to the simulated printers exactly as to real ones."""

from __future__ import annotations

import ftplib
import io
import socket
import ssl
import subprocess

import pytest

from tests.farm_fixtures import FarmHandle
from tests.sim.clients import (
    GET_VERSION,
    ReportStream,
    ftps_client,
    is_full_report,
    publish,
    reply_to,
    tls_args,
    upload,
)

pytestmark = pytest.mark.usefixtures("loopback_enabled")

PRODUCT_NAMES = {
    "P1S": "Bambu Lab P1S",
    "P1P": "Bambu Lab P1P",
    "X1C": "Bambu Lab X1 Carbon",
    "A1": "Bambu Lab A1",
}


def test_description_lists_every_printer_with_its_own_address(sim_farm: FarmHandle) -> None:
    printers = sim_farm.printers
    assert [p["model"] for p in printers] == ["P1S", "P1P", "X1C", "A1"]
    assert len({p["ip"] for p in printers}) == 4
    for printer in printers:
        assert printer["ip"].startswith("127.0.1.")
        assert (printer["mqtt_port"], printer["ftps_port"]) == (8883, 990)
        assert len(printer["serial_number"]) == 15
        assert len(printer["access_code"]) == 8
    assert sim_farm.printer("X1C")["serial_number"].startswith("00M")
    assert sim_farm.description["ejectors"] == []
    assert sim_farm.description["control"].startswith("http://127.0.0.1:")


@pytest.mark.parametrize("model", ["P1S", "X1C"])
def test_mosquitto_sub_sees_full_report_after_pushall(sim_farm: FarmHandle, model: str) -> None:
    printer = sim_farm.printer(model)
    with ReportStream(sim_farm, printer) as reports:
        report = reports.sync()["print"]
        assert report["gcode_state"] == "IDLE"
        for key in ("mc_percent", "mc_remaining_time", "nozzle_temper", "bed_temper", "hms"):
            assert key in report
        assert ("fun" in report) == (model == "X1C")
        publish(sim_farm, printer, GET_VERSION)
        version = reports.wait_for(reply_to("get_version"))["info"]
        assert version["result"] == "success"
        ota = next(m for m in version["module"] if m["name"] == "ota")
        assert ota["product_name"] == PRODUCT_NAMES[model]
        assert ota["sn"] == printer["serial_number"]


def test_p1_sends_deltas_after_the_full_report(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1P")
    with ReportStream(sim_farm, printer) as reports:
        full = reports.sync()["print"]
        delta = reports.wait_for(lambda m: not is_full_report(m) and "print" in m)["print"]
        assert delta["msg"] == 1
        assert int(delta["sequence_id"]) > int(full["sequence_id"])
        assert len(delta) < len(full) / 4


def test_wrong_access_code_is_refused(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")
    topic = f"device/{printer['serial_number']}/report"
    result = subprocess.run(
        ["mosquitto_sub", *tls_args(sim_farm, printer, password="00000000"), "-t", topic,
         "-C", "1", "-W", "5"],
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    assert result.returncode == 5
    assert "not authori" in result.stderr


def test_certificate_names_the_serial_and_needs_non_strict_verification(
    sim_farm: FarmHandle,
) -> None:
    printer = sim_farm.printer("A1")
    context = ssl.create_default_context(cafile=sim_farm.ca_file)
    context.check_hostname = False
    with (
        pytest.raises(ssl.SSLCertVerificationError),
        socket.create_connection((printer["ip"], 8883), timeout=10) as raw,
    ):
        context.wrap_socket(raw)
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    with (
        socket.create_connection((printer["ip"], 8883), timeout=10) as raw,
        context.wrap_socket(raw) as tls,
    ):
        certificate = tls.getpeercert()
    assert certificate is not None
    subject = {str(rdn[0][0]): str(rdn[0][1]) for rdn in certificate["subject"]}
    assert subject["commonName"] == printer["serial_number"]


def test_ftps_upload_with_session_reuse(sim_farm: FarmHandle) -> None:
    printer = sim_farm.printer("P1S")
    data = bytes(range(256)) * 1200
    upload(printer, "part.gcode.3mf", data)
    client = ftps_client(printer)
    try:
        assert isinstance(client.sock, ssl.SSLSocket)
        assert client.sock.version() == "TLSv1.2"
        assert "/part.gcode.3mf" in client.nlst("/")
        buffer = io.BytesIO()
        client.retrbinary("RETR /part.gcode.3mf", buffer.write)
        assert buffer.getvalue() == data
    finally:
        client.quit()
    assert "part.gcode.3mf" in sim_farm.printer_truth(printer["name"])["files"]


def test_ftps_without_session_reuse_gets_522(sim_farm: FarmHandle) -> None:
    client = ftps_client(sim_farm.printer("X1C"), reuse_session=False)
    try:
        with pytest.raises(ftplib.error_perm, match="522"):
            client.storbinary("STOR /x.gcode.3mf", io.BytesIO(b"data"))
    finally:
        client.close()


def test_ftps_wrong_password_gets_530(sim_farm: FarmHandle) -> None:
    with pytest.raises(ftplib.error_perm, match="530"):
        ftps_client(sim_farm.printer("P1P"), password="99999999")
