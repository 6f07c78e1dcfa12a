"""Parsing of the SSDP NOTIFY messages Bambu Lab printers broadcast on the LAN."""

from __future__ import annotations

from dataclasses import dataclass
import ipaddress
from urllib.parse import urlsplit

from .models import model_from_code, model_from_serial

BAMBU_SSDP_URN = "urn:bambulab-com:device:3dprinter:1"


@dataclass(frozen=True, slots=True)
class DiscoveredPrinter:
    """A printer announcing itself (``NOTIFY``, or a reply to ``M-SEARCH``)."""

    serial: str
    ip_address: str
    model_code: str | None  # "C12"
    model: str | None  # "P1S" (from the code, else guessed from the serial)
    name: str | None  # the user-given name, default "3DP-<first3>-<last3>"
    signal_dbm: int | None
    connect_mode: str | None  # "lan" or "cloud"
    bind_state: str | None  # "free" or "occupied"
    firmware_version: str | None
    secure_link: bool | None  # Devseclink "secure"


def _headers(text: str) -> tuple[str, dict[str, str]]:
    lines = text.replace("\r\n", "\n").split("\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers[name.strip().lower()] = value.strip()
    return lines[0].strip(), headers


def _ip(location: str) -> str | None:
    """``Location`` is a bare IP on Bambu firmware; accept URLs and ``ip:port`` too."""
    host = location.strip()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().removesuffix("dBm"))
    except ValueError:
        return None


def parse_ssdp_notify(data: bytes) -> DiscoveredPrinter | None:
    """A :class:`DiscoveredPrinter` from one SSDP datagram, ``None`` if it is not an alive
    announcement of a Bambu Lab printer (other devices, ``ssdp:byebye``, garbage)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    start, headers = _headers(text)
    upper = start.upper()
    if not upper.startswith(("NOTIFY ", "HTTP/1.1 200")):
        return None
    if BAMBU_SSDP_URN not in (headers.get("nt"), headers.get("st")):
        return None
    if headers.get("nts", "ssdp:alive").lower() != "ssdp:alive":
        return None
    serial = headers.get("usn", "").removeprefix("uuid:").split("::", 1)[0].strip()
    ip_address = _ip(headers.get("location", ""))
    if not serial or ip_address is None:
        return None
    code = headers.get("devmodel.bambu.com") or None
    secure = headers.get("devseclink.bambu.com")
    return DiscoveredPrinter(
        serial=serial,
        ip_address=ip_address,
        model_code=code,
        model=model_from_code(code) or model_from_serial(serial),
        name=headers.get("devname.bambu.com") or None,
        signal_dbm=_int(headers.get("devsignal.bambu.com")),
        connect_mode=headers.get("devconnect.bambu.com") or None,
        bind_state=headers.get("devbind.bambu.com") or None,
        firmware_version=headers.get("devversion.bambu.com") or None,
        secure_link=None if secure is None else secure.lower() == "secure",
    )
