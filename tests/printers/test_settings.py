"""A printer's topology settings: parsing, storage (old data too) and ``setup()``."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ottoengine.farm.orchestration.topology import (
    BedPosition,
    ClearingMethod,
    LoadedFilament,
    PrinterMacros,
)
from custom_components.ottoengine.printers.settings import (
    InvalidPrinterError,
    PrinterSettings,
    parse_clearing_method,
    parse_close_door_macro,
    parse_eject_macro,
    parse_eject_position,
    parse_load_macro,
    parse_macro_params,
    parse_nozzle_diameter,
    parse_ottoeject_id,
)

# As stored before the topology settings existed.
OLD_DATA: dict[str, Any] = {
    "id": 3,
    "name": "Left",
    "brand": "Bambu Lab",
    "model": "P1S",
    "type": "FDM",
    "ip_address": "127.0.1.9",
    "serial_number": "01P00A000000009",
    "access_code": "12345678",
    "build_volume": None,
    "filament": None,
    "fingerprint": None,
}


def _printer(model: str, **changes: Any) -> PrinterSettings:
    return PrinterSettings.from_data({**OLD_DATA, "model": model}).with_changes(**changes)


def test_stored_data_without_topology_loads_with_defaults() -> None:
    settings = PrinterSettings.from_data(OLD_DATA)
    assert settings.ottoeject_id is None
    assert settings.clearing_method is ClearingMethod.OTTOEJECT
    assert (settings.eject_macro, settings.load_macro, settings.close_door_macro) == (
        None,
        None,
        None,
    )
    assert settings.macro_params is None
    assert settings.eject_position is None
    assert settings.nozzle_diameter_mm is None
    data = settings.as_data()
    assert data == {
        **OLD_DATA,
        "ottoeject_id": None,
        "clearing_method": "ottoeject",
        "eject_macro": None,
        "load_macro": None,
        "close_door_macro": None,
        "macro_params": None,
        "eject_position": None,
        "nozzle_diameter_mm": None,
    }
    assert PrinterSettings.from_data(data) == settings


def test_topology_is_stored_and_read_back() -> None:
    settings = _printer(
        "X1C",
        ottoeject_id=2,
        clearing_method=ClearingMethod.MANUAL,
        eject_macro="EJECT_FROM_MY_X1",
        load_macro="LOAD_ONTO_MY_X1",
        close_door_macro="",
        macro_params={"SPEED": 80, "SIDE": "left"},
        eject_position=BedPosition("Z", 180),
        nozzle_diameter_mm=0.6,
    )
    data = settings.as_data()
    assert data["clearing_method"] == "manual"
    assert data["close_door_macro"] == ""
    assert data["macro_params"] == {"SPEED": 80, "SIDE": "left"}
    assert data["eject_position"] == {"axis": "Z", "position_mm": 180}
    assert PrinterSettings.from_data(data) == settings


@pytest.mark.parametrize(
    ("model", "macros", "bed"),
    [
        (
            "P1S",
            PrinterMacros(
                "EJECT_FROM_BAMBULAB_P_ONE_S",
                "LOAD_ONTO_BAMBULAB_P_ONE_S",
                "CLOSE_DOOR_BAMBULAB_P_ONE_S",
            ),
            BedPosition("Z", 200),
        ),
        (
            "P1P",
            PrinterMacros("EJECT_FROM_BAMBULAB_P_ONE_P", "LOAD_ONTO_BAMBULAB_P_ONE_P", None),
            BedPosition("Z", 200),
        ),
        (
            "A1",
            PrinterMacros("EJECT_FROM_BAMBULAB_A_ONE", "LOAD_ONTO_BAMBULAB_A_ONE", None),
            BedPosition("Y", 170),
        ),
        (
            "X1C",
            PrinterMacros(
                "EJECT_FROM_BAMBULAB_X_ONE_C",
                "LOAD_ONTO_BAMBULAB_X_ONE_C",
                "CLOSE_DOOR_BAMBULAB_X_ONE_C",
            ),
            BedPosition("Z", 200),
        ),
    ],
)
def test_setup_defaults(model: str, macros: PrinterMacros, bed: BedPosition) -> None:
    setup = _printer(model).setup()
    assert setup.printer_id == 3
    assert setup.name == "Left"
    assert (setup.brand, setup.model) == ("Bambu Lab", model)
    assert setup.ottoeject_id is None
    assert setup.clearing is ClearingMethod.OTTOEJECT
    assert setup.macros == macros
    assert setup.macros.params == {}
    assert setup.bed == bed
    assert setup.build_volume_mm is None
    assert setup.nozzle_diameter_mm is None
    assert setup.filaments == ()


def test_setup_with_overrides() -> None:
    settings = _printer(
        "P1S",
        ottoeject_id=4,
        clearing_method=ClearingMethod.MANUAL,
        eject_macro="EJECT_FROM_SHELF_P1S",
        close_door_macro="",
        macro_params={"SPEED": 1.5},
        eject_position=BedPosition("Z", 210),
        build_volume={"width_mm": 256, "depth_mm": 250, "height_mm": 255.5},
        nozzle_diameter_mm=0.2,
        filament={"material": "PLA", "color": "898989ff"},
    )
    setup = settings.setup()
    assert setup.ottoeject_id == 4
    assert setup.clearing is ClearingMethod.MANUAL
    # Overrides on top of the defaults; "" door: no door to close.
    assert setup.macros == PrinterMacros(
        "EJECT_FROM_SHELF_P1S", "LOAD_ONTO_BAMBULAB_P_ONE_S", None, {"SPEED": 1.5}
    )
    assert setup.bed == BedPosition("Z", 210)
    assert setup.bed.gcode == "G90\nG1 Z210 F600"
    assert setup.build_volume_mm == (256.0, 250.0, 255.5)
    assert setup.nozzle_diameter_mm == 0.2
    # Without reported filaments the configured one stands in.
    assert setup.filaments == (LoadedFilament("PLA", "#898989"),)
    loaded = (LoadedFilament("PETG", "#FF0000"), LoadedFilament(None))
    assert settings.setup(loaded).filaments == loaded
    assert settings.setup(filaments=iter(loaded)).filaments == loaded
    # A colour that is no hex code is unknown.
    named = settings.with_changes(filament={"material": "PLA", "color": "Red"})
    assert named.setup().filaments == (LoadedFilament("PLA", None),)
    # Another close-door macro replaces the model's.
    door = settings.with_changes(close_door_macro="CLOSE_DOOR_MINE")
    assert door.setup().macros.close_door == "CLOSE_DOOR_MINE"


def test_model_change_brings_the_new_defaults() -> None:
    settings = _printer("P1S", load_macro="LOAD_ONTO_CUSTOM")
    macros = settings.with_changes(model="A1").setup().macros
    assert macros.eject == "EJECT_FROM_BAMBULAB_A_ONE"
    assert macros.load == "LOAD_ONTO_CUSTOM"
    assert macros.close_door is None


def test_valid_values() -> None:
    assert parse_ottoeject_id(None, [1]) is None
    assert parse_ottoeject_id(2, {1: "a", 2: "b"}) == 2
    assert parse_clearing_method(None) is ClearingMethod.OTTOEJECT
    assert parse_clearing_method(" Manual ") is ClearingMethod.MANUAL
    assert parse_eject_macro(None) is None
    assert parse_eject_macro(" eject_from_my_p1s ") == "EJECT_FROM_MY_P1S"
    assert parse_load_macro("LOAD_ONTO_X") == "LOAD_ONTO_X"
    assert parse_close_door_macro("CLOSE_DOOR_X1") == "CLOSE_DOOR_X1"
    assert parse_close_door_macro("") == ""
    assert parse_close_door_macro("  ") == ""
    assert parse_close_door_macro(None) is None
    assert parse_macro_params(None) is None
    assert parse_macro_params({}) is None
    assert parse_macro_params({"speed": 80, " Side ": "left", "F": 1.5}) == {
        "SPEED": 80,
        "SIDE": "left",
        "F": 1.5,
    }
    assert parse_eject_position(None) is None
    assert parse_eject_position({"axis": "y", "position_mm": 170.0}) == BedPosition("Y", 170)
    assert parse_eject_position({"axis": "Z", "position_mm": 1}) == BedPosition("Z", 1)
    assert parse_eject_position({"axis": "Z", "position_mm": 400}) == BedPosition("Z", 400)
    assert parse_eject_position({"axis": "Z", "position_mm": 12.5}).position_mm == 12.5
    assert parse_nozzle_diameter(None) is None
    assert parse_nozzle_diameter(0.4) == 0.4
    assert parse_nozzle_diameter(2) == 2.0
    assert parse_nozzle_diameter(0.1) == 0.1


@pytest.mark.parametrize(
    ("parse", "value", "field"),
    [
        (lambda v: parse_ottoeject_id(v, [1]), 2, "ottoeject_id"),
        (lambda v: parse_ottoeject_id(v, [1]), 0, "ottoeject_id"),
        (lambda v: parse_ottoeject_id(v, [1]), "1", "ottoeject_id"),
        (lambda v: parse_ottoeject_id(v, [1]), True, "ottoeject_id"),
        (lambda v: parse_ottoeject_id(v, [1]), 1.0, "ottoeject_id"),
        (parse_clearing_method, "robot", "clearing_method"),
        (parse_clearing_method, 1, "clearing_method"),
        (parse_eject_macro, "", "eject_macro"),
        (parse_eject_macro, "LOAD_ONTO_X", "eject_macro"),
        (parse_eject_macro, "EJECT_FROM_", "eject_macro"),
        (parse_eject_macro, "EJECT_FROM_X Y=1", "eject_macro"),
        (parse_eject_macro, "EJECT_FROM_X\nG28", "eject_macro"),
        (parse_eject_macro, "EJECT_FROM_" + "X" * 54, "eject_macro"),
        (parse_eject_macro, 5, "eject_macro"),
        (parse_load_macro, "EJECT_FROM_X", "load_macro"),
        (parse_load_macro, "LOAD_ONTO_Ä", "load_macro"),
        (parse_close_door_macro, "OPEN_DOOR_X", "close_door_macro"),
        (parse_close_door_macro, ["CLOSE_DOOR_X"], "close_door_macro"),
        (parse_macro_params, "SPEED=1", "macro_params"),
        (parse_macro_params, {f"P{n}": n for n in range(9)}, "macro_params"),
        (parse_macro_params, {"1ST": 1}, "macro_params"),
        (parse_macro_params, {"A-B": 1}, "macro_params"),
        (parse_macro_params, {"speed": 1, "SPEED": 2}, "macro_params"),
        (parse_macro_params, {"SIDE": "a b"}, "macro_params"),
        (parse_macro_params, {"SIDE": "a\nG28"}, "macro_params"),
        (parse_macro_params, {"SIDE": ""}, "macro_params"),
        (parse_macro_params, {"SIDE": "{x}"}, "macro_params"),
        (parse_macro_params, {"ON": True}, "macro_params"),
        (parse_macro_params, {"LIST": [1]}, "macro_params"),
        (parse_macro_params, {"NONE": None}, "macro_params"),
        (parse_macro_params, {"F": float("nan")}, "macro_params"),
        (parse_macro_params, {"F": float("inf")}, "macro_params"),
        (parse_eject_position, "Z200", "eject_position"),
        (parse_eject_position, {"axis": "X", "position_mm": 200}, "eject_position"),
        (parse_eject_position, {"axis": 1, "position_mm": 200}, "eject_position"),
        (parse_eject_position, {"position_mm": 200}, "eject_position"),
        (parse_eject_position, {"axis": "Z"}, "eject_position"),
        (parse_eject_position, {"axis": "Z", "position_mm": 0.5}, "eject_position"),
        (parse_eject_position, {"axis": "Z", "position_mm": 401}, "eject_position"),
        (parse_eject_position, {"axis": "Z", "position_mm": "200"}, "eject_position"),
        (parse_eject_position, {"axis": "Z", "position_mm": True}, "eject_position"),
        (parse_eject_position, {"axis": "Z", "position_mm": float("nan")}, "eject_position"),
        (parse_eject_position, {"axis": "Z", "position_mm": 1, "f": 1}, "eject_position"),
        (parse_nozzle_diameter, 0.05, "nozzle_diameter_mm"),
        (parse_nozzle_diameter, 2.5, "nozzle_diameter_mm"),
        (parse_nozzle_diameter, "0.4", "nozzle_diameter_mm"),
        (parse_nozzle_diameter, True, "nozzle_diameter_mm"),
        (parse_nozzle_diameter, float("nan"), "nozzle_diameter_mm"),
    ],
)
def test_invalid_values_name_their_field(parse: Any, value: object, field: str) -> None:
    with pytest.raises(InvalidPrinterError) as caught:
        parse(value)
    assert caught.value.field == field
    assert str(caught.value)
