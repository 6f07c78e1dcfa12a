"""One panel's live view of the farm: a snapshot, then only what changed (never polled).

Pushes wake it: every printer's and OttoEject's coordinator, the runtime's state-changed path
(the orchestrator's update signal, sent after every change of jobs, shelves, runs and
processing), job and shelf events, devices added or removed, and the hub entry loading or
unloading. A burst of pushes is sent as one ``changes`` event ``COALESCE_S`` after its first
push, holding only the items and sections that differ from what this panel was last sent. A hub
entry that loads or unloads sends a new ``snapshot``. The figures of the day also change at
local midnight, without any push: a timer wakes the panel then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later, async_track_point_in_time
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, EVENT_JOB_STATUS_CHANGED, EVENT_SHELF_CHANGED
from ..device_sync import devices_changed_signal
from ..farm.figures import start_of_day
from ..orchestrator.const import SIGNAL_ORCHESTRATOR_UPDATED
from ..runtime import OttoRuntime
from ..subentries import DeviceKind
from .const import COALESCE_S
from .snapshot import ITEM_SECTIONS, VALUE_SECTIONS, farm_snapshot


def loaded_runtime(hass: HomeAssistant) -> OttoRuntime | None:
    """The loaded hub's runtime, if a hub entry is loaded."""
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    if not entries:
        return None
    runtime: OttoRuntime = entries[0].runtime_data
    return runtime


def farm_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What differs from ``old`` to ``new``: changed or new items (``None``: gone) of the
    item sections, and each other section whole if it changed."""
    changes: dict[str, Any] = {}
    for section in ITEM_SECTIONS:
        before: dict[str, Any] = old[section]
        after: dict[str, Any] = new[section]
        items: dict[str, Any] = {key: None for key in before if key not in after}
        items.update({key: item for key, item in after.items() if before.get(key) != item})
        if items:
            changes[section] = items
    for section in VALUE_SECTIONS:
        if old[section] != new[section]:
            changes[section] = new[section]
    return changes


class PanelSubscription:
    """Sends one websocket subscription the farm, then its changes."""

    def __init__(self, hass: HomeAssistant, connection: ActiveConnection, msg_id: int) -> None:
        self.hass = hass
        self.connection = connection
        self.msg_id = msg_id
        self.is_admin = bool(connection.user and connection.user.is_admin)
        self._sent: dict[str, Any] | None = None
        self._runtime: OttoRuntime | None = None
        self._global: list[CALLBACK_TYPE] = []
        self._hub: list[CALLBACK_TYPE] = []
        self._devices: list[CALLBACK_TYPE] = []
        self._flush: CALLBACK_TYPE | None = None
        self._midnight: CALLBACK_TYPE | None = None
        self._snapshot_due = False
        self._stopped = False

    # -- life cycle ----------------------------------------------------------------------------
    @callback
    def async_start(self) -> None:
        """Follow the farm and send the first snapshot at once."""
        bus = self.hass.bus
        self._global = [
            async_dispatcher_connect(self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._entry_changed),
            bus.async_listen(EVENT_JOB_STATUS_CHANGED, self._on_event),
            bus.async_listen(EVENT_SHELF_CHANGED, self._on_event),
        ]
        self._follow_hub()
        self._send_snapshot()

    @callback
    def async_stop(self) -> None:
        """Unsubscribed (or the connection closed): no listener or timer is left."""
        self._stopped = True
        for remove in (*self._global, *self._hub, *self._devices):
            remove()
        self._global, self._hub, self._devices = [], [], []
        for timer in (self._flush, self._midnight):
            if timer is not None:
                timer()
        self._flush = self._midnight = None

    @property
    def listener_count(self) -> int:
        """Listeners and timers held now (0 once stopped)."""
        timers = sum(timer is not None for timer in (self._flush, self._midnight))
        return len(self._global) + len(self._hub) + len(self._devices) + timers

    # -- following the hub and its devices -----------------------------------------------------
    def _follow_hub(self) -> None:
        for remove in (*self._hub, *self._devices):
            remove()
        self._hub, self._devices = [], []
        runtime = self._runtime = loaded_runtime(self.hass)
        if runtime is None:
            return
        entry_id = runtime.entry_id
        self._hub = [
            async_dispatcher_connect(
                self.hass, SIGNAL_ORCHESTRATOR_UPDATED.format(entry_id), self._on_push
            ),
            *(
                async_dispatcher_connect(
                    self.hass, devices_changed_signal(entry_id, kind), self._on_devices_changed
                )
                for kind in DeviceKind
            ),
        ]
        self._follow_devices()

    def _follow_devices(self) -> None:
        for remove in self._devices:
            remove()
        runtime = self._runtime
        self._devices = (
            []
            if runtime is None
            else [
                coordinator.async_add_listener(self._on_push)
                for coordinator in (
                    *runtime.printers.farm_coordinators().values(),
                    *runtime.ottoejects.coordinators.values(),
                )
            ]
        )

    @callback
    def _on_devices_changed(self, *_: Any) -> None:
        self._follow_devices()
        self._on_push()

    @callback
    def _entry_changed(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain != DOMAIN:
            return
        runtime = loaded_runtime(self.hass)
        if runtime is self._runtime:
            return
        # The hub was loaded, reloaded or unloaded: follow it anew and send it whole.
        self._follow_hub()
        self._snapshot_due = True
        self._on_push()

    # -- pushes --------------------------------------------------------------------------------
    @callback
    def _on_event(self, _event: Event) -> None:
        self._on_push()

    @callback
    def _on_push(self, *_: Any) -> None:
        if self._flush is None and not self._stopped:
            self._flush = async_call_later(self.hass, COALESCE_S, self._send_changes)

    @callback
    def _send_changes(self, _now: datetime) -> None:
        self._flush = None
        if self._snapshot_due or self._sent is None:
            self._send_snapshot()
            return
        farm = self._farm()
        changes = farm_changes(self._sent, farm)
        self._sent = farm
        if changes:
            self.connection.send_message(event_message(self.msg_id, {"kind": "changes", **changes}))

    def _send_snapshot(self) -> None:
        self._snapshot_due = False
        farm = self._sent = self._farm()
        self.connection.send_message(event_message(self.msg_id, {"kind": "snapshot", "farm": farm}))

    def _farm(self) -> dict[str, Any]:
        now = dt_util.now()
        self._wake_at_midnight(now)
        return farm_snapshot(self._runtime, is_admin=self.is_admin, now=now)

    def _wake_at_midnight(self, now: datetime) -> None:
        """Today's figures start again at local midnight."""
        if self._midnight is not None or self._stopped:
            return

        @callback
        def _midnight(_now: datetime) -> None:
            self._midnight = None
            self._on_push()

        self._midnight = async_track_point_in_time(
            self.hass, _midnight, start_of_day(now + timedelta(days=1))
        )
