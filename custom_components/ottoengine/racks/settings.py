"""What a rack subentry stores (its shelves' states live in the farm state, not here).

Besides the rack's shape it names the OttoEject that serves it (``ottoeject_id``, optional:
data stored before it existed lacks it). The "Add rack" flow and ``/api/ottoracks`` check it
with the same parser.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_NAME

from ..farm.racks import InvalidRackError, Rack
from ..subentries import CONF_ID, SUBENTRY_RACK, subentries_by_id

CONF_NUMBER_OF_SHELVES: Final = "number_of_shelves"
CONF_SHELF_SPACING_MM: Final = "shelf_spacing_mm"
CONF_BED_SIZE: Final = "bed_size"
CONF_OTTOEJECT_ID: Final = "ottoeject_id"


def parse_ottoeject_id(value: object, known: Collection[int]) -> int | None:
    """The OttoEject that serves the rack: one of ``known`` (the configured ids) or ``None``.

    ``None`` stands for the farm's only OttoEject while it has exactly one.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRackError(CONF_OTTOEJECT_ID, "must be the id of an OttoEject (or null)")
    if value not in known:
        raise InvalidRackError(CONF_OTTOEJECT_ID, f"OttoEject {value} does not exist")
    return value


@dataclass(frozen=True, slots=True)
class RackSettings:
    """A rack's stored settings.

    An OttoEject deleted later stays named by ``ottoeject_id``: the rack then has no OttoEject
    (``topology.ejector_of`` resolves an unknown id to ``None``) and the REST API still answers
    the stored id, until the rack is given another one; reconfiguring the rack in the UI drops
    an id that names no OttoEject.
    """

    id: int
    name: str
    number_of_shelves: int
    shelf_spacing_mm: float
    bed_size: str
    ottoeject_id: int | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            CONF_ID: self.id,
            CONF_NAME: self.name,
            CONF_NUMBER_OF_SHELVES: self.number_of_shelves,
            CONF_SHELF_SPACING_MM: self.shelf_spacing_mm,
            CONF_BED_SIZE: self.bed_size,
            CONF_OTTOEJECT_ID: self.ottoeject_id,
        }

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> RackSettings:
        data = subentry.data
        ejector = data.get(CONF_OTTOEJECT_ID)
        return cls(
            id=int(data[CONF_ID]),
            name=str(data[CONF_NAME]),
            number_of_shelves=int(data[CONF_NUMBER_OF_SHELVES]),
            shelf_spacing_mm=float(data[CONF_SHELF_SPACING_MM]),
            bed_size=str(data[CONF_BED_SIZE]),
            ottoeject_id=int(ejector) if ejector else None,
        )

    @classmethod
    def of_rack(cls, rack: Rack) -> RackSettings:
        """The settings a farm rack mirrors (the farm state holds no ``ottoeject_id``: None)."""
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
