"""Printer cover images: the picture of what each printer is printing for the farm.

The cover is the thumbnail of the current job's print file: the largest image the 3MF embeds
(its plate thumbnail), extracted once at upload and stored beside the print file (the same file
the farm panel serves, ``api/panel_thumbnails.py``). It is known before the printer starts, so
it is shown while the job is prepared, printed and cleared. ``image_last_updated`` changes when
the printer's job changes; with no job (idle) there is no image (the state is unknown).
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.image import ImageEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api.panel_thumbnails import content_type
from .entity import async_follow_devices
from .orchestrator.const import SIGNAL_ORCHESTRATOR_UPDATED
from .printers.coordinator import PrinterCoordinator
from .printers.entities import PrinterEntity
from .printers.manager import PrintersManager
from .runtime import OttoConfigEntry, OttoRuntime
from .subentries import DeviceKind

# Pushed entities: no polling, no parallel update limit.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    manager = entry.runtime_data.printers
    async_follow_devices(
        hass,
        entry,
        DeviceKind.PRINTER,
        async_add_entities,
        devices=lambda: {c.subentry_id: c for _, c in sorted(manager.coordinators.items())},
        build=lambda coordinator: [PrinterCoverImage(hass, manager, coordinator)],
    )


def current_cover(runtime: OttoRuntime, printer_id: int) -> tuple[int, str] | None:
    """``(job id, thumbnail file name)`` of the job the farm runs on the printer (``None``: no
    job, or its print file has no thumbnail)."""
    view = runtime.orchestrator.engine.printer_view(printer_id)
    job = runtime.state.jobs.get(view.job_id) if view.job_id is not None else None
    if job is None:
        return None
    item = runtime.state.print_items.get(job.print_item_id)
    if item is None or item.thumbnail_name is None:
        return None
    return (job.id, item.thumbnail_name)


class PrinterCoverImage(PrinterEntity, ImageEntity):
    """The current job's cover image (the 3MF's plate thumbnail)."""

    _attr_translation_key = "cover_image"

    def __init__(
        self, hass: HomeAssistant, manager: PrintersManager, coordinator: PrinterCoordinator
    ) -> None:
        PrinterEntity.__init__(self, manager, coordinator, "cover_image")
        ImageEntity.__init__(self, hass)
        self.runtime: OttoRuntime = manager.entry.runtime_data
        self._shown: tuple[int, str] | None = None  # (job id, thumbnail file name)

    @property
    def available(self) -> bool:
        """The cover is the farm's own record: shown even while the printer is offline."""
        return True

    @property
    def entity_picture(self) -> str | None:
        return super().entity_picture if self._shown is not None else None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_ORCHESTRATOR_UPDATED.format(self.runtime.entry_id),
                self._async_job_may_have_changed,
            )
        )
        self._follow_job()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._follow_job()
        super()._handle_coordinator_update()

    @callback
    def _async_job_may_have_changed(self) -> None:
        if self._follow_job():
            self.async_write_ha_state()

    def _follow_job(self) -> bool:
        """Take the current job's thumbnail; whether it changed."""
        shown = current_cover(self.runtime, self.coordinator.printer_id)
        if shown == self._shown:
            return False
        self._shown = shown
        self._attr_image_last_updated = dt_util.utcnow() if shown is not None else None
        return True

    @property
    def image_last_updated(self) -> datetime | None:
        return self._attr_image_last_updated

    async def async_image(self) -> bytes | None:
        """The thumbnail's bytes (read in the executor), ``None`` with no job."""
        if self._shown is None:
            return None
        data = await self.hass.async_add_executor_job(
            self.runtime.print_files.read_file, self._shown[1]
        )
        if data is not None:
            self._attr_content_type = content_type(data)
        return data
