"""The OttoEngine REST API: the seed's routes, served through Home Assistant's HTTP server."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .base import OttoView
from .orchestration import (
    OrchestrationActiveJobsView,
    OrchestrationHealthView,
    OrchestrationRestartView,
    OrchestrationStatusView,
)

VIEWS: tuple[type[OttoView], ...] = (
    OrchestrationStatusView,
    OrchestrationActiveJobsView,
    OrchestrationHealthView,
    OrchestrationRestartView,
)


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Register every route once per Home Assistant run (routes cannot be removed)."""
    for view in VIEWS:
        hass.http.register_view(view())
