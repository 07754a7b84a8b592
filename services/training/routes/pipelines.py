"""Pipeline runs through Airflow: trigger the spec's DAG, list its runs with task states."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from mlaas.airflow_api import AirflowClient, AirflowNotFound, AirflowUnavailable
from mlaas.specs import SpecError, load_spec
from services.common import ApiError, require_json
from services.training.deps import TrainKey, actor
from services.training.schemas import PipelineRunRequest

router = APIRouter(prefix="/v1/pipelines", tags=["pipelines (Airflow)"])

SpecName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,62}$")]


def _client(spec: str) -> AirflowClient:
    try:
        load_spec(spec)
    except SpecError as error:
        raise ApiError(404, "spec_not_found", str(error)) from None
    try:
        return AirflowClient.from_settings()
    except AirflowUnavailable as error:
        raise ApiError(503, "airflow_unavailable", str(error)) from None


def _call(spec: str, action: Any) -> Any:
    try:
        return action()
    except AirflowUnavailable as error:
        raise ApiError(503, "airflow_unavailable", str(error)) from None
    except AirflowNotFound:
        raise ApiError(
            404, "dag_not_found", f"Airflow has no DAG for spec {spec!r} (is dags/ loaded?)"
        ) from None


@router.post("/{spec}/runs", status_code=201, dependencies=[Depends(require_json)])
def trigger(spec: SpecName, body: PipelineRunRequest, key: TrainKey) -> dict[str, Any]:
    """Unpause the spec's DAG and start a run with this conf (503 when Airflow is down)."""
    client = _client(spec)
    conf = body.model_dump(exclude_none=True)
    conf["trigger"] = f"{body.trigger} ({actor(key)})"
    run: dict[str, Any] = _call(spec, lambda: client.trigger(spec, conf))
    return run


@router.get("/{spec}/runs")
def runs(
    spec: SpecName, key: TrainKey, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> dict[str, Any]:
    """The DAG's latest runs with the state of each task."""
    client = _client(spec)
    return {"spec": spec, "runs": _call(spec, lambda: client.runs(spec, limit=limit))}
