"""`/api/print-jobs`: create, list, show, update, cancel, start and complete print jobs.

A job's status only changes through the farm's state machine: a refused change is answered
409 with the job's ``current_status`` and the ``refused_status``. Cancelled jobs stay in the
history (``GET /api/print-jobs/{id}``) but are left out of the list unless asked for.
"""

from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus

from aiohttp import web

from ..farm.clock import to_iso, utcnow
from ..farm.device_errors import DeviceError
from ..farm.job_status import IllegalTransitionError, JobStatus
from ..farm.jobs import JobSettings, PrintJob
from ..runtime import OttoRuntime
from .base import OttoView, parse_id
from .device_errors import device_api_error
from .errors import ApiError, bad_request, not_found
from .print_jobs_body import (
    SETTING_FIELDS,
    check_job_slots,
    positive_int,
    settings_from_body,
)
from .print_jobs_json import job_created, job_details, job_summary
from .schema import Arr, Obj, Operation, Str
from .shapes import (
    ID,
    JOB_CHANGED,
    JOB_CREATE,
    JOB_CREATED,
    JOB_DETAILS,
    JOB_SUMMARY,
    JOB_UPDATE,
    MAX_COPIES,
    OPT_MOMENT,
    TEXT,
    obj,
    ok,
)

_STATUS_QUERY = Str(
    description="Comma-separated statuses to list (default: every status but CANCELLED): "
    + ", ".join(JobStatus),
)


def _with(schema: Obj, **more: object) -> Obj:
    """``schema`` with more (always present) fields."""
    return Obj(
        properties={**schema.properties, **more},  # type: ignore[dict-item]
        required=(*schema.required, *more),
    )


def _job(runtime: OttoRuntime, job_id: str) -> PrintJob:
    job = runtime.state.jobs.get(parse_id(job_id, "Print job"))
    if job is None:
        raise not_found("Print job", job_id)
    return job


def refused(err: IllegalTransitionError) -> ApiError:
    return ApiError(
        HTTPStatus.CONFLICT,
        str(err),
        extra={"current_status": err.current.value, "refused_status": err.target.value},
    )


def _transition(runtime: OttoRuntime, job: PrintJob, target: JobStatus, reason: str) -> None:
    try:
        runtime.async_transition_job(job, target, reason)
    except IllegalTransitionError as err:
        raise refused(err) from None


def _status_filter(request: web.Request) -> set[JobStatus]:
    raw = request.query.get("status")
    if raw is None:
        return set(JobStatus) - {JobStatus.CANCELLED}
    try:
        return {JobStatus(part.strip().upper()) for part in raw.split(",") if part.strip()}
    except ValueError:
        raise bad_request(
            "status", "must be a comma-separated list of " + ", ".join(JobStatus)
        ) from None


