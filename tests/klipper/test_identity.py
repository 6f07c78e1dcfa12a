"""Printer or OttoEject, from Moonraker's object list (pure part; the probe is integration)."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.klipper.identity import MoonrakerDeviceKind, device_kind

ROBOT = [
    "webhooks",
    "print_stats",
    "toolhead",
    "gcode_macro OTTOEJECT_HOME",
    "gcode_macro PARK_OTTOEJECT",
]
PRINTER = [
    "webhooks",
    "print_stats",
    "toolhead",
    "extruder",
    "heater_bed",
    "gcode_macro START_PRINT",
]


@pytest.mark.parametrize(
    ("objects", "sections", "expected"),
    [
        (ROBOT, (), MoonrakerDeviceKind.OTTOEJECT),
        (["gcode_macro park_ottoeject"], (), MoonrakerDeviceKind.OTTOEJECT),
        (PRINTER, (), MoonrakerDeviceKind.PRINTER),
        (["webhooks"], ("printer", "Extruder"), MoonrakerDeviceKind.PRINTER),
        ([*PRINTER, "gcode_macro OTTOEJECT_HOME"], (), MoonrakerDeviceKind.OTTOEJECT),
        (["webhooks", "toolhead", "gcode_macro EJECT_FROM_X"], (), MoonrakerDeviceKind.UNKNOWN),
        ([], (), MoonrakerDeviceKind.UNKNOWN),
    ],
)
def test_device_kind(
    objects: list[str], sections: tuple[str, ...], expected: MoonrakerDeviceKind
) -> None:
    assert device_kind(objects, sections) is expected
