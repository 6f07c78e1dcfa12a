"""Exact JSON of the print speed and chamber light requests (the select and light entities)."""

from __future__ import annotations

import json

import pytest

from custom_components.ottoengine.bambu import commands


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_print_speed_exact_json(level: int) -> None:
    payload = json.dumps(commands.print_speed(level, "5"))
    assert payload == (
        f'{{"print": {{"sequence_id": "5", "command": "print_speed", "param": "{level}"}}}}'
    )


@pytest.mark.parametrize("level", [0, 5, -1])
def test_print_speed_rejects_unknown_levels(level: int) -> None:
    with pytest.raises(ValueError, match="1-4"):
        commands.print_speed(level)


def test_chamber_light_exact_json() -> None:
    assert commands.led_control("chamber_light", "off") == {
        "system": {
            "sequence_id": "0",
            "command": "ledctrl",
            "led_node": "chamber_light",
            "led_mode": "off",
            "led_on_time": 500,
            "led_off_time": 500,
            "loop_times": 0,
            "interval_time": 0,
        }
    }
