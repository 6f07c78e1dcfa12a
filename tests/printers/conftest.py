"""Fixtures of the printers' tests: fast connection settings, loopback discovery, helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from custom_components.ottoengine.bambu import ConnectionSettings
from custom_components.ottoengine.printers import const

from .helpers import robots_offline

# The simulated printers report every 0.5-2 s; silence is declared after 4 s.
FAST = ConnectionSettings(
    connect_timeout=5.0,
    keepalive=10,
    backoff_initial=0.05,
    backoff_max=0.3,
    resync_after=2.5,
    offline_after=4.0,
    reconnect_cooldown=1.0,
    publish_timeout=5.0,
    misc_interval=0.5,
)


@pytest.fixture(autouse=True)
def fast_printers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quick reconnects and silence detection; discovery on a free loopback port."""
    monkeypatch.setattr(const, "CONNECTION_SETTINGS", FAST)
    monkeypatch.setattr(const, "CONNECTION_TEST_TIMEOUT", 8.0)
    monkeypatch.setattr(const, "DISCOVERY_BINDS", (("127.0.0.1", 0, None),))
    monkeypatch.setattr(const, "DISCOVERY_WARMUP", 0.0)


@pytest.fixture(autouse=True)
def offline_robots() -> Iterator[None]:
    """OttoEjects configured by these tests (the printers' topology) never connect."""
    with robots_offline():
        yield
