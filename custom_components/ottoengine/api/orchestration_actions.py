"""Extensions of the seed API for the orchestrator's operator actions.

- ``POST /api/printers/{id}/plate-cleared``: the bed is clear with a fresh plate on it.
- ``POST /api/print-jobs/{id}/retry``: queue a failed or cancelled job again (a new job).
- ``POST /api/print-jobs/{id}/move`` ``{"position": "top"}`` or ``{"before_job_id": n}``.
- ``GET /api/orchestration/workflows``: every active workflow with its phase and notes.
- ``POST /api/orchestration/workflows/{id}/resume`` ``{"answer": "retry" | "done" | "abort"}``:
  the operator's answer to a paused workflow.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web

from ..farm.clock import utcnow
from ..farm.orchestration import queue
from ..farm.orchestration.runs import Answer, Phase, Run
from ..runtime import OttoRuntime
from .base import OttoView, parse_id
from .errors import ApiError, bad_request, conflict, not_found
from .print_jobs_json import job_created, job_summary
from .schema import Arr, Bool, Int, Obj, Operation, Str
from .shapes import ID, JOB_CREATED, JOB_SUMMARY, OPT_ID, OPT_TEXT, TEXT, obj, ok

WORKFLOW = obj(
    id=ID,
    kind=TEXT,
    printer_id=OPT_ID,
    job_id=OPT_ID,
    job_status=OPT_TEXT,
    ottoeject_id=OPT_ID,
    rack_id=OPT_ID,
    store_slot=OPT_ID,
    grab_slot=OPT_ID,
    phase=TEXT,
    steps=Arr(items=Str()),
    step_index=Int(minimum=0),
    paused=Obj(nullable=True),
    note=OPT_TEXT,
)
ANSWERS = tuple(answer.value for answer in Answer)


def workflow_json(run: Run, runtime: OttoRuntime) -> dict[str, Any]:
    job = runtime.state.jobs.get(run.job_id) if run.job_id is not None else None
    return {
        "id": run.id,
        "kind": run.kind.value,
        "printer_id": run.printer_id,
        "job_id": run.job_id,
        "job_status": job.status.value if job is not None else None,
        "ottoeject_id": run.ejector_id,
        "rack_id": run.rack_id,
        "store_slot": run.store_slot,
        "grab_slot": run.grab_slot,
        "phase": run.phase.value,
        "steps": [step.value for step in run.steps],
        "step_index": run.step_index,
        "paused": run.pause.as_dict() if run.pause is not None else None,
        "note": run.note,
    }


class PrinterPlateClearedView(OttoView):
    url = "/api/printers/{printer_id}/plate-cleared"
    name = "api:ottoengine:printers:plate-cleared"
    operations = {
        "post": Operation(
            summary="The printer's bed is clear with a fresh plate on it",
            responses=ok(
                "Marked as cleared",
                obj(
                    success=Bool(),
                    message=TEXT,
                    data=obj(printer_id=ID, was_blocked=Bool(), has_build_plate=Bool()),
                ),
            ),
        )
    }

    async def post(self, request: web.Request, printer_id: str) -> web.Response:
        runtime = self.runtime(request)
        number = parse_id(printer_id, "Printer")
        if number not in runtime.printers.printer_ids():
            raise not_found("Printer", printer_id)
        was_blocked = runtime.orchestrator.async_plate_cleared(number)
        return self.json(
            {
                "success": True,
                "message": "Plate marked as cleared; the printer takes its next job",
                "data": {"printer_id": number, "was_blocked": was_blocked, "has_build_plate": True},
            }
        )


class PrintJobRetryView(OttoView):
    url = "/api/print-jobs/{job_id}/retry"
    name = "api:ottoengine:print-jobs:retry"
    operations = {
        "post": Operation(
            summary="Queue a failed or cancelled job again (as a new job)",
            responses=ok(
                "The new job",
                Obj(
                    properties={**JOB_CREATED.properties, "retry_of": ID},
                    required=(*JOB_CREATED.required, "retry_of"),
                ),
                201,
            ),
            errors=(409,),
        )
    }

    async def post(self, request: web.Request, job_id: str) -> web.Response:
        runtime = self.runtime(request)
        job = runtime.state.jobs.get(parse_id(job_id, "Print job"))
        if job is None:
            raise not_found("Print job", job_id)
        try:
            new = queue.retry(runtime.state, job, utcnow())
        except queue.QueueChangeError as err:
            raise conflict(str(err)) from None
        runtime.async_state_changed()
        runtime.orchestrator.async_request()
        return self.json({**job_created(new), "retry_of": job.id}, HTTPStatus.CREATED)


class PrintJobMoveView(OttoView):
    url = "/api/print-jobs/{job_id}/move"
    name = "api:ottoengine:print-jobs:move"
    operations = {
        "post": Operation(
            summary="Move a waiting job to the top of the queue, or before another job",
            body=Obj(
                properties={
                    "position": Str(enum=("top",), nullable=True, message='must be "top"'),
                    "before_job_id": Int(
                        minimum=1, nullable=True, message="must be a print job id"
                    ),
                },
                description='Either "position": "top" or "before_job_id"',
            ),
            responses=ok(
                "The moved job and the new queue order",
                Obj(
                    properties={
                        **JOB_SUMMARY.properties,
                        "message": TEXT,
                        "queue": Arr(items=ID),
                    },
                    required=(*JOB_SUMMARY.required, "message", "queue"),
                ),
            ),
            errors=(409,),
        )
    }

    async def post(self, request: web.Request, job_id: str) -> web.Response:
        runtime = self.runtime(request)
        job = runtime.state.jobs.get(parse_id(job_id, "Print job"))
        if job is None:
            raise not_found("Print job", job_id)
        body = await self.json_body(request)
        position, before = body.get("position"), body.get("before_job_id")
        if (position is None) == (before is None):
            raise bad_request("position", 'give either "position": "top" or "before_job_id"')
        try:
            if position is not None:
                if position != "top":
                    raise bad_request("position", 'must be "top"')
                queue.move_to_top(runtime.state, job)
            else:
                if isinstance(before, bool) or not isinstance(before, int) or before < 1:
                    raise bad_request("before_job_id", "must be a print job id")
                other = runtime.state.jobs.get(before)
                if other is None:
                    raise bad_request("before_job_id", f"print job {before} does not exist")
                queue.move_before(runtime.state, job, other)
        except queue.QueueChangeError as err:
            raise conflict(str(err)) from None
        runtime.async_state_changed()
        runtime.orchestrator.async_request()
        order = [waiting.id for waiting in queue.waiting(runtime.state)]
        return self.json(
            {**job_summary(job, runtime.state), "message": "Print job moved", "queue": order}
        )


class WorkflowsView(OttoView):
    url = "/api/orchestration/workflows"
    name = "api:ottoengine:orchestration:workflows"
    operations = {
        "get": Operation(
            summary="Every active workflow with its phase and notes",
            responses=ok("The workflows", obj(success=Bool(), data=Arr(items=WORKFLOW))),
        )
    }

    async def get(self, request: web.Request) -> web.Response:
        runtime = self.runtime(request)
        runs = runtime.state.active_runs()
        return self.json({"success": True, "data": [workflow_json(run, runtime) for run in runs]})


class WorkflowResumeView(OttoView):
    url = "/api/orchestration/workflows/{workflow_id}/resume"
    name = "api:ottoengine:orchestration:workflows:resume"
    operations = {
        "post": Operation(
            summary="The operator's answer to a paused workflow",
            body=Obj(
                properties={
                    "answer": Str(enum=ANSWERS, message='must be "retry", "done" or "abort"')
                },
                required=("answer",),
            ),
            responses=ok("The workflow", obj(success=Bool(), data=WORKFLOW)),
            errors=(409,),
        )
    }

    async def post(self, request: web.Request, workflow_id: str) -> web.Response:
        runtime = self.runtime(request)
        run = runtime.state.runs.get(parse_id(workflow_id, "Workflow"))
        if run is None:
            raise not_found("Workflow", workflow_id)
        body = await self.json_body(request)
        try:
            answer = Answer(str(body.get("answer")))
        except ValueError:
            raise bad_request("answer", 'must be "retry", "done" or "abort"') from None
        if run.phase is not Phase.PAUSED:
            raise ApiError(HTTPStatus.CONFLICT, f"Workflow {run.id} is not paused ({run.phase})")
        runtime.orchestrator.async_answer(run.id, answer)
        return self.json({"success": True, "data": workflow_json(run, runtime)})
