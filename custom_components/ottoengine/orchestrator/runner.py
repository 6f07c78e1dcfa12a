"""Runs the farm's ``Orchestrator`` inside Home Assistant: woken by every device report.

The runner listens to each printer's and OttoEject's coordinator, to job and shelf changes and
to devices coming and going, and calls ``Orchestrator.reconcile`` once per burst of changes
(coalesced on the event loop), with a slow tick as a safety net. It implements the
orchestrator's ``FarmHooks`` on top of the runtime, so every change of a job or a shelf is
saved, announced and shown like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
import logging
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.event import async_call_later, async_track_time_interval

from ..const import DOMAIN, EVENT_JOB_STATUS_CHANGED, EVENT_SHELF_CHANGED
from ..device_sync import devices_changed_signal
from ..farm.job_status import JobStatus
from ..farm.jobs import PrintJob
from ..farm.orchestration.engine import Orchestrator, OrchestratorSettings
from ..farm.orchestration.runs import Answer, Run
from ..farm.print_items import PrintItem
from ..farm.racks import Rack, ShelfState
from ..subentries import DeviceKind
from .const import (
    CONF_BED_SETTLE,
    CONF_START_ATTEMPTS,
    CONF_START_TIMEOUT,
    EVENT_PREFIX,
    ISSUE_WORKFLOW_PAUSED,
    RECONCILE_INTERVAL_S,
    SIGNAL_ORCHESTRATOR_UPDATED,
)
from .topology import current_topology

if TYPE_CHECKING:
    from ..runtime import OttoConfigEntry, OttoRuntime

_LOGGER = logging.getLogger(__name__)


def workflow_issue_id(run_id: int) -> str:
    return f"{ISSUE_WORKFLOW_PAUSED}_{run_id}"


def settings_from_options(options: dict[str, Any]) -> OrchestratorSettings:
    defaults = OrchestratorSettings()
    return OrchestratorSettings(
        start_timeout_s=float(options.get(CONF_START_TIMEOUT, defaults.start_timeout_s)),
        start_attempts=int(options.get(CONF_START_ATTEMPTS, defaults.start_attempts)),
        bed_settle_s=float(options.get(CONF_BED_SETTLE, defaults.bed_settle_s)),
    )


class OrchestratorRunner:
    """The orchestrator of one loaded hub entry (``runtime.orchestrator``)."""

    def __init__(self, hass: HomeAssistant, entry: OttoConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._device_listeners: list[CALLBACK_TYPE] = []
        self._pending = False
        self._wake: CALLBACK_TYPE | None = None
        self._wake_at: float | None = None
        self._update_pending = False
        self._started = False
        self._closed = False
        self._engine: Orchestrator | None = None

    @property
    def runtime(self) -> OttoRuntime:
        return self.entry.runtime_data

    @property
    def engine(self) -> Orchestrator:
        if self._engine is None:
            runtime = self.runtime
            self._engine = Orchestrator(
                runtime.state,
                runtime.printers,
                runtime.ottoejects,
                _Hooks(self),
                settings=settings_from_options(dict(self.entry.options)),
            )
            self._engine.set_reconcile_callback(self.async_request)
        return self._engine

    # -- lifecycle ----------------------------------------------------------------------------
    async def async_start(self) -> None:
        """Settle what was in flight at the last stop, then follow the farm."""
        if self._closed or self._started:
            return
        engine = self.engine
        engine.recover(current_topology(self.runtime))
        self._started = True
        bus = self.hass.bus
        self._unsubscribe += [
            bus.async_listen(EVENT_JOB_STATUS_CHANGED, self._on_event),
            bus.async_listen(EVENT_SHELF_CHANGED, self._on_event),
            async_track_time_interval(
                self.hass, self._on_tick, timedelta(seconds=RECONCILE_INTERVAL_S)
            ),
            # The hub's options apply at once (the options flow does not reload the hub).
            self.entry.add_update_listener(self._async_entry_updated),
        ]
        for kind in (DeviceKind.PRINTER, DeviceKind.OTTOEJECT, DeviceKind.RACK):
            self._unsubscribe.append(
                async_dispatcher_connect(
                    self.hass,
                    devices_changed_signal(self.entry.entry_id, kind),
                    self._on_devices_changed,
                )
            )
        self._follow_devices()
        # Repairs of paused runs survive in the issue registry; raise any that are missing.
        for run in self.runtime.state.active_runs():
            if run.pause is not None:
                self.raise_issue(run)
        self.async_request()

    @callback
    def async_host_stopping(self, _event: Event | None = None) -> None:
        """Home Assistant is stopping: decide nothing more and let go of every command at once,
        before the devices' connections close (their errors must not be taken for the farm's:
        a printer or robot gone at shutdown is not a failed job or a failed macro). What was in
        flight stays so, and is settled from the devices at the next start."""
        self._started = False
        self._closed = True
        if self._engine is not None:
            self._engine.cancel_tasks()

    async def async_stop(self) -> None:
        self._closed = True
        self._started = False
        for remove in (*self._unsubscribe, *self._device_listeners):
            remove()
        self._unsubscribe.clear()
        self._device_listeners.clear()
        if self._wake is not None:
            self._wake()
            self._wake = None
        if self._engine is not None:
            await self._engine.async_stop()

    def _follow_devices(self) -> None:
        for remove in self._device_listeners:
            remove()
        runtime = self.runtime
        self._device_listeners = [
            coordinator.async_add_listener(self.async_request)
            for coordinator in (
                *runtime.printers.farm_coordinators().values(),
                *runtime.ottoejects.coordinators.values(),
            )
        ]

    @callback
    def _on_devices_changed(self, *_: Any) -> None:
        self._follow_devices()
        self.async_request()

    @callback
    def _on_event(self, event: Event) -> None:
        self.async_notify()
        self.async_request()

    async def _async_entry_updated(self, _hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Options (or subentries) changed: the next decisions use the options as they are."""
        self.engine.settings = settings_from_options(dict(entry.options))
        self.async_request()

    @callback
    def _on_tick(self, _now: Any) -> None:
        self.async_request()

    # -- reconciling --------------------------------------------------------------------------
    @callback
    def async_request(self) -> None:
        """Ask for a decision soon (several requests in one loop iteration make one)."""
        if self._pending or not self._started:
            return
        self._pending = True
        self.hass.loop.call_soon(self._reconcile)

    @callback
    def _reconcile(self) -> None:
        self._pending = False
        if not self._started:
            return
        try:
            self.engine.reconcile(current_topology(self.runtime))
        except Exception:
            _LOGGER.exception("OttoEngine orchestrator: a decision failed; retrying on the tick")

    @callback
    def async_wake_at(self, when: float) -> None:
        if self._wake_at is not None and self._wake_at <= when and self._wake is not None:
            return
        if self._wake is not None:
            self._wake()

        @callback
        def _woken(_now: Any) -> None:
            self._wake = None
            self._wake_at = None
            self.async_request()

        self._wake_at = when
        self._wake = async_call_later(self.hass, max(0.0, when - time.time()), _woken)

    @callback
    def async_changed(self) -> None:
        """Save soon and refresh the orchestrator's entities."""
        self.runtime.async_state_changed()  # which refreshes the entities too

    @callback
    def async_notify(self) -> None:
        """Refresh the orchestrator's entities (once per loop iteration)."""
        if self._update_pending:
            return
        self._update_pending = True

        @callback
        def _send() -> None:
            self._update_pending = False
            async_dispatcher_send(
                self.hass, SIGNAL_ORCHESTRATOR_UPDATED.format(self.entry.entry_id)
            )

        self.hass.loop.call_soon(_send)

    # -- operator actions ---------------------------------------------------------------------
    @callback
    def async_answer(self, run_id: int, answer: Answer) -> Run:
        return self.engine.answer(run_id, answer)

    @callback
    def async_plate_cleared(self, printer_id: int) -> bool:
        return self.engine.plate_cleared(printer_id)

    @callback
    def async_set_processing(self, enabled: bool) -> None:
        """Job processing on (queued jobs start) or off (running workflows still finish)."""
        processing = self.runtime.processing
        if enabled:
            processing.resume()
        else:
            processing.pause()
        self.async_changed()
        self.async_request()

    # -- repairs ------------------------------------------------------------------------------
    def raise_issue(self, run: Run) -> None:
        assert run.pause is not None
        runtime = self.runtime
        port = runtime.printers.printer(run.printer_id)
        job = runtime.state.jobs.get(run.job_id) if run.job_id is not None else None
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            workflow_issue_id(run.id),
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_WORKFLOW_PAUSED,
            translation_placeholders={
                "printer": port.name if port is not None else str(run.printer_id),
                "job": job.filename if job is not None else "-",
                "reason": run.pause.reason,
            },
            data={"kind": ISSUE_WORKFLOW_PAUSED, "entry_id": self.entry.entry_id, "run_id": run.id},
        )

    def clear_issue(self, run: Run) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, workflow_issue_id(run.id))


