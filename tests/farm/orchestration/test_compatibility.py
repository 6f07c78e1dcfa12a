"""Which printer can print which item, and the farm-level summary when none can."""

from __future__ import annotations

import dataclasses

import pytest

from custom_components.ottoengine.farm.orchestration.compatibility import (
    Incompatibility,
    can_print,
    normalize_color,
    why_nobody,
)
from custom_components.ottoengine.farm.orchestration.topology import (
    LoadedFilament,
    PrinterSetup,
)
from custom_components.ottoengine.farm.print_items import PrintItem

from .builders import item, printer

PLA_RED = LoadedFilament("PLA Basic", "#FF0000")
PETG_BLACK = LoadedFilament("PETG", "#000000")


@pytest.mark.parametrize(
    ("printer_model", "file_model"),
    [
        ("P1S", "C12"),
        ("P1S", "Bambu Lab P1S"),
        ("P1S", "X1C"),  # X1/P1 are one family
        ("X1C", "C11"),
        ("X1E", "BL-P002"),
        ("A1", "N2S"),
        ("A1 mini", "N1"),
        ("H2D", "O1D"),
        ("P1S", None),  # the file does not say
        ("P1S", "Prusa MK4"),  # unknown model: not checked
        ("Voron 2.4", "C12"),
    ],
)
def test_compatible_models(printer_model: str, file_model: str | None) -> None:
    assert can_print(printer(1, printer_model), item(model=file_model)) is None


@pytest.mark.parametrize(
    ("printer_model", "file_model", "message"),
    [
        ("A1", "C12", "printer 'A1-1' (A1) cannot print a file sliced for P1S"),
        ("P1S", "N1", "printer 'P1S-1' (P1S) cannot print a file sliced for A1 mini"),
        ("A1 mini", "N2S", "printer 'A1 mini-1' (A1 mini) cannot print a file sliced for A1"),
        ("H2D", "C12", "printer 'H2D-1' (H2D) cannot print a file sliced for P1S"),
        ("P2S", "X1C", "printer 'P2S-1' (P2S) cannot print a file sliced for X1C"),
    ],
)
def test_model_mismatch(printer_model: str, file_model: str, message: str) -> None:
    reason = can_print(printer(1, printer_model), item(model=file_model))
    assert reason == message
    assert isinstance(reason, Incompatibility)
    assert reason.kind == "model"


@pytest.mark.parametrize(
    ("model", "volume", "height", "ok"),
    [
        ("P1S", None, 256.0, True),
        ("P1S", None, 256.5, False),
        ("A1 mini", None, 180.0, True),
        ("A1 mini", None, 181.0, False),
        ("H2D", None, 325.0, True),
        ("H2D", None, 326.0, False),
        ("P1S", (256.0, 256.0, 300.0), 290.0, True),  # the configured volume wins
        ("P1S", (256.0, 256.0, 200.0), 210.0, False),
        ("Voron 2.4", None, 999.0, True),  # unknown model, no volume: unchecked
        ("P1S", None, None, True),  # unknown print height
    ],
)
def test_build_height(
    model: str, volume: tuple[float, float, float] | None, height: float | None, ok: bool
) -> None:
    reason = can_print(printer(1, model, volume=volume), item(height=height))
    assert (reason is None) is ok
    if not ok:
        assert isinstance(reason, Incompatibility)
        assert reason.kind == "height"


def test_height_message() -> None:
    assert (
        can_print(printer(1, "A1 mini", name="mini"), item(height=200.0))
        == "printer 'mini' builds up to 180 mm; the print is 200 mm tall"
    )


@pytest.mark.parametrize(
    ("loaded", "needed", "ok"),
    [
        (0.4, 0.4, True),
        (0.4, 0.405, True),
        (0.4, 0.6, False),
        (None, 0.6, True),
        (0.6, None, True),
    ],
)
def test_nozzle(loaded: float | None, needed: float | None, ok: bool) -> None:
    reason = can_print(printer(1, nozzle=loaded), item(nozzle=needed))
    assert (reason is None) is ok


def test_nozzle_message() -> None:
    assert (
        can_print(printer(1, nozzle=0.4), item(nozzle=0.6))
        == "printer 'P1S-1' has a 0.4 mm nozzle; the file needs 0.6 mm"
    )


@pytest.mark.parametrize(
    ("loaded", "needed", "message"),
    [
        ((PLA_RED,), [("PLA", "#00FF00")], None),  # "PLA" matches "PLA Basic"
        ((PLA_RED,), [("pla basic", None)], None),
        ((PLA_RED,), [("PETG", None)], "printer 'P1S-1' has no PETG loaded"),
        ((PLA_RED,), [("PLA-CF", None)], "printer 'P1S-1' has no PLA-CF loaded"),
        ((PLA_RED, PETG_BLACK), [("PLA", None), ("PETG", None)], None),
        ((PLA_RED,), [("PLA", None), ("PETG", None)], "printer 'P1S-1' has no PETG loaded"),
        ((), [("PETG", None)], None),  # the printer reports nothing: not blocked
        ((LoadedFilament(None),), [("PETG", None)], None),  # nothing known either
        ((PLA_RED,), [(None, "#FFFFFF")], None),  # the file names no material
        ((PLA_RED,), [], None),
    ],
)
def test_material(
    loaded: tuple[LoadedFilament, ...],
    needed: list[tuple[str | None, str | None]],
    message: str | None,
) -> None:
    reason = can_print(printer(1, filaments=loaded), item(filaments=needed))
    assert reason == message
    if message is not None:
        assert isinstance(reason, Incompatibility)
        assert reason.kind == "material"


