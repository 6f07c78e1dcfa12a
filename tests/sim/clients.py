"""Third-party clients of the simulated printers, used unchanged: mosquitto_sub / mosquitto_pub
and Python's ftplib (with the implicit-TLS, session-reuse subclass every Bambu client needs).
"""

from __future__ import annotations

from collections.abc import Callable
import ftplib
import io
import json
import os
import select
import socket
import ssl
import subprocess
import time
from typing import Any
import zipfile

from ottosim.bambu.brain import IDLE_REPORT_S
from ottosim.bambu.mqtt_link import RECONNECT_DELAYS_S
from tests.farm_fixtures import FarmHandle

PUSHALL = {"pushing": {"sequence_id": "0", "command": "pushall"}}
GET_VERSION = {"info": {"sequence_id": "0", "command": "get_version"}}
# The next report follows the brain's longest report interval and its link's longest reconnect
# delay, with room for a machine under load.
REPORT_BUDGET_S = 4 * (max(IDLE_REPORT_S) + max(RECONNECT_DELAYS_S))


def tls_args(
    farm: FarmHandle, printer: dict[str, Any], *, password: str | None = None
) -> list[str]:
    code = printer["access_code"] if password is None else password
    return [
        "-h", printer["ip"], "-p", str(printer["mqtt_port"]),
        "--cafile", farm.ca_file, "--insecure",
        "-u", "bblp", "-P", code,
    ]  # fmt: skip


def publish(farm: FarmHandle, printer: dict[str, Any], message: dict[str, Any]) -> None:
    """``mosquitto_pub`` a request (QoS 1, as the protocol wants)."""
    subprocess.run(
        [
            "mosquitto_pub",
            *tls_args(farm, printer),
            "-q",
            "1",
            "-t",
            f"device/{printer['serial_number']}/request",
            "-m",
            json.dumps(message),
        ],
        check=True,
        capture_output=True,
        timeout=15,
    )


