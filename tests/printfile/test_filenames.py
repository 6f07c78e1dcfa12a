"""sanitize_filename: safe names for stored uploads and printer SD cards."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.printfile import (
    SUPPORTED_SUFFIXES,
    PrintFileError,
    sanitize_filename,
)
from custom_components.ottoengine.printfile.filenames import MAX_FILENAME_LENGTH


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bracket_v3.gcode.3mf", "bracket_v3.gcode.3mf"),
        ("Cube.GCODE", "Cube.gcode"),
        ("Benchy.Gcode.3MF", "Benchy.gcode.3mf"),
        ("project.3mf", "project.3mf"),
        ("/etc/passwd.gcode", "passwd.gcode"),
        ("C:\\Users\\me\\Desktop\\part.gcode", "part.gcode"),
        ("../../secret.gcode.3mf", "secret.gcode.3mf"),
        ("..\\..\\secret.gcode", "secret.gcode"),
        ("...hidden.gcode", "hidden.gcode"),
        (".bashrc.gcode", "bashrc.gcode"),
        ("my..part...v2.gcode", "my.part.v2.gcode"),
        ("nul\x00byte.gcode", "nulbyte.gcode"),
        ("tab\tand\nnewline\r.gcode", "tabandnewline.gcode"),
        ("bidi\u202etxt.gcode", "biditxt.gcode"),
        ("  spaced   name  .gcode", "spaced name.gcode"),
        ('what?<are>:these|"*.gcode', "what__are__these___.gcode"),
        ("Ünïcødé 部品.gcode.3mf", "Ünïcødé 部品.gcode.3mf"),
        ("trailing dot..gcode", "trailing dot.gcode"),
    ],
)
def test_sanitize(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_long_name_is_cut_keeping_the_suffix() -> None:
    result = sanitize_filename("a" * 500 + ".gcode.3mf")
    assert len(result) == MAX_FILENAME_LENGTH == 200
    assert result == "a" * 190 + ".gcode.3mf"


def test_long_multibyte_name_fits_255_bytes() -> None:
    result = sanitize_filename("部" * 199 + ".gcode")
    assert result.endswith(".gcode")
    assert len(result.encode()) <= 255
    assert result == "部" * 83 + ".gcode"


def test_sanitized_name_is_stable() -> None:
    once = sanitize_filename("../x/..weird  name...gcode.3mf")
    assert sanitize_filename(once) == once


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (".gcode", "empty"),
        ("../.gcode.3mf", "empty"),
        ("\x00\x01.gcode", "empty"),
        ("   .gcode", "empty"),
        ("", "Unsupported file type"),
        ("..", "Unsupported file type"),
        ("model.stl", "Unsupported file type"),
        ("model.bgcode", "Unsupported file type"),
        ("model.gcode.3mf.exe", "Unsupported file type"),
        ("model.gcode/", "Unsupported file type"),
    ],
)
def test_sanitize_refuses(raw: str, match: str) -> None:
    with pytest.raises(PrintFileError, match=match):
        sanitize_filename(raw)


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".gcode.3mf", ".3mf", ".gcode")