class PrintJobsView(OttoView):
    url = "/api/print-jobs"
    name = "api:ottoengine:print-jobs"
    operations = {
        "get": Operation(
            summary="List print jobs",
            query={"status": _STATUS_QUERY},
            responses=ok("The jobs, in queue order", Arr(items=JOB_SUMMARY)),
        ),
        "post": Operation(
            summary="Create a print job (or copies of it) from a print item",
            body=JOB_CREATE,
            responses=ok(
                "The (first) job created",
                _with(JOB_CREATED, job_ids=Arr(items=ID), message=TEXT),
                201,
            ),
            errors=(409,),
        ),
    }

    async def get(self, request: web.Request) -> web.Response:
        """Every job but the cancelled ones; ``?status=A,B`` lists the jobs in those statuses."""
        runtime = self.runtime(request)
        wanted = _status_filter(request)
        return self.json(
            [
                job_summary(job, runtime.state)
                for job in runtime.state.sorted_jobs()
                if job.status in wanted
            ]
        )

    async def post(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        body = await self.json_body(request)
        state = runtime.state
        item_id = positive_int(body, "print_item_id", nullable=False)
        item = state.print_items.get(item_id or 0)
        if item is None:
            raise bad_request("print_item_id", f"print item {item_id} does not exist")
        copies = positive_int(body, "copies", nullable=True) or 1
        if copies > MAX_COPIES:
            raise bad_request("copies", f"must be at most {MAX_COPIES}")
        settings = settings_from_body(body, JobSettings(), runtime.entry, state)
        if copies > 1 and (settings.store_slot is not None or settings.grab_slot is not None):
            raise bad_request("copies", "store_slot and grab_slot can only be set for one copy")
        check_job_slots(settings, state, None)
        now = utcnow()
        jobs = [state.create_job(item, settings, now) for _ in range(copies)]
        runtime.async_state_changed()
        return self.json(
            {
                **job_created(jobs[0]),
                "job_ids": [job.id for job in jobs],
                "message": "Print job created successfully"
                if copies == 1
                else f"{copies} print jobs created successfully",
            },
            HTTPStatus.CREATED,
        )


class PrintJobView(OttoView):
    url = "/api/print-jobs/{job_id}"
    name = "api:ottoengine:print-jobs:job"
    operations = {
        "get": Operation(
            summary="A print job with its item, printer, OttoEject and history",
            responses=ok("The job", JOB_DETAILS),
        ),
        "put": Operation(
            summary="Change a job's settings while it has not started",
            body=JOB_UPDATE,
            responses=ok("The job", _with(JOB_SUMMARY, message=TEXT)),
            errors=(409,),
        ),
        "delete": Operation(
            summary="Cancel a job (it stays in the history)",
            responses=ok("Cancelled", JOB_CHANGED),
            errors=(409, 502),
        ),
    }

    async def get(self, request: web.Request, job_id: str) -> web.Response:
        runtime = self.runtime(request)
        return self.json(job_details(_job(runtime, job_id), runtime.state, runtime.entry))

    async def put(self, request: web.Request, job_id: str) -> web.Response:
        """Change priority, printer, OttoEject, rack, slots, AMS or auto-start while not started."""
        runtime = self.runtime(request)
        job = _job(runtime, job_id)
        body = await self.json_body(request)
        if not any(key in body for key in SETTING_FIELDS):
            raise bad_request("body", "nothing to update; give any of " + ", ".join(SETTING_FIELDS))
        if not job.status.is_editable:
            raise ApiError(
                HTTPStatus.CONFLICT,
                f"Print job {job.id} is {job.status}; only NEW or QUEUED jobs can be changed",
                extra={"current_status": job.status.value},
            )
        settings = settings_from_body(body, job.settings, runtime.entry, runtime.state)
        check_job_slots(settings, runtime.state, job)
        old_auto_start = job.settings.auto_start
        job.settings = settings
        if settings.auto_start != old_auto_start:
            target = JobStatus.QUEUED if settings.auto_start else JobStatus.NEW
            if job.status is not target:
                _transition(runtime, job, target, f"auto_start set to {settings.auto_start}")
        runtime.async_state_changed()
        return self.json(
            {**job_summary(job, runtime.state), "message": "Print job updated successfully"}
        )

    async def delete(self, request: web.Request, job_id: str) -> web.Response:
        """Cancel the job (stopping its print if it is on a printer); it stays in the history."""
        runtime = self.runtime(request)
        job = _job(runtime, job_id)
        if job.status.is_finished:
            raise refused(IllegalTransitionError(job.id, job.status, JobStatus.CANCELLED))
        reason = "Cancelled through the REST API"
        printer_id = job.printer_id
        if job.status in (JobStatus.PRINTING, JobStatus.PAUSED) and printer_id is not None:
            printer = runtime.printers.printer(printer_id)
            if printer is None:
                reason += f"; printer {printer_id} is not in the farm, the print was not stopped"
            else:
                try:
                    await printer.async_stop()
                except DeviceError as err:
                    raise device_api_error(
                        err,
                        f"Print job {job.id} was not cancelled: printer {printer_id} could not "
                        "stop the print",
                    ) from None
                reason += f"; the print on printer {printer_id} was stopped"
        _transition(runtime, job, JobStatus.CANCELLED, reason)
        return self.json(
            {
                "id": job.id,
                "status": job.status.value,
                "message": "Print job cancelled successfully",
            }
        )


class PrintJobStartView(OttoView):
    url = "/api/print-jobs/{job_id}/start"
    name = "api:ottoengine:print-jobs:start"
    operations = {
        "post": Operation(
            summary="Queue a NEW job for the orchestrator",
            responses=ok("Queued", _with(JOB_SUMMARY, message=TEXT)),
            errors=(409,),
        )
    }

    async def post(self, request: web.Request, job_id: str) -> web.Response:
        """Queue a NEW job (created with auto_start off) for the orchestrator."""
        runtime = self.runtime(request)
        job = _job(runtime, job_id)
        _transition(runtime, job, JobStatus.QUEUED, "Started through the REST API")
        job.settings = replace(job.settings, auto_start=True)
        return self.json(
            {**job_summary(job, runtime.state), "message": "Print job queued successfully"}
        )


class PrintJobCompleteView(OttoView):
    url = "/api/print-jobs/{job_id}/complete"
    name = "api:ottoengine:print-jobs:complete"
    operations = {
        "post": Operation(
            summary="Mark a job as completed",
            responses=ok(
                "Completed", obj(id=ID, status=TEXT, completed_at=OPT_MOMENT, message=TEXT)
            ),
            errors=(409,),
        )
    }

    async def post(self, request: web.Request, job_id: str) -> web.Response:
        runtime = self.runtime(request)
        job = _job(runtime, job_id)
        _transition(runtime, job, JobStatus.COMPLETED, "Marked as completed through the REST API")
        return self.json(
            {
                "id": job.id,
                "status": job.status.value,
                "completed_at": to_iso(job.completed_at),
                "message": "Print job marked as completed",
            }
        )
