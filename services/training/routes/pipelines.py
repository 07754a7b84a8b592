"""Pipeline runs through Airflow: trigger the spec's DAG, list its runs with task states."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from mlaas.airflow_api import AirflowClient
from mlaas.data.access import allowed_data_file
from mlaas.data.generate import resolve_source
from mlaas.jobs import views
from mlaas.specs import load_spec
from services.common import require_json
from services.contract import errors
from services.training.deps import TrainKey, actor
from services.training.schemas import PipelineRun, PipelineRunRequest, PipelineRuns

router = APIRouter(prefix="/v1/pipelines", tags=["pipelines (Airflow)"])

SpecName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,62}$")]


def _client(spec: str) -> AirflowClient:
    """The Airflow client, once the spec exists (SpecNotFound: 404; Airflow down: 503)."""
    load_spec(spec)
    return AirflowClient.from_settings()


@router.post(
    "/{spec}/runs",
    status_code=201,
    dependencies=[Depends(require_json)],
    responses=errors(404, 422, 503),
)
def trigger(spec: SpecName, body: PipelineRunRequest, key: TrainKey) -> PipelineRun:
    """Unpause the spec's DAG and start a run with this conf (503 when Airflow is down)."""
    client = _client(spec)
    conf = body.model_dump(exclude_none=True)
    if body.dataset_path:
        source = resolve_source(load_spec(spec), body.dataset_path)
        conf["dataset_path"] = allowed_data_file(source, field="dataset_path")
    conf["trigger"] = f"{body.trigger} ({actor(key)})"
    return PipelineRun.model_validate(client.trigger(spec, conf))


@router.get("/{spec}/runs", responses=errors(404, 503))
def runs(
    spec: SpecName, key: TrainKey, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> PipelineRuns:
    """The DAG's latest runs with the state of each task; for a run that failed validation,
    the failing expectations and columns."""
    client = _client(spec)
    return PipelineRuns.model_validate(
        {"spec": spec, "runs": views.pipeline_runs(spec, client, limit=limit)}
    )
