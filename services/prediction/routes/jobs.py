"""Async predictions: queue records or a lake file for a Celery worker, then poll the job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from mlaas.errors import FieldError
from mlaas.serving import batch
from mlaas.serving.requests import PredictRequest
from mlaas.serving.service import MAX_BATCH
from services.common import require_json
from services.contract import ApiError, documented
from services.prediction.deps import PredictKey, ServiceDep
from services.prediction.responses import json_response
from services.prediction.schemas import JobQueued, JobStatus

router = APIRouter(tags=["async predictions"])


class ScoreFileRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str  # object-store key of a .parquet or .csv file


@router.post(
    "/v1/models/{name}/predict/async",
    status_code=202,
    dependencies=[Depends(require_json)],
    response_model=None,
    responses=documented(JobQueued, 404, 413, status=202, description="Queued"),
)
def predict_async(
    name: str, body: PredictRequest, key: PredictKey, service: ServiceDep, request: Request
) -> Response:
    """Queue up to 10,000 records; answers 202 with the job id (validated before queueing)."""
    records = body.records() if body.features is not None else None
    if records is None:
        raise ApiError(422, "invalid_request", "async predictions take 'features', not entity ids")
    service.check_records(name, records, max_records=MAX_BATCH)  # 404/413/422 now, not later
    job_id = batch.submit(name, "records", request_id=request.state.request_id, payload=records)
    return json_response({"job_id": job_id, "status": "queued"}, 202)


@router.post(
    "/v1/models/{name}/score-file",
    status_code=202,
    dependencies=[Depends(require_json)],
    response_model=None,
    responses=documented(JobQueued, 404, status=202, description="Queued"),
)
def score_file(
    name: str, body: ScoreFileRequest, key: PredictKey, service: ServiceDep, request: Request
) -> Response:
    """Score a file in the object store; the worker writes `<name>.scored.parquet` beside it."""
    from mlaas.storage import get_store

    service.predictor(name)
    try:
        found = body.key.endswith((".parquet", ".csv")) and get_store().exists(body.key)
    except ValueError as escape:  # `..`, an absolute path: outside the object store
        raise FieldError("key", str(escape)) from None
    if not found:
        raise ApiError(404, "file_not_found", f"no .parquet/.csv object at {body.key!r}")
    job_id = batch.submit(name, "file", request_id=request.state.request_id, payload=body.key)
    return json_response({"job_id": job_id, "status": "queued"}, 202)


@router.get("/v1/jobs/{job_id}", response_model=None, responses=documented(JobStatus, 404))
def job(job_id: str, key: PredictKey) -> dict[str, Any]:
    """Status of an async prediction job, with its result once it succeeded."""
    return batch.job_status(job_id)
