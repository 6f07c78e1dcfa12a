"""Constants of the OttoEngine integration."""

from typing import Final

DOMAIN: Final = "ottoengine"
HUB_TITLE: Final = "OttoEngine farm"
MANUFACTURER: Final = "OTTOMAT3D"
HUB_MODEL: Final = "OttoEngine"

# HA's Store: the farm's persistent state (ids, jobs, print items, racks) lives in .storage/.
STORAGE_KEY: Final = f"{DOMAIN}.farm"
STORAGE_VERSION: Final = 1
# Writes are coalesced: several changes within this many seconds are stored once.
STORAGE_SAVE_DELAY: Final = 1.0
