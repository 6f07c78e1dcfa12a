"""Fixtures shared by every test.

The integration package is imported here, at module level, so that Home Assistant's loader
finds this project's ``custom_components`` rather than the test harness's placeholder package.
"""

from __future__ import annotations

import pytest
import pytest_socket

import custom_components.ottoengine  # noqa: F401  (must be imported before `hass` runs)

pytest_plugins = ["tests.farm_fixtures", "tests.zeroconf_double"]
LOOPBACK_NETWORKS = ["127.0.0.0/8", "::1"]


@pytest.fixture
def loopback_enabled(socket_enabled: None) -> None:
    """Allow sockets to the whole loopback range (the harness allows only 127.0.0.1).

    Simulated printers each have their own address (127.0.1.N), like real ones on a LAN.
    """
    pytest_socket.socket_allow_hosts(LOOPBACK_NETWORKS, allow_unix_socket=True)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this project's custom integration in every HA test."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="run the slow lanes (crash restarts, soak): `scripts/test --slow`",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long lane, run only by `scripts/test --slow`")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="a slow lane: run it with `scripts/test --slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
