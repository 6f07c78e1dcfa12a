"""Klipper model profiles: who raises the bed, and the robot's macro names."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.farm.orchestration.profiles import klipper_profile


@pytest.mark.parametrize(
    ("model", "key", "raises", "eject", "door"),
    [
        ("K1C", "K1C", True, "EJECT_FROM_CREALITY_K_ONE_C", "CLOSE_DOOR_CREALITY_K_ONE_C"),
        ("k1", "K1", True, "EJECT_FROM_CREALITY_K_ONE_C", "CLOSE_DOOR_CREALITY_K_ONE_C"),
        (
            "Kobra S1",
            "Kobra S1",
            False,
            "EJECT_FROM_ANYCUBIC_KOBRA_S_ONE",
            "CLOSE_DOOR_ANYCUBIC_KOBRA_S_ONE",
        ),
        (
            "kobras1",
            "Kobra S1",
            False,
            "EJECT_FROM_ANYCUBIC_KOBRA_S_ONE",
            "CLOSE_DOOR_ANYCUBIC_KOBRA_S_ONE",
        ),
        ("Voron", "Voron", False, "EJECT_FROM_VORON", None),
        ("Ender 3", "generic", False, "EJECT_FROM_GENERIC_PRINTER", None),
        (None, "generic", False, "EJECT_FROM_GENERIC_PRINTER", None),
    ],
)
def test_profiles(model: str | None, key: str, raises: bool, eject: str, door: str | None) -> None:
    profile = klipper_profile(model)
    assert (profile.key, profile.end_gcode_raises_bed) == (key, raises)
    assert (profile.macros.eject, profile.macros.close_door) == (eject, door)
    assert profile.macros.load == eject.replace("EJECT_FROM_", "LOAD_ONTO_")
    assert profile.bed.gcode == "G90\nG1 Z200 F600"
