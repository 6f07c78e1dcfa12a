"""Printer cameras: the live view of each printer that has one.

- P1/A1 printers stream JPEG frames on port 6000 (``bambu.camera.PrinterCamera``): a still is
  the latest frame, the MJPEG stream relays every frame. The printer is connected only while
  someone watches (plus a short linger), one connection per printer however many watch.
- X1/H2/P2S printers serve RTSPS on port 322: Home Assistant's ``stream`` integration plays the
  URL ``stream_source`` returns. It carries the access code, so it is returned only to HA's
  stream component: never logged, never in the entity's attributes or in diagnostics.

The cameras are enabled by default, as in ha-bambulab (its camera option defaults to on): a
camera costs nothing until it is watched, and a farm operator wants to see the plates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
import logging

from aiohttp import web
from homeassistant.components.camera import Camera, async_get_still_stream
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .bambu import BambuError
from .bambu.camera import (
    CameraKind,
    CameraSettings,
    PrinterCamera,
    camera_kind,
    rtsps_url,
)
from .const import DOMAIN
from .entity import async_follow_devices
from .printers.coordinator import PrinterCoordinator
from .printers.entities import PrinterEntity
from .printers.manager import PrintersManager
from .runtime import OttoConfigEntry
from .subentries import DeviceKind

_LOGGER = logging.getLogger(__name__)

# Pushed entities: no polling, no parallel update limit.
PARALLEL_UPDATES = 0

# How the P1/A1 cameras connect (tests shorten the timeouts or point at another port).
CAMERA_SETTINGS = CameraSettings()
JPEG_CONTENT_TYPE = "image/jpeg"
# A still waits this long for a frame: less than Home Assistant's own 10 s, so that the user
# sees why (access code, unreachable) rather than a bare timeout.
SNAPSHOT_TIMEOUT = 8.0


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
        build=lambda coordinator: _cameras(manager, coordinator),
    )


def _cameras(manager: PrintersManager, coordinator: PrinterCoordinator) -> Iterable[Entity]:
    kind = camera_kind(coordinator.settings.model)
    if kind is CameraKind.JPEG:
        return [PrinterJpegCamera(manager, coordinator)]
    if kind is CameraKind.RTSPS:
        return [PrinterRtspsCamera(manager, coordinator)]
    return []


class PrinterCameraEntity(PrinterEntity, Camera):
    """A printer's camera (available while the printer is online)."""

    _attr_translation_key = "camera"
    _attr_brand = "Bambu Lab"

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator) -> None:
        PrinterEntity.__init__(self, manager, coordinator, "camera")
        Camera.__init__(self)
        self._attr_model = coordinator.settings.model


class PrinterJpegCamera(PrinterCameraEntity):
    """A P1/A1 camera: JPEG frames relayed from the printer's port 6000."""

    _attr_frame_interval = 0.5

    def __init__(self, manager: PrintersManager, coordinator: PrinterCoordinator) -> None:
        super().__init__(manager, coordinator)
        self._camera: PrinterCamera | None = None
        self._camera_for: tuple[str, str, str] | None = None

    @property
    def camera(self) -> PrinterCamera:
        """The printer's camera stream, rebuilt when its address or access code changed."""
        settings = self.coordinator.settings
        key = (settings.ip_address, settings.serial_number, settings.access_code)
        if self._camera is None or key != self._camera_for:
            if self._camera is not None:
                self.hass.async_create_task(self._camera.close(), eager_start=True)
            self._camera = PrinterCamera(
                settings.ip_address,
                settings.access_code,
                serial=settings.serial_number,
                settings=CAMERA_SETTINGS,
            )
            self._camera_for = key
        return self._camera

    @property
    def is_streaming(self) -> bool:
        return self._camera is not None and self._camera.watchers > 0

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """The latest frame (connecting, and waiting for one, if nobody watches)."""
        if not self.available:
            return None
        try:
            return await self.camera.snapshot(SNAPSHOT_TIMEOUT)
        except BambuError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="camera_unavailable",
                translation_placeholders={
                    "name": self.coordinator.settings.name,
                    "reason": str(err),
                },
            ) from err

    async def handle_async_mjpeg_stream(self, request: web.Request) -> web.StreamResponse | None:
        """Relay every frame as an MJPEG stream while the client stays (one shared connection)."""
        camera = self.camera
        release: Callable[[], None] = camera.watch()
        first = camera.fresh_frame()

        async def next_image() -> bytes | None:
            nonlocal first
            if first is not None:
                image, first = first, None
                return image
            try:
                return await camera.next_frame(CAMERA_SETTINGS.frame_timeout)
            except BambuError as err:
                _LOGGER.debug("Camera of %s: stream ends: %s", self.coordinator.settings.name, err)
                return None  # ends the response

        try:
            return await async_get_still_stream(request, next_image, JPEG_CONTENT_TYPE, 0)
        finally:
            release()

    async def async_will_remove_from_hass(self) -> None:
        await super().async_will_remove_from_hass()
        if self._camera is not None:
            await self._camera.close()


class PrinterRtspsCamera(PrinterCameraEntity):
    """An X1/H2/P2S camera: Home Assistant's stream integration plays the printer's RTSPS."""

    _attr_supported_features = CameraEntityFeature.STREAM

    @property
    def use_stream_for_stills(self) -> bool:
        return True

    @property
    def is_streaming(self) -> bool:
        return self.available

    async def stream_source(self) -> str | None:
        """The RTSPS URL (with the access code) while the printer is online."""
        if not self.available:
            return None
        settings = self.coordinator.settings
        return rtsps_url(settings.ip_address, settings.access_code)

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """Stills come from the stream (``use_stream_for_stills``); nothing without one."""
        return None

    @callback
    def _handle_coordinator_update(self) -> None:
        # A new address or access code: the stream is recreated from the new source.
        if self.stream is not None and self.available:
            source = rtsps_url(
                self.coordinator.settings.ip_address, self.coordinator.settings.access_code
            )
            if self.stream.source != source:
                self.stream.update_source(source)
        super()._handle_coordinator_update()
