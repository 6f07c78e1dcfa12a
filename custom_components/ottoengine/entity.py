"""The base of OttoEngine's entities: named by translation, attached to a farm device."""

from __future__ import annotations

from homeassistant.helpers.entity import Entity

from .runtime import OttoRuntime


class OttoEntity(Entity):
    """An entity of the loaded hub; pushed (never polled) whenever its record changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, runtime: OttoRuntime) -> None:
        self.runtime = runtime
