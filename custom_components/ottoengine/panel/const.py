"""Names and timing of the farm panel (its contract: ``docs/panel.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

PANEL_URL_PATH: Final = "ottoengine-farm"
PANEL_COMPONENT: Final = "ottoengine-farm-panel"
PANEL_TITLE: Final = "Print farm"
PANEL_ICON: Final = "mdi:printer-3d"
# The shipped bundle (built from ``frontend/`` by the frontend's build script).
BUNDLE_PATH: Final = Path(__file__).parents[1] / "frontend" / "ottoengine-panel.js"
BUNDLE_URL: Final = "/ottoengine_panel/ottoengine-panel.js"

WS_SUBSCRIBE: Final = "ottoengine/panel/subscribe"
WS_ACTION: Final = "ottoengine/panel/action"

# Changes pushed within this many seconds are sent as one event (at most ~4 events a second).
COALESCE_S: Final = 0.25
# The queue shows this many finished jobs after the waiting and active ones.
FINISHED_JOBS_SHOWN: Final = 20
