"""Fixtures of the OttoEject tests."""

from __future__ import annotations

import pytest

from custom_components.ottoengine.ottoeject import coordinator as coordinator_module


@pytest.fixture(autouse=True)
def fast_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poll and reconnect quickly so that outages and recoveries show within a second."""
    monkeypatch.setattr(coordinator_module, "STREAM_POLL_INTERVAL", 0.3)
    monkeypatch.setattr(coordinator_module, "STREAM_RECONNECT_MIN", 0.1)
    monkeypatch.setattr(coordinator_module, "STREAM_RECONNECT_MAX", 0.4)
