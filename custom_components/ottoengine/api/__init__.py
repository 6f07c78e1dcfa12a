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
from .racks import OttoRackShelfResetView, OttoRackShelfView, OttoRacksView, OttoRackView

VIEWS: tuple[type[OttoView], ...] = (
    OrchestrationStatusView,
    OrchestrationActiveJobsView,
    OrchestrationHealthView,
    OrchestrationRestartView,
    OttoRacksView,
    OttoRackView,
    OttoRackShelfView,
    OttoRackShelfResetView,
)


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Register every route once per Home Assistant run (routes cannot be removed)."""
    for view in VIEWS:
        hass.http.register_view(view())
