"""One Klipper printer as the farm sees it: the ``PrinterPort`` the orchestrator drives.

It follows the printer over Moonraker's websocket (``MoonrakerStatusStream`` subscribed to the
printer objects, HTTP polling while the socket is down), maps the merged status to the farm's
model (``status.derive_snapshot``) and applies the end-of-job quirks (``quirks``) for the job it
started. Commands go through ``KlipperClient``; their failures become the farm's
``DeviceError``s (``command_errors``). A command whose answer does not come in time counts as
``CommandResult.SENT`` (Moonraker has it; watch the status), as for Bambu printers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
import contextlib
import logging
from pathlib import Path
from typing import Any, Final

from ..farm.orchestration.profiles import KlipperModelProfile, klipper_profile
from ..farm.ports import CommandResult, PrinterSnapshot, StartOptions
from ..moonraker.errors import MoonrakerClientError, MoonrakerConnectionError, MoonrakerError
from ..moonraker.status_stream import MoonrakerStatusStream
from .client import KlipperClient, UploadProgress
from .command_errors import command_error, upload_error
from .metadata import FileMetadata
from .quirks import (
    HistoryJob,
    PrintStatsKey,
    TrackedJob,
    apply_quirks,
    is_stale_end,
    observe,
    print_stats_key,
)
from .status import OFFLINE, PRINTER_OBJECTS, KlipperSnapshot, derive_snapshot

_LOGGER = logging.getLogger(__name__)

COMMAND_TIMEOUT: Final = 30.0  # start/pause/resume/cancel answer at once unless a macro blocks


class KlipperPrinterPort:
    """The farm's ``PrinterPort`` for a Klipper printer behind Moonraker."""

    def __init__(
        self,
        client: KlipperClient,
        *,
        printer_id: int,
        name: str,
        model: str | None = None,
        on_change: Callable[[KlipperSnapshot], None] | None = None,
        upload_progress: UploadProgress | None = None,
        poll_interval: float = 2.0,
        reconnect_min: float = 0.5,
        reconnect_max: float = 30.0,
    ) -> None:
        self._client = client
        self._printer_id = printer_id
        self._name = name
        self.profile: KlipperModelProfile = klipper_profile(model)
        self._on_change = on_change
        self._upload_progress = upload_progress
        self._stream = MoonrakerStatusStream(
            client,
            objects=PRINTER_OBJECTS,
            on_update=self._recompute,
            poll_interval=poll_interval,
            reconnect_min=reconnect_min,
            reconnect_max=reconnect_max,
        )
        self._job: TrackedJob | None = None
        self._newest: HistoryJob | None = None
        self._history_checked: tuple[str, PrintStatsKey] | None = None
        self._metadata: dict[str, FileMetadata | None] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._snapshot: KlipperSnapshot = OFFLINE
        self._raw: KlipperSnapshot = OFFLINE

    # -- identity ------------------------------------------------------------------------------
    @property
    def printer_id(self) -> int:
        return self._printer_id

    @property
    def name(self) -> str:
        return self._name

    @property
    def client(self) -> KlipperClient:
        return self._client

    @property
    def tracked_job(self) -> TrackedJob | None:
        return self._job

    # -- lifecycle -----------------------------------------------------------------------------
    async def async_start(self) -> None:
        """Start following the printer (the first status arrives shortly)."""
        await self._stream.start()

    async def async_close(self) -> None:
        """Stop following: the websocket is closed and no task is left."""
        await self._stream.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- status --------------------------------------------------------------------------------
    def klipper_snapshot(self) -> KlipperSnapshot:
        """The detailed snapshot (temperatures, detail, message) with the quirks applied."""
        return self._snapshot

    def snapshot(self) -> PrinterSnapshot:
        return self._snapshot.to_printer_snapshot()

    def _recompute(self) -> None:
        base = self._stream.snapshot
        objects = self._stream.objects
        filename = str((objects.get("print_stats") or {}).get("filename") or "") or None
        metadata = self._metadata.get(filename) if filename else None
        raw = derive_snapshot(
            reachable=base.reachable,
            klippy_connected=base.klippy_connected,
            klippy_state=base.klippy_state,
            objects=objects,
            state_message=base.state_message,
            estimated_time=metadata.estimated_time if metadata else None,
            total_layers_hint=metadata.total_layers if metadata else None,
        )
        self._raw = raw
        if filename and filename not in self._metadata:
            self._metadata[filename] = None
            self._spawn(self._async_load_metadata(filename))
        if self._job is not None:
            self._job = observe(self._job, raw)
            key = (self._job.filename, print_stats_key(raw))
            if is_stale_end(self._job, raw, self._newest) and self._history_checked != key:
                self._history_checked = key  # once per print_stats change, not per update
                self._spawn(self._async_check_history())
        snapshot = apply_quirks(self._job, raw, self._newest)
        previous, self._snapshot = self._snapshot, snapshot
        if snapshot != previous and self._on_change is not None:
            self._on_change(snapshot)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _async_load_metadata(self, filename: str) -> None:
        try:
            self._metadata[filename] = await self._client.metadata(filename, attempts=3)
        except MoonrakerConnectionError as err:
            _LOGGER.debug("%s: metadata of %s not read: %s", self._name, filename, err)
            self._metadata.pop(filename, None)  # read it again once the printer answers
            return
        except MoonrakerClientError as err:
            _LOGGER.debug("%s: no metadata for %s: %s", self._name, filename, err)
            return
        self._recompute()

    async def _async_check_history(self) -> None:
        try:
            self._newest = await self._client.newest_history_job()
        except MoonrakerClientError as err:
            _LOGGER.debug("%s: history not available: %s", self._name, err)
            return
        self._recompute()

    # -- commands ------------------------------------------------------------------------------
    async def _async_command(
        self, action: str, send: Callable[[], Awaitable[None]]
    ) -> CommandResult:
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT):
                await send()
        except TimeoutError:
            return CommandResult.SENT
        except MoonrakerConnectionError as err:
            if isinstance(err.__cause__, TimeoutError):
                return CommandResult.SENT  # Moonraker took it; Klipper is still at it
            raise command_error(err, self._name, action) from err
        except MoonrakerClientError as err:
            raise command_error(err, self._name, action) from err
        return CommandResult.CONFIRMED

    async def async_upload(self, path: Path, remote_name: str) -> str:
        """Upload to the ``gcodes`` root; returns the file's path there."""
        try:
            result = await self._client.upload(path, remote_name, progress=self._upload_progress)
        except MoonrakerClientError as err:
            raise upload_error(err, self._name) from err
        self._metadata.pop(result.path, None)  # a new file under an old name: read it again
        return result.path

    async def async_start_print(self, filename: str, options: StartOptions) -> CommandResult:
        """Start a file of the ``gcodes`` root (Bambu options do not apply to Klipper)."""
        try:
            newest = await self._client.newest_history_job()
        except MoonrakerError as err:  # the history is only a cross-check: start anyway
            _LOGGER.debug("%s: history not available: %s", self._name, err)
            newest = None
        except MoonrakerClientError as err:
            raise command_error(err, self._name, f"start {filename}") from err
        self._newest = newest
        self._history_checked = None
        self._job = TrackedJob(
            filename=filename,
            baseline_job_id=newest.job_id if newest is not None else None,
            baseline_print=print_stats_key(self._raw) if self._raw.print_state else None,
        )
        self._recompute()
        return await self._async_command(
            f"start {filename}", lambda: self._client.start_print(filename)
        )

    async def async_pause(self) -> CommandResult:
        return await self._async_command("pause", self._client.pause)

    async def async_resume(self) -> CommandResult:
        return await self._async_command("resume", self._client.resume)

    async def async_stop(self) -> CommandResult:
        return await self._async_command("cancel the print", self._client.cancel)

    async def async_send_gcode(self, gcode: str) -> CommandResult:
        """Run G-code lines; CONFIRMED once Klipper processed them all."""
        return await self._async_command("run the G-code", lambda: self._client.gcode_script(gcode))

    @property
    def bed_moved_by_end_gcode(self) -> bool:
        """The model's END_PRINT moves the bed to the eject position (nothing to send)."""
        return self.profile.end_gcode_raises_bed

    async def async_move_bed(self) -> CommandResult | None:
        """Move the bed to the eject position after a print (``None``: END_PRINT did it)."""
        if self.bed_moved_by_end_gcode:
            return None
        return await self.async_send_gcode(self.profile.bed.gcode)

    async def async_metadata(self, filename: str) -> FileMetadata:
        """A file's slicer metadata (retried while Moonraker extracts it after an upload)."""
        try:
            return await self._client.metadata(filename)
        except MoonrakerClientError as err:
            raise command_error(err, self._name, f"read the metadata of {filename}") from err
