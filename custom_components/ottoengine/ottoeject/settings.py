"""What an ``ottoeject`` subentry stores, and the constants around it."""

from __future__ import annotations

from dataclasses import dataclass
import ipaddress
from types import MappingProxyType
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_API_KEY, CONF_IP_ADDRESS, CONF_PORT

from ..farm.validation import InvalidFieldError
from ..moonraker.client import DEFAULT_ACK_TIMEOUT, DEFAULT_PORT
from ..subentries import CONF_ID, SUBENTRY_OTTOEJECT, subentries_by_id

CONF_DEVICE_NAME: Final = "device_name"
# Seconds to wait for Moonraker's acknowledgement of a macro: hub option (entry.options) and
# optional per-OttoEject override (subentry data). The macro keeps running after a timeout.
CONF_MACRO_ACK_TIMEOUT: Final = "macro_ack_timeout"

MODEL: Final = "OttoEject"
MOONRAKER_DEFAULT_PORT: Final = DEFAULT_PORT
MAX_NAME_LENGTH: Final = 64


class InvalidSettingError(InvalidFieldError):
    """A detail of an OttoEject that is not acceptable; ``field`` names it."""


@dataclass(frozen=True, slots=True)
class OttoEjectSettings:
    """The stored details of one OttoEject (its API id never changes)."""

    id: int
    device_name: str
    ip_address: str
    port: int = DEFAULT_PORT
    api_key: str | None = None
    macro_ack_timeout: float | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            CONF_ID: self.id,
            CONF_DEVICE_NAME: self.device_name,
            CONF_IP_ADDRESS: self.ip_address,
            CONF_PORT: self.port,
            CONF_API_KEY: self.api_key,
        }
        if self.macro_ack_timeout is not None:
            data[CONF_MACRO_ACK_TIMEOUT] = self.macro_ack_timeout
        return data

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> OttoEjectSettings:
        data = subentry.data
        timeout = data.get(CONF_MACRO_ACK_TIMEOUT)
        return cls(
            id=int(data[CONF_ID]),
            device_name=str(data[CONF_DEVICE_NAME]),
            ip_address=str(data[CONF_IP_ADDRESS]),
            port=int(data.get(CONF_PORT) or DEFAULT_PORT),
            api_key=data.get(CONF_API_KEY) or None,
            macro_ack_timeout=float(timeout) if timeout is not None else None,
        )

    def new_subentry(self, unique_id: str | None) -> ConfigSubentry:
        return ConfigSubentry(
            data=MappingProxyType(self.as_data()),
            subentry_type=SUBENTRY_OTTOEJECT,
            title=self.device_name,
            unique_id=unique_id,
        )

    def connection(self) -> tuple[str, int, str | None]:
        """What the Moonraker client needs (a change of it restarts the client)."""
        return (self.ip_address, self.port, self.api_key)


def ack_timeout(entry: ConfigEntry, settings: OttoEjectSettings) -> float:
    """The OttoEject's own acknowledgement timeout, else the hub's, else 30 s."""
    if settings.macro_ack_timeout is not None:
        return settings.macro_ack_timeout
    return float(entry.options.get(CONF_MACRO_ACK_TIMEOUT, DEFAULT_ACK_TIMEOUT))


def name_in_use(entry: ConfigEntry, name: str, *, except_id: int | None = None) -> bool:
    """Whether another OttoEject already has this name (compared case-insensitively)."""
    return any(
        subentry.title.casefold() == name.casefold()
        for item_id, subentry in subentries_by_id(entry, SUBENTRY_OTTOEJECT).items()
        if item_id != except_id
    )


def address_in_use(
    entry: ConfigEntry, host: str, port: int, *, except_id: int | None = None
) -> bool:
    """Whether another OttoEject is already reached at this address and port."""
    for item_id, subentry in subentries_by_id(entry, SUBENTRY_OTTOEJECT).items():
        if item_id == except_id:
            continue
        other = OttoEjectSettings.from_subentry(subentry)
        if other.ip_address.casefold() == host.casefold() and other.port == port:
            return True
    return False


def parse_name(value: object) -> str:
    """A device name: 1..64 characters after trimming; ``ValueError`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidSettingError(CONF_DEVICE_NAME, "is required (a non-empty string)")
    name = value.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidSettingError(CONF_DEVICE_NAME, f"at most {MAX_NAME_LENGTH} characters")
    return name


def parse_host(value: object) -> str:
    """An IP address or host name without scheme, port or path; ``ValueError`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidSettingError(CONF_IP_ADDRESS, "is required (an IP address or host name)")
    host = value.strip()
    if len(host) > 253 or (any(char in host for char in "/ @?#:") and not _is_ipv6(host)):
        raise InvalidSettingError(
            CONF_IP_ADDRESS, "must be an IP address or host name without scheme, port or path"
        )
    return host


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def parse_port(value: object) -> int:
    """A TCP port 1..65535 (an integer, or an integral number/string)."""
    if isinstance(value, bool):
        raise InvalidSettingError(CONF_PORT, "must be an integer between 1 and 65535")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidSettingError(CONF_PORT, "must be an integer between 1 and 65535")
    return value


def parse_api_key(value: object) -> str | None:
    """An optional Moonraker API key (``None`` or empty = no key)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidSettingError(CONF_API_KEY, "must be a string")
    key = value.strip()
    if len(key) > 256 or any(not char.isprintable() or char.isspace() for char in key):
        raise InvalidSettingError(CONF_API_KEY, "must be printable characters without spaces")
    return key or None


MAX_ACK_TIMEOUT: Final = 600.0


def parse_ack_timeout(value: object) -> float | None:
    """An optional acknowledgement timeout in seconds (``None`` = the hub's, 30 s by default)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSettingError(
            CONF_MACRO_ACK_TIMEOUT, f"must be a number of seconds up to {MAX_ACK_TIMEOUT:g}"
        )
    if not 0 < value <= MAX_ACK_TIMEOUT:
        raise InvalidSettingError(
            CONF_MACRO_ACK_TIMEOUT, f"must be more than 0 and at most {MAX_ACK_TIMEOUT:g} seconds"
        )
    return float(value)
