"""Training jobs: submit, list, read, trials, live progress (SSE), cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response, StreamingResponse

from mlaas.auth import ApiKey
from mlaas.jobs import store
from mlaas.jobs.progress import job_progress, job_trials
from services.common import check_model, require_json
from services.contract import ApiError, errors
from services.training.deps import TrainKey, actor
from services.training.schemas import JobPage, JobView, SubmitJob, TrialList

router = APIRouter(prefix="/v1/training-jobs", tags=["training jobs"])

State = Literal["queued", "running", "succeeded", "failed", "cancelled"]
EVENT_POLL_S = 1.0
KEEPALIVE_S = 15.0


def view(job: store.Job) -> dict[str, Any]:
    data = job.as_dict()
    data["progress"] = job_progress(job)
    return data


@router.post(
    "",
    response_model=JobView,
    status_code=201,
    dependencies=[Depends(require_json)],
    responses={
        200: {"description": "A repeated idempotency key: the first job"},
        **errors(403, 404, 409, 429, 503),
    },
)
def submit(
    body: SubmitJob,
    key: TrainKey,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> Response:
    """Queue a training job (201), or return the job an idempotency key already made (200)."""
    given = idempotency_key or body.idempotency_key
    if idempotency_key and body.idempotency_key and idempotency_key != body.idempotency_key:
        raise ApiError(
            422,
            "invalid_request",
            "the Idempotency-Key header and the body's idempotency_key differ",
            fields=[{"field": "idempotency_key", "problem": "differs from the header"}],
        )
    check_model(key, body.spec)
    job, created = store.submit(
        body.spec,
        body.overrides,
        actor=actor(key),
        idempotency_key=given,
        quota=not key.allows("admin"),
    )
    return Response(
        JobView.model_validate(view(job)).model_dump_json(),
        status_code=201 if created else 200,
        media_type="application/json",
        headers={"Location": f"/v1/training-jobs/{job.id}"},
    )


@router.get("", response_model=JobPage)
def list_jobs(
    key: TrainKey,
    spec: str | None = None,
    state: State | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,  # a database's BIGINT
) -> dict[str, Any]:
    """Newest first; pass `next_cursor` back as `cursor` for the next page (or use offset)."""
    page, next_cursor = store.list_jobs(
        spec=spec,
        state=state,
        limit=limit,
        cursor=cursor,
        offset=offset,
        specs=key.limited_to,
    )
    return {"jobs": [view(j) for j in page], "next_cursor": next_cursor}


def _visible_job(job_id: str, key: ApiKey) -> store.Job:
    """The job, if the key may see its model; a job of another model is "not found" (a key
    limited to models learns nothing of the others)."""
    job = store.get_job(job_id)
    if not key.allows_model(job.spec):
        raise store.JobNotFound(f"no training job {job_id!r}")
    return job


@router.get("/{job_id}", response_model=JobView, responses=errors(404))
def get_job(job_id: str, key: TrainKey) -> dict[str, Any]:
    """State, progress (trials done of total, best value so far, elapsed), outcome or error."""
    return view(_visible_job(job_id, key))


@router.get("/{job_id}/trials", responses=errors(404))
def trials(job_id: str, key: TrainKey) -> TrialList:
    """Every Optuna trial of the job's study: number, state, params, value(s), duration."""
    job = _visible_job(job_id, key)
    return TrialList.model_validate(
        {"job_id": job.id, "study_name": job.study_name, "trials": job_trials(job)}
    )


@router.post("/{job_id}/cancel", response_model=JobView, responses=errors(404, 409))
def cancel(job_id: str, key: TrainKey) -> dict[str, Any]:
    """Queued: cancelled now. Running: stops after the current trial (finished trials kept)."""
    _visible_job(job_id, key)  # 404 for an unknown id
    return view(store.request_cancel(job_id, actor=actor(key)))


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **errors(404)},
)
async def events(job_id: str, key: TrainKey) -> StreamingResponse:
    """Server-Sent Events: a `progress` event whenever the job changes, `end` when it ends."""
    await run_in_threadpool(_visible_job, job_id, key)  # 404 before the stream starts

    async def stream() -> AsyncIterator[str]:
        last, quiet = "", 0.0
        while True:
            job = await run_in_threadpool(store.get_job, job_id)
            body = await run_in_threadpool(view, job)
            payload = json.dumps(jsonable_encoder(body))
            if payload != last:
                last, quiet = payload, 0.0
                yield f"event: progress\ndata: {payload}\n\n"
            if job.terminal:
                yield f"event: end\ndata: {json.dumps({'state': job.state})}\n\n"
                return
            if quiet >= KEEPALIVE_S:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await asyncio.sleep(EVENT_POLL_S)
            quiet += EVENT_POLL_S

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
