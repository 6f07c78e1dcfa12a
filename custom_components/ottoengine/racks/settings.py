"""What a rack subentry stores (its shelves' states live in the farm state, not here)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_NAME

from ..farm.racks import Rack
from ..subentries import CONF_ID, SUBENTRY_RACK, subentries_by_id

CONF_NUMBER_OF_SHELVES: Final = "number_of_shelves"
CONF_SHELF_SPACING_MM: Final = "shelf_spacing_mm"
CONF_BED_SIZE: Final = "bed_size"


@dataclass(frozen=True, slots=True)
class RackSettings:
    id: int
    name: str
    number_of_shelves: int
    shelf_spacing_mm: float
    bed_size: str

    def as_data(self) -> dict[str, Any]:
        return {
            CONF_ID: self.id,
            CONF_NAME: self.name,
            CONF_NUMBER_OF_SHELVES: self.number_of_shelves,
            CONF_SHELF_SPACING_MM: self.shelf_spacing_mm,
            CONF_BED_SIZE: self.bed_size,
        }

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> RackSettings:
        data = subentry.data
        return cls(
            id=int(data[CONF_ID]),
            name=str(data[CONF_NAME]),
            number_of_shelves=int(data[CONF_NUMBER_OF_SHELVES]),
            shelf_spacing_mm=float(data[CONF_SHELF_SPACING_MM]),
            bed_size=str(data[CONF_BED_SIZE]),
        )

    @classmethod
    def of_rack(cls, rack: Rack) -> RackSettings:
        return cls(rack.id, rack.name, rack.number_of_shelves, rack.shelf_spacing_mm, rack.bed_size)

    def new_subentry(self) -> ConfigSubentry:
        return ConfigSubentry(
            data=MappingProxyType(self.as_data()),
            subentry_type=SUBENTRY_RACK,
            title=self.name,
            unique_id=str(self.id),
        )


def name_in_use(entry: ConfigEntry, name: str, *, except_id: int | None = None) -> bool:
    """Whether another rack already has this name (compared case-insensitively)."""
    return any(
        subentry.title.casefold() == name.casefold()
        for rack_id, subentry in subentries_by_id(entry, SUBENTRY_RACK).items()
        if rack_id != except_id
    )
