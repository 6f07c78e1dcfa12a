"""What a loaded OttoEngine hub entry holds while it runs (``entry.runtime_data``).

Every change of jobs and shelves goes through the runtime so that it is saved, announced on
Home Assistant's event bus and shown by the entities at once, whoever made it (REST API,
service, orchestrator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import time
from typing import Literal

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import (
    CONF_MAX_UPLOAD_BYTES,
    DEFAULT_MAX_UPLOAD_BYTES,
    EVENT_JOB_STATUS_CHANGED,
    EVENT_SHELF_CHANGED,
    SIGNAL_SHELF_UPDATED,
)
from .device_sync import DeviceSync
from .farm.clock import utcnow
from .farm.job_processing import JobProcessing
from .farm.job_status import JobStatus
from .farm.jobs import JobTransition, PrintJob
from .farm.print_file_store import PrintFileStore
from .farm.racks import Rack, Shelf, ShelfState
from .farm.state import FarmState
from .orchestrator.runner import OrchestratorRunner
from .ottoeject.manager import OttoEjectManager
from .printers.manager import PrintersManager
from .racks.manager import RacksManager
from .storage import FarmStore

type ChangeSource = Literal["api", "service", "orchestrator"]


@dataclass(frozen=True)
class OttoRuntime:
    """Built once, complete, in ``async_setup_entry``; nothing is filled in later."""

    hass: HomeAssistant
    entry_id: str
    store: FarmStore
    hub_device_id: str
    print_files: PrintFileStore
    printers: PrintersManager
    ottoejects: OttoEjectManager
    racks: RacksManager
    devices: DeviceSync
    orchestrator: OrchestratorRunner
    started_at: float = field(default_factory=time.monotonic)

    @property
    def state(self) -> FarmState:
        return self.store.state

    @property
    def max_upload_bytes(self) -> int:
        """The hub option ``max_upload_bytes`` (set in the hub's options), or 1 GiB."""
        return int(self.entry.options.get(CONF_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES))

    @property
    def entry(self) -> OttoConfigEntry:
        """The hub's config entry (its subentries are the farm's devices)."""
        return self.hass.config_entries.async_get_known_entry(self.entry_id)

    @property
    def processing(self) -> JobProcessing:
        """Whether the queue is processed, and the statistics (stored with the farm)."""
        return self.store.state.processing

    @property
    def uptime_seconds(self) -> int:
        """Seconds since this hub entry was set up."""
        return int(time.monotonic() - self.started_at)

    async def async_commit(self) -> bool:
        """Write the farm's state now; False if it could not be saved. A change is confirmed
        (2xx, an action returning) only once it is on disk, so a crash right after loses
        nothing that was confirmed."""
        await self.store.async_save_now()
        return not self.store.last_save_failed

    @callback
    def async_state_changed(self) -> None:
        """Call after every change of the farm's state: saved shortly after, entities refreshed."""
        self.store.async_schedule_save()
        self.orchestrator.async_notify()

    @callback
    def async_transition_job(self, job: PrintJob, target: JobStatus, reason: str) -> JobTransition:
        """Change a job's status (``IllegalTransitionError`` if refused), record and announce it."""
        change = job.transition(target, reason, utcnow())
        if target is JobStatus.COMPLETED:
            minutes = None
            if job.started_at is not None:
                minutes = (change.at - job.started_at).total_seconds() / 60
            self.processing.record_job_finished(succeeded=True, minutes=minutes)
        elif target is JobStatus.FAILED:
            self.processing.record_job_finished(succeeded=False, minutes=None)
        self.async_state_changed()
        self.hass.bus.async_fire(
            EVENT_JOB_STATUS_CHANGED,
            {
                "job_id": job.id,
                "old_status": change.old_status.value if change.old_status else None,
                "new_status": change.new_status.value,
                "reason": change.reason,
                "printer_id": job.printer_id,
            },
        )
        return change

    @callback
    def async_set_shelf(
        self,
        rack: Rack,
        shelf: Shelf,
        state: ShelfState,
        print_job_id: int | None,
        source: ChangeSource,
    ) -> bool:
        """Change a shelf (``InvalidShelfStateError`` if contradictory); returns if it changed."""
        old_state, old_job = shelf.state, shelf.print_job_id
        if not shelf.set_state(state, print_job_id):
            return False
        self.async_state_changed()
        async_dispatcher_send(self.hass, SIGNAL_SHELF_UPDATED.format(self.entry_id, shelf.id))
        self.hass.bus.async_fire(
            EVENT_SHELF_CHANGED,
            {
                "rack_id": rack.id,
                "rack_name": rack.name,
                "shelf_id": shelf.id,
                "shelf_number": shelf.shelf_number,
                "old_state": old_state.value,
                "new_state": state.value,
                "old_print_job_id": old_job,
                "print_job_id": print_job_id,
                "source": source,
            },
        )
        return True


type OttoConfigEntry = ConfigEntry[OttoRuntime]
