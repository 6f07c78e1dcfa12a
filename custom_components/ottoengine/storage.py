"""Persistence of the farm's state in Home Assistant's Store (``.storage/ottoengine.farm``)."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import STORAGE_KEY, STORAGE_MINOR_VERSION, STORAGE_SAVE_DELAY, STORAGE_VERSION
from .farm.state import FarmState

_LOGGER = logging.getLogger(__name__)


class _FarmDataStore(Store[dict[str, Any]]):
    """HA's Store of the farm's state, with the migrations between its layouts."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        # A newer major version never gets here (HA's Store refuses to read it).
        data = old_data
        if old_minor_version < 2:
            # 1.2 stores job processing (enabled, restarts, statistics) with the farm; 1.1
            # kept it in memory only. Its statistics are those the jobs' history implies.
            data = FarmState.from_dict(old_data).as_dict()
        return data


class FarmStore:
    """Loads the farm's state once and saves it (coalesced) whenever it changes."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._store: Store[dict[str, Any]] = _FarmDataStore(
            hass,
            STORAGE_VERSION,
            STORAGE_KEY,
            private=True,
            atomic_writes=True,
            minor_version=STORAGE_MINOR_VERSION,
        )
        self.state = FarmState()
        self.last_save_failed = False
        # Changed since the last write that succeeded: a confirmation with nothing to confirm
        # (a command to a device, a repeated request) costs no write.
        self._unsaved = False

    async def async_load(self) -> FarmState:
        self.state = FarmState.from_dict(await self._store.async_load())
        return self.state

    def async_schedule_save(self) -> None:
        """Save soon; several changes in a short time are written once."""
        self._unsaved = True
        self._store.async_delay_save(self._data_to_save, STORAGE_SAVE_DELAY)

    async def async_save_now(self, *, changed: bool = False) -> None:
        """Write every change made so far (nothing when nothing changed since the last write).

        ``changed``: the caller changed the state without ``async_schedule_save``, and it must
        be written now (the orchestrator marks a command in flight, then saves, then sends it).
        """
        if not (self._unsaved or changed):
            return
        # Cleared before the write: a change made while it runs is written by the next one.
        self._unsaved = False
        try:
            await self._store.async_save(self._data_to_save())
        except OSError:
            self._unsaved = True
            self.last_save_failed = True
            _LOGGER.exception("Could not save the OttoEngine farm state")
        else:
            self.last_save_failed = False

    async def async_remove(self) -> None:
        await self._store.async_remove()

    def _data_to_save(self) -> dict[str, Any]:
        return self.state.as_dict()
