"""Scalar value parsing shared by the G-code and 3MF readers."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.printfile.values import (
    clean_text,
    normalize_color,
    parse_duration_s,
    parse_float,
    parse_float_list,
    parse_int,
    parse_nozzle_diameter_mm,
    split_list,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h 2m 3s", 3723),
        ("22m 17s", 1337),
        ("41s", 41),
        ("1d 2h 3m 4s", 93_784),
        ("2h", 7200),
        ("1h 0m 0s", 3600),
        (" 5m ", 300),
        ("12.6s", 13),
        ("", None),
        ("soon", None),
        ("1h 2x", None),
        ("3m 2h", None),
    ],
)
def test_parse_duration(text: str, seconds: int | None) -> None:
    assert parse_duration_s(text) == seconds


@pytest.mark.parametrize(
    ("text", "value"),
    [("150", 150), (" 7 ", 7), ("-1", None), ("1.5", None), ("", None), ("١٢", None)],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("24.6", "", 24.6),
        ('"3.5"', "", 3.5),
        ("1.48216m", "m", 1.48216),
        ("1e3", "", 1000.0),
        ("-0.5", "", None),
        ("nan", "", None),
        ("inf", "", None),
        ("1" * 40, "", None),
        ("abc", "", None),
    ],
)
def test_parse_float(text: str, unit: str, value: float | None) -> None:
    assert parse_float(text, unit) == value


def test_parse_float_list_and_split_limits() -> None:
    assert parse_float_list("3.69, x, 1.20") == [3.69, None, 1.2]
    assert parse_float_list("") == []
    assert split_list('"PLA";"PETG" ;', ";") == ["PLA", "PETG", ""]
    assert len(split_list(";".join(["PLA"] * 500), ";")) == 64


@pytest.mark.parametrize(
    ("text", "color"),
    [
        ("#ffffff", "#FFFFFF"),
        ("0A2CFF", "#0A2CFF"),
        ("1A1A1AFF", "#1A1A1AFF"),
        ("#FFF", None),
        ("red", None),
        (None, None),
    ],
)
def test_normalize_color(text: str | None, color: str | None) -> None:
    assert normalize_color(text) == color


def test_clean_text() -> None:
    assert clean_text(' "PLA\x00 Basic" ') == "PLA Basic"
    assert clean_text("x" * 100) == "x" * 64
    assert clean_text("\x01\x02") is None
    assert clean_text(None) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.4", 0.4),
        (" 0.6 ", 0.6),
        ("0.4,0.4", 0.4),
        ("0.2, 0.8", 0.2),
        ('"0.4"', 0.4),
        ("", None),
        ("abc", None),
        ("abc,0.4", None),
        (",0.4", None),
        ("0", None),
        ("-0.4", None),
        ("nan", None),
        ("inf", None),
        ("0.4mm", None),
        ("0.4;0.6", None),
    ],
)
def test_parse_nozzle_diameter_mm(text: str, value: float | None) -> None:
    assert parse_nozzle_diameter_mm(text) == value