def test_unused_filament_is_not_required() -> None:
    unused = item()
    unused.metadata["filaments"] = [{"index": 1, "type": "PETG", "color": None, "used_g": 0}]
    assert can_print(printer(1, filaments=(PLA_RED,)), unused) is None


@pytest.mark.parametrize(
    ("needed", "message"),
    [
        ([("PLA", "#FF0000")], None),
        ([("PLA", "#ff0000cc")], None),  # alpha ignored, case-insensitive
        ([("PLA", None)], None),  # no colour asked for
        ([("PLA", "#00FF00")], "printer 'P1S-1' has no PLA in #00FF00 loaded"),
        ([("PETG", "#FF0000")], "printer 'P1S-1' has no PETG loaded"),  # material first
    ],
)
def test_color_when_asked(needed: list[tuple[str | None, str | None]], message: str | None) -> None:
    setup = printer(1, filaments=(PLA_RED,))
    assert can_print(setup, item(filaments=needed), match_color=True) == message
    assert can_print(setup, item(filaments=[("PLA", "#00FF00")])) is None  # off by default


def test_loaded_colour_unknown_does_not_match_a_colour() -> None:
    setup = printer(1, filaments=(LoadedFilament("PLA"),))
    reason = can_print(setup, item(filaments=[("PLA", "#00FF00")]), match_color=True)
    assert isinstance(reason, Incompatibility)
    assert reason.kind == "color"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#ff0000", "#FF0000"),
        ("FF0000", "#FF0000"),
        ("#FF0000FF", "#FF0000"),
        ("red", None),
        ("#FFF", None),
        (None, None),
    ],
)
def test_normalize_color(text: str | None, expected: str | None) -> None:
    assert normalize_color(text) == expected


def test_malformed_metadata_is_ignored() -> None:
    odd = item()
    odd.metadata.update({"printer_model": 12, "nozzle_diameter_mm": "wide", "filaments": "PLA"})
    assert can_print(printer(1, nozzle=0.4, filaments=(PETG_BLACK,)), odd) is None


# -- why_nobody ----------------------------------------------------------------------------------


def reasons_for(setups: list[PrinterSetup], wanted: PrintItem) -> list[str]:
    found = [can_print(setup, wanted) for setup in setups]
    assert all(reason is not None for reason in found)
    return [reason for reason in found if reason is not None]


def test_why_nobody_material() -> None:
    wanted = item(filaments=[("PETG", None)])
    setups = [printer(1, filaments=(PLA_RED,)), printer(2, filaments=(LoadedFilament("ABS"),))]
    assert why_nobody(reasons_for(setups, wanted), wanted) == "no printer has PETG loaded"


def test_why_nobody_materials_missing_on_different_printers() -> None:
    wanted = item(filaments=[("PLA", None), ("PETG", None)])
    setups = [printer(1, filaments=(PLA_RED,)), printer(2, filaments=(PETG_BLACK,))]
    assert why_nobody(reasons_for(setups, wanted), wanted) == "no printer has PETG and PLA loaded"


def test_why_nobody_height() -> None:
    wanted = item(height=300.0)
    setups = [printer(1, "P1S"), printer(2, "A1 mini")]
    assert why_nobody(reasons_for(setups, wanted), wanted) == "no printer is tall enough (300 mm)"


def test_why_nobody_nozzle_and_model() -> None:
    wanted = item(nozzle=0.6)
    setups = [printer(1, nozzle=0.4), printer(2, nozzle=0.2)]
    assert why_nobody(reasons_for(setups, wanted), wanted) == "no printer has a 0.6 mm nozzle"
    sliced = item(model="N1")
    assert (
        why_nobody(reasons_for([printer(1, "P1S"), printer(2, "A1")], sliced), sliced)
        == "no printer can print a file sliced for A1 mini"
    )


def test_why_nobody_colour() -> None:
    wanted = item(filaments=[("PLA", "#00FF00")])
    reasons = [can_print(printer(1, filaments=(PLA_RED,)), wanted, match_color=True) or ""]
    assert why_nobody(reasons, wanted) == "no printer has PLA in #00FF00 loaded"


def test_why_nobody_mixed_reasons_names_the_first() -> None:
    wanted = item(height=200.0, filaments=[("PETG", None)])
    setups = [printer(1, "A1 mini"), printer(2, filaments=(PLA_RED,))]
    assert why_nobody(reasons_for(setups, wanted), wanted) == (
        "no compatible printer: printer 'A1 mini-1' builds up to 180 mm; the print is 200 mm tall"
    )


def test_why_nobody_plain_strings_and_no_printers() -> None:
    assert why_nobody(["printer 'x' is on fire"], item()) == (
        "no compatible printer: printer 'x' is on fire"
    )
    assert why_nobody([], item()) == "no printer in the farm"


def test_a_klipper_printer_prints_g_code_not_bambu_projects() -> None:
    k1c = dataclasses.replace(printer(7, "K1C", name="k1c"), prints_projects=False)
    reason = can_print(k1c, item(model="C12"))
    assert reason == "printer 'k1c' prints G-code, not a Bambu Studio project file (.gcode.3mf)"
    assert isinstance(reason, Incompatibility)
    assert reason.kind == "model"
    # A project that names no model is still a project.
    assert can_print(k1c, item()) is not None
    g_code = dataclasses.replace(item(), filename="spacer.gcode", metadata={"format": "gcode"})
    assert can_print(k1c, g_code) is None
    # A Bambu printer takes both.
    assert can_print(printer(1, "P1S"), g_code) is None
