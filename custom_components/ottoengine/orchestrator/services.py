"""The orchestrator's actions: queue, reorder, retry and cancel jobs, pause or resume the farm,
confirm a cleared plate and answer a paused workflow (registered once, in ``async_setup``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from ..const import DOMAIN
from ..farm.clock import utcnow
from ..farm.device_errors import DeviceError
from ..farm.job_status import IllegalTransitionError, JobStatus
from ..farm.jobs import JobSettings, PrintJob
from ..farm.orchestration import queue
from ..farm.orchestration.runs import Answer, Phase
from ..runtime import OttoRuntime

SERVICE_QUEUE_JOB: Final = "queue_job"
SERVICE_PAUSE_PROCESSING: Final = "pause_processing"
SERVICE_RESUME_PROCESSING: Final = "resume_processing"
SERVICE_MOVE_JOB: Final = "move_job"
SERVICE_RETRY_JOB: Final = "retry_job"
SERVICE_CANCEL_JOB: Final = "cancel_job"
SERVICE_PLATE_CLEARED: Final = "plate_cleared"
SERVICE_RESUME_WORKFLOW: Final = "resume_workflow"
MAX_COPIES: Final = 100

_JOB_ID = vol.All(vol.Coerce(int), vol.Range(min=1))
QUEUE_JOB_SCHEMA = vol.Schema(
    {
        vol.Required("print_item_id"): _JOB_ID,
        vol.Optional("copies", default=1): vol.All(vol.Coerce(int), vol.Range(1, MAX_COPIES)),
        vol.Optional("priority", default=1): vol.All(vol.Coerce(int), vol.Range(1, 100)),
        vol.Optional(ATTR_DEVICE_ID): cv.string,
    }
)
JOB_SCHEMA = vol.Schema({vol.Required("job_id"): _JOB_ID})
MOVE_JOB_SCHEMA = vol.Schema(
    {vol.Required("job_id"): _JOB_ID, vol.Optional("before_job_id"): _JOB_ID}
)
PRINTER_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})
RESUME_WORKFLOW_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required("answer"): vol.In([answer.value for answer in Answer]),
    }
)


def _error(key: str, **placeholders: Any) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _runtime(hass: HomeAssistant) -> OttoRuntime:
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    if not entries:
        raise _error("hub_not_loaded")
    runtime: OttoRuntime = entries[0].runtime_data
    return runtime


def _job(runtime: OttoRuntime, job_id: int) -> PrintJob:
    job = runtime.state.jobs.get(job_id)
    if job is None:
        raise _error("job_not_found", job_id=str(job_id))
    return job


def _printer_id(runtime: OttoRuntime, hass: HomeAssistant, device_id: str) -> int:
    device = dr.async_get(hass).async_get(device_id)
    for printer_id, coordinator in runtime.printers.farm_coordinators().items():
        if device is not None and coordinator.subentry_id == device.config_subentry_id:
            return printer_id
    name = (device.name_by_user or device.name) if device is not None else device_id
    raise _error("not_a_printer", device=str(name or device_id))


def _durable[R](
    handler: Callable[[ServiceCall], Awaitable[R]],
) -> Callable[[ServiceCall], Coroutine[Any, Any, R]]:
    """The action returns only once what it changed is saved (a crash loses none of it)."""

    async def run(call: ServiceCall) -> R:
        result = await handler(call)
        if not await _runtime(call.hass).async_commit():
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="state_not_saved")
        return result

    return run


@callback
def async_setup_orchestrator_services(hass: HomeAssistant) -> None:
    def register(domain: str, name: str, handler: Any, **kwargs: Any) -> None:
        hass.services.async_register(domain, name, _durable(handler), **kwargs)

    register(
        DOMAIN,
        SERVICE_QUEUE_JOB,
        _async_queue_job,
        schema=QUEUE_JOB_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(DOMAIN, SERVICE_PAUSE_PROCESSING, _async_pause)
    register(DOMAIN, SERVICE_RESUME_PROCESSING, _async_resume)
    register(DOMAIN, SERVICE_MOVE_JOB, _async_move_job, schema=MOVE_JOB_SCHEMA)
    register(
        DOMAIN,
        SERVICE_RETRY_JOB,
        _async_retry_job,
        schema=JOB_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(DOMAIN, SERVICE_CANCEL_JOB, _async_cancel_job, schema=JOB_SCHEMA)
    register(DOMAIN, SERVICE_PLATE_CLEARED, _async_plate_cleared, schema=PRINTER_SCHEMA)
    register(DOMAIN, SERVICE_RESUME_WORKFLOW, _async_resume_workflow, schema=RESUME_WORKFLOW_SCHEMA)


async def _async_queue_job(call: ServiceCall) -> ServiceResponse:
    runtime = _runtime(call.hass)
    state = runtime.state
    item = state.print_items.get(call.data["print_item_id"])
    if item is None:
        raise _error("print_item_not_found", print_item_id=str(call.data["print_item_id"]))
    printer_id = None
    if ATTR_DEVICE_ID in call.data:
        printer_id = _printer_id(runtime, call.hass, call.data[ATTR_DEVICE_ID])
    settings = JobSettings(printer_id=printer_id, auto_start=True, priority=call.data["priority"])
    now = utcnow()
    jobs = [state.create_job(item, settings, now) for _ in range(call.data["copies"])]
    runtime.async_state_changed()
    runtime.orchestrator.async_request()
    return {"job_ids": [job.id for job in jobs]}


async def _async_pause(call: ServiceCall) -> None:
    _runtime(call.hass).orchestrator.async_set_processing(False)


async def _async_resume(call: ServiceCall) -> None:
    _runtime(call.hass).orchestrator.async_set_processing(True)


async def _async_move_job(call: ServiceCall) -> None:
    runtime = _runtime(call.hass)
    job = _job(runtime, call.data["job_id"])
    try:
        if "before_job_id" in call.data:
            queue.move_before(runtime.state, job, _job(runtime, call.data["before_job_id"]))
        else:
            queue.move_to_top(runtime.state, job)
    except queue.QueueChangeError as err:
        raise _error("queue_change_refused", error=str(err)) from err
    runtime.async_state_changed()
    runtime.orchestrator.async_request()


async def _async_retry_job(call: ServiceCall) -> ServiceResponse:
    runtime = _runtime(call.hass)
    job = _job(runtime, call.data["job_id"])
    try:
        new = queue.retry(runtime.state, job, utcnow())
    except queue.QueueChangeError as err:
        raise _error("queue_change_refused", error=str(err)) from err
    runtime.async_state_changed()
    runtime.orchestrator.async_request()
    return {"job_id": new.id}


async def _async_cancel_job(call: ServiceCall) -> None:
    runtime = _runtime(call.hass)
    job = _job(runtime, call.data["job_id"])
    if job.status.is_finished:
        raise _error("queue_change_refused", error=f"Print job {job.id} is {job.status}")
    reason = "Cancelled with the cancel_job action"
    printer = runtime.printers.printer(job.printer_id) if job.printer_id is not None else None
    if job.status in (JobStatus.PRINTING, JobStatus.PAUSED) and printer is not None:
        try:
            await printer.async_stop()
        except DeviceError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="printer_command_failed",
                translation_placeholders={"name": printer.name, "error": str(err)},
            ) from err
        reason += f"; the print on {printer.name} was stopped"
    try:
        runtime.async_transition_job(job, JobStatus.CANCELLED, reason)
    except IllegalTransitionError as err:
        raise _error("queue_change_refused", error=str(err)) from err
    runtime.orchestrator.async_request()


async def _async_plate_cleared(call: ServiceCall) -> None:
    runtime = _runtime(call.hass)
    runtime.orchestrator.async_plate_cleared(
        _printer_id(runtime, call.hass, call.data[ATTR_DEVICE_ID])
    )


async def _async_resume_workflow(call: ServiceCall) -> None:
    runtime = _runtime(call.hass)
    printer_id = _printer_id(runtime, call.hass, call.data[ATTR_DEVICE_ID])
    run = next(
        (
            run
            for run in runtime.state.active_runs()
            if run.printer_id == printer_id and run.phase is Phase.PAUSED
        ),
        None,
    )
    if run is None:
        raise _error(
            "no_paused_workflow",
            printer=runtime.printers.farm_coordinators()[printer_id].settings.name,
        )
    runtime.orchestrator.async_answer(run.id, Answer(call.data["answer"]))
