"""Names of the orchestrator's signals, events, options and repair issues."""

from __future__ import annotations

from typing import Final

from ..const import DOMAIN

SIGNAL_ORCHESTRATOR_UPDATED: Final = f"{DOMAIN}_orchestrator_updated_{{}}"
EVENT_PREFIX: Final = f"{DOMAIN}_"
ISSUE_WORKFLOW_PAUSED: Final = "workflow_paused"
# Hub options (seconds / counts); the defaults suit real printers.
CONF_START_TIMEOUT: Final = "start_timeout_s"
CONF_START_ATTEMPTS: Final = "start_attempts"
CONF_BED_SETTLE: Final = "bed_settle_s"
# The safety-net tick (everything else is event-driven).
RECONCILE_INTERVAL_S: Final = 15.0
