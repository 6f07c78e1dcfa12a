"""Constants of the OttoEngine integration."""

from typing import Final

DOMAIN: Final = "ottoengine"
HUB_TITLE: Final = "OttoEngine farm"
MANUFACTURER: Final = "OTTOMAT3D"
HUB_MODEL: Final = "OttoEngine"

# HA's Store: the farm's persistent state (ids, jobs, print items, racks) lives in .storage/.
STORAGE_KEY: Final = f"{DOMAIN}.farm"
STORAGE_VERSION: Final = 1
# 1.2: job processing (enabled, statistics) is stored with the farm (1.1 had it in memory).
STORAGE_MINOR_VERSION: Final = 2
# Writes are coalesced: several changes within this many seconds are stored once.
STORAGE_SAVE_DELAY: Final = 1.0

# Uploaded print files live in <config>/ottoengine/print_files/.
PRINT_FILES_DIR: Final = ("ottoengine", "print_files")
# Hub option: the largest accepted upload in bytes (413 beyond it).
CONF_MAX_UPLOAD_BYTES: Final = "max_upload_bytes"
DEFAULT_MAX_UPLOAD_BYTES: Final = 1024 * 1024 * 1024

# Events automations can react to.
EVENT_JOB_STATUS_CHANGED: Final = f"{DOMAIN}_job_status_changed"
EVENT_SHELF_CHANGED: Final = f"{DOMAIN}_shelf_changed"

# Dispatcher signal (formatted with the hub's entry id and the shelf id).
SIGNAL_SHELF_UPDATED: Final = f"{DOMAIN}_shelf_updated_{{}}_{{}}"
