"""The OttoEngine REST API: the seed's routes, served through Home Assistant's HTTP server."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .base import OttoView
from .openapi import OpenApiView
from .orchestration import (
    OrchestrationActiveJobsView,
    OrchestrationHealthView,
    OrchestrationRestartView,
    OrchestrationStatusView,
)
from .orchestration_actions import (
    PrinterPlateClearedView,
    PrintJobMoveView,
    PrintJobRetryView,
    WorkflowResumeView,
    WorkflowsView,
)
from .ottoeject import (
    OttoEjectMacrosView,
    OttoEjectStatusView,
    OttoEjectsView,
    OttoEjectView,
)
from .panel_thumbnails import PanelThumbnailView
from .print_jobs import PrintJobCompleteView, PrintJobStartView, PrintJobsView, PrintJobView
from .print_jobs_items import PrintItemsView, PrintItemThumbnailView, PrintItemView
from .print_jobs_upload import PrintJobsUploadView
from .printers import PRINTER_VIEWS
from .racks import OttoRackShelfResetView, OttoRackShelfView, OttoRacksView, OttoRackView

VIEWS: tuple[type[OttoView], ...] = (
    OrchestrationStatusView,
    OrchestrationActiveJobsView,
    OrchestrationHealthView,
    OrchestrationRestartView,
    WorkflowsView,
    WorkflowResumeView,
    PrinterPlateClearedView,
    PrintJobRetryView,
    PrintJobMoveView,
    # The fixed paths first: they must win over /api/print-jobs/{job_id}.
    PrintJobsUploadView,
    PrintItemsView,
    PrintItemView,
    PrintItemThumbnailView,
    PrintJobsView,
    PrintJobView,
    PrintJobStartView,
    PrintJobCompleteView,
    OttoRacksView,
    OttoRackView,
    OttoRackShelfView,
    OttoRackShelfResetView,
    OttoEjectsView,
    OttoEjectView,
    OttoEjectStatusView,
    OttoEjectMacrosView,
    *PRINTER_VIEWS,
    PanelThumbnailView,
    OpenApiView,
)


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Register every route once per Home Assistant run (routes cannot be removed)."""
    for view in VIEWS:
        hass.http.register_view(view())
