"""The device registry: the hub (it has no entities of its own) and every farm device under it."""

from __future__ import annotations

from homeassistant.helpers import device_registry as dr
from syrupy.assertion import SnapshotAssertion

from .conftest import OTTOEJECTS, PRINTERS, RACKS, Farm


async def test_devices(
    farm: Farm, device_registry: dr.DeviceRegistry, snapshot: SnapshotAssertion
) -> None:
    devices = dr.async_entries_for_config_entry(device_registry, farm.entry.entry_id)
    expected = [
        farm.hub,
        *(farm.device("printer", p.id) for p in PRINTERS),
        *(farm.device("ottoeject", o.id) for o in OTTOEJECTS),
        *(farm.device("rack", r.id) for r in RACKS),
    ]
    assert sorted(d.id for d in devices) == sorted(d.id for d in expected)
    for device in expected:
        assert device == snapshot(name=device.name)

    # The snapshots hide device ids: which device each one hangs under is named here.
    assert farm.placement() == snapshot(name="placement")
