"""OttoEngine: a lights-out 3D print-farm controller for Home Assistant.

One hub config entry ("OttoEngine farm") holds the farm; printers, OttoEjects and racks are its
config subentries. The REST API (the seed's routes) and the sidebar panel *Print farm* are
registered once in ``async_setup`` and serve whichever hub entry is loaded.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
import shutil

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType

from .api import async_register_views
from .const import DOMAIN, HUB_MODEL, HUB_TITLE, MANUFACTURER, PRINT_FILES_DIR
from .device_sync import DeviceSync
from .farm.print_file_store import PrintFileStore
from .moonraker_browser import MoonrakerBrowser
from .orchestrator.runner import OrchestratorRunner
from .ottoeject.manager import OttoEjectManager
from .panel import async_setup_panel
from .printers.manager import PrintersManager
from .racks.manager import RacksManager
from .runtime import OttoConfigEntry, OttoRuntime
from .services import async_setup_services
from .storage import FarmStore

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.IMAGE,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.SELECT,
    Platform.LIGHT,
    Platform.UPDATE,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register what outlives config entries: the REST API, the services and the farm panel
    (its bundle, the sidebar entry and its websocket commands)."""
    async_register_views(hass)
    async_setup_services(hass)
    await async_setup_panel(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OttoConfigEntry) -> bool:
    """Load the farm's state and register the hub device."""
    store = FarmStore(hass)
    await store.async_load()
    hub = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=HUB_TITLE,
        manufacturer=MANUFACTURER,
        model=HUB_MODEL,
        entry_type=dr.DeviceEntryType.SERVICE,
    )
    # Racks first (jobs name their shelves), then the robots, then the printers.
    racks = RacksManager(hass, entry, store, hub.id)
    ottoejects = OttoEjectManager(hass, entry, store, hub.id)
    printers = PrintersManager(hass, entry, store, hub.id)
    devices = DeviceSync(hass, entry, (racks, ottoejects, printers))
    entry.runtime_data = OttoRuntime(
        hass=hass,
        entry_id=entry.entry_id,
        store=store,
        hub_device_id=hub.id,
        print_files=PrintFileStore(Path(hass.config.path(*PRINT_FILES_DIR))),
        printers=printers,
        ottoejects=ottoejects,
        racks=racks,
        devices=devices,
        orchestrator=OrchestratorRunner(hass, entry),
    )
    # Home Assistant stopping: the loop lets go first, before the devices close (listeners of
    # one event are called in the order they were added).
    entry.async_on_unload(
        hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, entry.runtime_data.orchestrator.async_host_stopping
        )
    )
    # Start every device; subentries added, changed and removed later (flows, REST, the UI)
    # are followed without reloading the hub.
    await devices.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # OttoEjects and Klipper printers announcing themselves, offered by the "Add ..." flows.
    browser = MoonrakerBrowser(hass)
    await browser.async_start()
    entry.async_on_unload(browser.async_stop)

    # The loop starts once Home Assistant runs (at once when the hub is added or reloaded).
    async def _start_orchestrator(_hass: HomeAssistant) -> None:
        await entry.runtime_data.orchestrator.async_start()

    entry.async_on_unload(async_at_started(hass, _start_orchestrator))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OttoConfigEntry) -> bool:
    """Unload platforms and write any pending state change."""
    await entry.runtime_data.orchestrator.async_stop()
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.store.async_save_now()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: OttoConfigEntry) -> None:
    """Removing the farm removes its stored state (jobs, print items, racks) and files."""
    await FarmStore(hass).async_remove()
    folder = Path(hass.config.path(*PRINT_FILES_DIR))
    await hass.async_add_executor_job(partial(shutil.rmtree, folder, ignore_errors=True))