class _Hooks:
    """The orchestrator's ``FarmHooks`` in Home Assistant."""

    def __init__(self, runner: OrchestratorRunner) -> None:
        self._runner = runner

    async def async_persist(self) -> bool:
        store = self._runner.runtime.store
        await store.async_save_now(changed=True)
        return not store.last_save_failed

    def changed(self) -> None:
        self._runner.async_changed()

    def transition_job(self, job: PrintJob, target: JobStatus, reason: str) -> None:
        self._runner.runtime.async_transition_job(job, target, reason)

    def set_shelf(
        self, rack: Rack, shelf_number: int, state: ShelfState, job_id: int | None
    ) -> None:
        shelf = rack.shelf_by_number(shelf_number)
        if shelf is not None:
            self._runner.runtime.async_set_shelf(rack, shelf, state, job_id, "orchestrator")

    def set_build_plate(self, printer_id: int, present: bool) -> None:
        self._runner.runtime.printers.async_set_build_plate(printer_id, present)

    def fire(self, event: str, data: dict[str, Any]) -> None:
        self._runner.hass.bus.async_fire(f"{EVENT_PREFIX}{event}", data)

    def run_paused(self, run: Run) -> None:
        self._runner.raise_issue(run)

    def run_resumed(self, run: Run) -> None:
        self._runner.clear_issue(run)

    def print_file(self, item: PrintItem) -> Path:
        return self._runner.runtime.print_files.path_of(item.stored_name)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        runner = self._runner
        return runner.entry.async_create_background_task(runner.hass, coro, name)

    def wake_at(self, when: float) -> None:
        self._runner.async_wake_at(when)
