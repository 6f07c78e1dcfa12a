"""The Moonraker subprocess (shared with the simulated Klipper printers: ``ottosim.klippy``)."""

from ottosim.klippy.moonraker_process import (
    API_KEY_USER,
    MOONRAKER_ENV,
    REPO_ROOT,
    STARTUP_TIMEOUT,
    STOP_TIMEOUT,
    MoonrakerProcess,
    MoonrakerStartError,
    find_moonraker_executable,
    moonraker_config,
)

__all__ = [
    "API_KEY_USER",
    "MOONRAKER_ENV",
    "REPO_ROOT",
    "STARTUP_TIMEOUT",
    "STOP_TIMEOUT",
    "MoonrakerProcess",
    "MoonrakerStartError",
    "find_moonraker_executable",
    "moonraker_config",
]