def deep_merge(state: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(state.get(key), dict):
            deep_merge(state[key], value)
        else:
            state[key] = value


class ReportStream:
    """``mosquitto_sub`` on a printer's report topic; keeps every message and a merged state."""

    def __init__(self, farm: FarmHandle, printer: dict[str, Any]) -> None:
        self.farm = farm
        self.printer = printer
        self.messages: list[dict[str, Any]] = []
        self.state: dict[str, Any] = {}
        self._buffer = b""
        self._process = subprocess.Popen(
            [
                "mosquitto_sub",
                *tls_args(farm, printer),
                "-q",
                "1",
                "-t",
                f"device/{printer['serial_number']}/report",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self._process.stdout is not None
        os.set_blocking(self._process.stdout.fileno(), False)

    def __enter__(self) -> ReportStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        assert self._process.stdout is not None
        self._process.stdout.close()

    def _read(self, timeout: float) -> list[dict[str, Any]]:
        stdout = self._process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], max(0.0, timeout))
        if not ready:
            return []
        chunk = stdout.read() or b""
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        new = [json.loads(line) for line in lines if line.strip()]
        for message in new:
            self.messages.append(message)
            if "print" in message and message["print"].get("command") == "push_status":
                deep_merge(self.state, message["print"])
        return new

    def wait_for(
        self, check: Callable[[dict[str, Any]], bool], timeout: float = REPORT_BUDGET_S
    ) -> dict[str, Any]:
        """The first new message for which ``check(message)`` holds; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            for message in self._read(left):
                if check(message):
                    return message
        raise AssertionError(f"no matching report in {timeout} s; last: {self.messages[-3:]}")

    def wait_state(self, check: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> None:
        """Wait until the merged state satisfies ``check``."""
        if self.state and check(self.state):
            return
        self.wait_for(lambda _m: check(self.state), timeout)

    def sync(self, timeout: float = 15.0) -> dict[str, Any]:
        """Send ``pushall`` until the full report (``msg: 0``) arrives (the subscription is
        live only some time after mosquitto_sub starts); returns that report."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            publish(self.farm, self.printer, PUSHALL)
            try:
                return self.wait_for(is_full_report, timeout=1.0)
            except AssertionError:
                continue
        raise AssertionError("no full report after pushall")


def is_full_report(message: dict[str, Any]) -> bool:
    report = message.get("print", {})
    return bool(report.get("command") == "push_status" and report.get("msg") == 0)


def reply_to(command: str) -> Callable[[dict[str, Any]], bool]:
    def check(message: dict[str, Any]) -> bool:
        return any(
            isinstance(body, dict) and body.get("command") == command and "result" in body
            for body in message.values()
        )

    return check


class ImplicitFTPS(ftplib.FTP_TLS):
    """FTPS with implicit TLS (port 990) whose data connections reuse the control session."""

    def __init__(self, *args: Any, reuse_session: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reuse_session = reuse_session

    def connect(
        self, host: str = "", port: int = 0, timeout: float = -999, source_address: Any = None
    ) -> str:
        if host:
            self.host = host
        if port:
            self.port = port
        if timeout != -999:
            self.timeout = timeout
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.af = raw.family
        self.sock = self.context.wrap_socket(raw, server_hostname=self.host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def ntransfercmd(
        self, cmd: str, rest: int | str | None = None
    ) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            session = self.sock.session if self.reuse_session else None  # type: ignore[union-attr]
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


def ftps_client(
    printer: dict[str, Any], *, reuse_session: bool = True, password: str | None = None
) -> ImplicitFTPS:
    """A logged-in FTPS client with ``PROT P`` (certificate not verified, like most clients)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    client = ImplicitFTPS(context=context, reuse_session=reuse_session, timeout=20)
    client.connect(printer["ip"], printer["ftps_port"])
    client.login("bblp", printer["access_code"] if password is None else password)
    client.prot_p()
    return client


def upload(printer: dict[str, Any], name: str, data: bytes) -> None:
    """Upload ``data`` to ``/<name>`` and check the size, as a careful client does."""
    client = ftps_client(printer)
    try:
        client.storbinary(f"STOR /{name}", io.BytesIO(data))
        assert client.size(f"/{name}") == len(data)
    finally:
        client.quit()


def make_3mf(
    *,
    prediction_s: int,
    layers: int,
    plate: int = 1,
    max_z_mm: float = 12.0,
    printer_model_id: str = "C12",
    nozzle_diameter: float | str | None = None,
) -> bytes:
    """A minimal sliced ``.gcode.3mf`` like Bambu Studio exports.

    slice_info.config names the printer by ``printer_model_id`` (``C12`` = P1S) and states
    ``nozzle_diameters`` only when ``nozzle_diameter`` is given.
    """
    nozzle = (
        ""
        if nozzle_diameter is None
        else f'    <metadata key="nozzle_diameters" value="{nozzle_diameter}"/>\n'
    )
    gcode = (
        "; HEADER_BLOCK_START\n; BambuStudio 02.00.00.00\n"
        f"; model printing time: {prediction_s // 60}m 0s; total estimated time: "
        f"{prediction_s // 60}m {prediction_s % 60}s\n"
        f"; total layer number: {layers}\n; max_z_height: {max_z_mm:.2f}\n; HEADER_BLOCK_END\n"
        "G28\nG1 Z0.2 F600\nM73 P0 R1\n"
    )
    slice_info = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<config>\n  <header>\n'
        '    <header_item key="X-BBL-Client-Type" value="slicer"/>\n  </header>\n'
        f'  <plate>\n    <metadata key="index" value="{plate}"/>\n'
        f'    <metadata key="printer_model_id" value="{printer_model_id}"/>\n{nozzle}'
        f'    <metadata key="prediction" value="{prediction_s}"/>\n'
        '    <metadata key="weight" value="3.2"/>\n  </plate>\n</config>\n'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("3D/3dmodel.model", "<model/>")
        archive.writestr(f"Metadata/plate_{plate}.gcode", gcode)
        archive.writestr("Metadata/slice_info.config", slice_info)
    return buffer.getvalue()


def project_file(name: str, *, plate: int = 1) -> dict[str, Any]:
    """The ``project_file`` request ha-bambulab sends for ``/<name>``."""
    return {
        "print": {
            "sequence_id": "0",
            "command": "project_file",
            "param": f"Metadata/plate_{plate}.gcode",
            "url": f"file:///sdcard/{name}",
            "file": name,
            "md5": "",
            "subtask_name": name.removesuffix(".gcode.3mf"),
            "bed_type": "auto",
            "timelapse": False,
            "bed_leveling": True,
            "flow_cali": False,
            "vibration_cali": True,
            "layer_inspect": False,
            "use_ams": False,
            "ams_mapping": [],
            "project_id": "0",
            "profile_id": "0",
            "task_id": "0",
            "subtask_id": "0",
        }
    }


def wait_truth(
    farm: FarmHandle, check: Callable[[dict[str, Any]], bool], timeout: float = 20.0
) -> dict[str, Any]:
    """Poll ``/truth`` until ``check`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        truth = farm.truth()
        if check(truth):
            return truth
        assert time.monotonic() < deadline, f"truth never matched: {truth}"
        time.sleep(0.1)
