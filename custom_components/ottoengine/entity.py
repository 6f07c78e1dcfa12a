"""What every OttoEngine entity shares: named by translation, on a farm device under the hub.

- ``farm_device_info``: the device of a printer, OttoEject or rack, attached via the hub.
- ``OttoEntity``: an entity pushed from the farm's own records (shelves, build plates).
- ``OttoCoordinatorEntity``: an entity following a device's coordinator.
- ``async_follow_devices``: add a kind's entities now and whenever devices of it are added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .const import MANUFACTURER
from .device_sync import devices_changed_signal
from .subentries import DeviceKind, device_identifier

if TYPE_CHECKING:
    from .runtime import OttoConfigEntry, OttoRuntime


def farm_device_info(
    entry_id: str,
    hub_device_id: str,
    kind: DeviceKind,
    device_id: int,
    *,
    name: str,
    model: str,
    manufacturer: str = MANUFACTURER,
    serial_number: str | None = None,
) -> DeviceInfo:
    """The device of one farm device, shown under the hub device."""
    info = DeviceInfo(
        identifiers={device_identifier(entry_id, kind, device_id)},
        name=name,
        manufacturer=manufacturer,
        model=model,
        via_device_id=hub_device_id,
    )
    if serial_number is not None:
        info["serial_number"] = serial_number
    return info


class OttoEntity(Entity):
    """An entity of the loaded hub; pushed (never polled) whenever its record changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, runtime: OttoRuntime) -> None:
        self.runtime = runtime


class OttoCoordinatorEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one device, following that device's coordinator."""

    _attr_has_entity_name = True


@callback
def async_follow_devices[DeviceT](
    hass: HomeAssistant,
    entry: OttoConfigEntry,
    kind: DeviceKind,
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    devices: Callable[[], Mapping[str, DeviceT]],
    build: Callable[[DeviceT], Iterable[Entity]],
) -> None:
    """Add the entities of every device of ``kind`` now, and of devices added later.

    ``devices`` maps subentry ids to the running devices, in the order their entities are
    added (by API id). Entities of removed devices go with
    their subentry (Home Assistant removes them).
    """
    known: set[str] = set()

    @callback
    def async_add_new() -> None:
        running = devices()
        known.intersection_update(running)
        for subentry_id, device in running.items():
            if subentry_id in known:
                continue
            known.add(subentry_id)
            async_add_entities(list(build(device)), config_subentry_id=subentry_id)

    async_add_new()
    entry.async_on_unload(
        async_dispatcher_connect(hass, devices_changed_signal(entry.entry_id, kind), async_add_new)
    )
