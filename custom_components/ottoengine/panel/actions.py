"""The panel's actions (``ottoengine/panel/action``): the integration's own actions, by name.

Each action's ``data`` is checked against the action's schema first (a translated error naming
the action and the field); then the integration's service runs it (the same validation,
translated errors and saving as a service call from anywhere else). ``set_priority`` has no
service: it follows ``PUT /api/print-jobs/{id}`` (only a job that has not started changes, and
the change is answered once it is saved).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from homeassistant.core import Context, HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio as vol
from probatio.humanize import humanize_error

from ..const import DOMAIN
from ..orchestrator.services import (
    JOB_SCHEMA,
    MOVE_JOB_SCHEMA,
    PRINTER_SCHEMA,
    QUEUE_JOB_SCHEMA,
    RESUME_WORKFLOW_SCHEMA,
    SERVICE_CANCEL_JOB,
    SERVICE_MOVE_JOB,
    SERVICE_PAUSE_PROCESSING,
    SERVICE_PLATE_CLEARED,
    SERVICE_QUEUE_JOB,
    SERVICE_RESUME_PROCESSING,
    SERVICE_RESUME_WORKFLOW,
    SERVICE_RETRY_JOB,
)
from ..runtime import OttoRuntime
from .subscription import loaded_runtime

# The REST API's bound of every integer (JSON numbers are exact up to it).
MAX_PRIORITY: Final = 2**53 - 1
SET_PRIORITY: Final = "set_priority"
SET_PRIORITY_SCHEMA = vol.Schema(
    {
        vol.Required("job_id"): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Required("priority"): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_PRIORITY)),
    }
)
NO_DATA = vol.Schema({})

type Handler = Callable[[HomeAssistant, dict[str, Any], Context], Awaitable[ServiceResponse]]


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass(frozen=True, slots=True)
class PanelAction:
    schema: vol.Schema
    handler: Handler


def _service(name: str, *, response: bool = False) -> Handler:
    """Run the integration's action ``name`` as the panel's user."""

    async def run(hass: HomeAssistant, data: dict[str, Any], context: Context) -> ServiceResponse:
        return await hass.services.async_call(
            DOMAIN, name, data, blocking=True, context=context, return_response=response
        )

    return run


def _hub(hass: HomeAssistant) -> OttoRuntime:
    runtime = loaded_runtime(hass)
    if runtime is None:
        raise _error("hub_not_loaded")
    return runtime


async def _set_priority(
    hass: HomeAssistant, data: dict[str, Any], _context: Context
) -> ServiceResponse:
    """``PUT /api/print-jobs/{id}`` with ``priority``: only while the job has not started."""
    runtime = _hub(hass)
    job = runtime.state.jobs.get(data["job_id"])
    if job is None:
        raise _error("job_not_found", job_id=str(data["job_id"]))
    if not job.status.is_editable:
        raise _error("job_not_editable", job_id=str(job.id), status=job.status.value)
    job.settings = replace(job.settings, priority=data["priority"])
    runtime.async_state_changed()
    runtime.orchestrator.async_request()
    if not await runtime.async_commit():
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="state_not_saved")
    return None


ACTIONS: Final[Mapping[str, PanelAction]] = {
    SERVICE_QUEUE_JOB: PanelAction(QUEUE_JOB_SCHEMA, _service(SERVICE_QUEUE_JOB, response=True)),
    SERVICE_MOVE_JOB: PanelAction(MOVE_JOB_SCHEMA, _service(SERVICE_MOVE_JOB)),
    SET_PRIORITY: PanelAction(SET_PRIORITY_SCHEMA, _set_priority),
    SERVICE_CANCEL_JOB: PanelAction(JOB_SCHEMA, _service(SERVICE_CANCEL_JOB)),
    SERVICE_RETRY_JOB: PanelAction(JOB_SCHEMA, _service(SERVICE_RETRY_JOB, response=True)),
    SERVICE_PLATE_CLEARED: PanelAction(PRINTER_SCHEMA, _service(SERVICE_PLATE_CLEARED)),
    SERVICE_RESUME_WORKFLOW: PanelAction(RESUME_WORKFLOW_SCHEMA, _service(SERVICE_RESUME_WORKFLOW)),
    SERVICE_PAUSE_PROCESSING: PanelAction(NO_DATA, _service(SERVICE_PAUSE_PROCESSING)),
    SERVICE_RESUME_PROCESSING: PanelAction(NO_DATA, _service(SERVICE_RESUME_PROCESSING)),
}


async def async_run_action(
    hass: HomeAssistant, name: str, data: dict[str, Any], context: Context
) -> ServiceResponse:
    """Check ``data`` against the action's schema and run it; ``ServiceValidationError`` (a
    translated message) for an unknown action or invalid data, the action's own errors else."""
    action = ACTIONS.get(name)
    if action is None:
        raise _error("panel_unknown_action", action=name, actions=", ".join(ACTIONS))
    try:
        checked = action.schema(data)
    except vol.Invalid as err:
        raise _error("panel_invalid_data", action=name, error=humanize_error(data, err)) from err
    return await action.handler(hass, checked, context)
