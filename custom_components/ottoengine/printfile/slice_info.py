"""``Metadata/slice_info.config``: Bambu Studio / OrcaSlicer per-plate slicing results.

Structure (bambu-lan-protocol.md section 6)::

    <config>
      <header><header_item key="X-BBL-Client-Version" value="01.09.07.52"/></header>
      <plate>
        <metadata key="index" value="1"/>
        <metadata key="printer_model_id" value="C12"/> <!-- Bambu model code -->
        <metadata key="nozzle_diameters" value="0.4"/> <!-- mm, comma list if several -->
        <metadata key="prediction" value="1923"/>      <!-- seconds -->
        <metadata key="weight" value="8.04"/>          <!-- grams -->
        <filament id="1" type="PLA" color="#FFFFFF" used_m="2.69" used_g="8.04"/>
      </plate>
    </config>
"""

from __future__ import annotations

from dataclasses import dataclass
import xml.etree.ElementTree as ET

from .limits import MAX_FILAMENTS
from .model import FilamentInfo
from .structured_data import parse_xml
from .values import (
    clean_text,
    normalize_color,
    parse_float,
    parse_int,
    parse_nozzle_diameter_mm,
)

SLICE_INFO_MEMBER = "Metadata/slice_info.config"


@dataclass(frozen=True, slots=True)
class PlateSliceInfo:
    """One ``<plate>`` of slice_info.config."""

    index: int | None
    prediction_s: int | None
    weight_g: float | None
    printer_model_id: str | None
    nozzle_diameter_mm: float | None
    filaments: tuple[FilamentInfo, ...]


def parse_slice_info(data: bytes) -> list[PlateSliceInfo]:
    """Return the plates described by a slice_info.config document."""
    root = parse_xml(data, SLICE_INFO_MEMBER)
    return [_plate(element) for element in root.iter("plate")]


def _plate(element: ET.Element) -> PlateSliceInfo:
    metadata = {item.get("key", ""): item.get("value", "") for item in element.findall("metadata")}
    prediction = parse_float(metadata.get("prediction", ""))
    filaments = [_filament(item) for item in element.findall("filament")[:MAX_FILAMENTS]]
    return PlateSliceInfo(
        index=parse_int(metadata.get("index", "")),
        prediction_s=None if prediction is None else round(prediction),
        weight_g=parse_float(metadata.get("weight", "")),
        printer_model_id=clean_text(metadata.get("printer_model_id")),
        nozzle_diameter_mm=parse_nozzle_diameter_mm(metadata.get("nozzle_diameters", "")),
        filaments=tuple(sorted((f for f in filaments if f is not None), key=lambda f: f.index)),
    )


def _filament(item: ET.Element) -> FilamentInfo | None:
    index = parse_int(item.get("id", ""))
    if index is None or index < 1:
        return None
    return FilamentInfo(
        index=index,
        type=clean_text(item.get("type")),
        color=normalize_color(item.get("color")),
        used_g=parse_float(item.get("used_g", "")),
        used_m=parse_float(item.get("used_m", "")),
    )
