"""Display helpers in the seed API's style."""

from __future__ import annotations

import math

import pytest

from custom_components.ottoengine.printfile import format_filament_grams, format_file_size


@pytest.mark.parametrize(
    ("num_bytes", "expected"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (1023, "1023 B"),
        (1024, "1.00 KB"),
        (1536, "1.50 KB"),
        (1_048_570, "1023.99 KB"),
        (1_048_575, "1.00 MB"),
        (1_048_576, "1.00 MB"),
        (2_621_440, "2.50 MB"),
        (500 * 1024 * 1024, "500.00 MB"),
        (1024**3, "1.00 GB"),
        (3 * 1024**4, "3072.00 GB"),
    ],
)
def test_format_file_size(num_bytes: int, expected: str) -> None:
    assert format_file_size(num_bytes) == expected


def test_format_file_size_rejects_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_file_size(-1)


@pytest.mark.parametrize(
    ("grams", "expected"),
    [
        (15.5, "15.5g"),
        (15.0, "15.0g"),
        (19.03, "19.0g"),
        (0.04, "0.0g"),
        (1234.56, "1234.6g"),
        (None, "N/A"),
        (math.nan, "N/A"),
        (math.inf, "N/A"),
        (-1.0, "N/A"),
    ],
)
def test_format_filament_grams(grams: float | None, expected: str) -> None:
    assert format_filament_grams(grams) == expected
