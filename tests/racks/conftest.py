"""Fixtures of the racks' tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..printers.helpers import robots_offline


@pytest.fixture(autouse=True)
def offline_robots() -> Iterator[None]:
    """OttoEjects configured by these tests (the racks' topology) never connect."""
    with robots_offline():
        yield
