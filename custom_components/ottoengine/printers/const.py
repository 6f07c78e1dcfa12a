"""Constants of the printers' Home Assistant layer."""

from __future__ import annotations

from typing import Final

from ..bambu import ConnectionSettings
from ..bambu.discovery import BROADCAST_PORT, MULTICAST_PORT, SSDP_MULTICAST_GROUP

# Subentry data keys (see ``subentries.py``; id, name and ip_address are Home Assistant's),
# plus the pinned certificate fingerprint.
CONF_BRAND: Final = "brand"
CONF_MODEL: Final = "model"
CONF_TYPE: Final = "type"
CONF_SERIAL_NUMBER: Final = "serial_number"
CONF_ACCESS_CODE: Final = "access_code"
CONF_BUILD_VOLUME: Final = "build_volume"
CONF_FILAMENT: Final = "filament"
CONF_FINGERPRINT: Final = "fingerprint"

BRAND_BAMBU_LAB: Final = "Bambu Lab"
TYPE_FDM: Final = "FDM"

# How printer connections reconnect and detect silence (the driver's defaults).
CONNECTION_SETTINGS = ConnectionSettings()
# How long a connection test (config flows, repairs) may take.
CONNECTION_TEST_TIMEOUT: Final = 20.0
# How long a command waits for the broker's acknowledgement before it counts as failed.
COMMAND_TIMEOUT: Final = 15.0
# How long a command waits for the printer's reply; without one in time it counts as sent
# (some firmware does not answer every command).
REPLY_TIMEOUT: Final = 5.0

# Where the hub listens for printers' SSDP announcements: (host, port, multicast group).
# Bambu Studio listens on the broadcast port 2021; printers also send to 239.255.255.250:1990.
DISCOVERY_BINDS: tuple[tuple[str, int, str | None], ...] = (
    ("0.0.0.0", BROADCAST_PORT, None),
    ("0.0.0.0", MULTICAST_PORT, SSDP_MULTICAST_GROUP),
)
# How long the "Add printer" flow listens before it first lists printers (they announce
# themselves about every 5 s).
DISCOVERY_WARMUP: Final = 6.0
# A printer not heard from for this long is no longer offered (SSDP max-age is 1800 s).
DISCOVERY_MAX_AGE: Final = 1800.0

# Dispatcher signal (formatted with the hub's entry id and the printer id).
SIGNAL_BUILD_PLATE_UPDATED: Final = "ottoengine_build_plate_updated_{}_{}"

# Repair issues (``<kind>_<subentry id>``).
ISSUE_ACCESS_CODE: Final = "access_code"
ISSUE_CERTIFICATE: Final = "certificate"
ISSUE_WRONG_SERIAL: Final = "wrong_serial"
ISSUE_DEVELOPER_MODE: Final = "developer_mode"

# A printer's driver (subentry data ``driver``; data without it is a Bambu Lab printer).
CONF_DRIVER: Final = "driver"
DRIVER_BAMBU: Final = "bambu"
DRIVER_KLIPPER: Final = "klipper"
