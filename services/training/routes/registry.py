"""Registry: models, versions, side-by-side comparison, alias moves (admin), audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from mlaas.cards import read_card
from mlaas.db import audit_rows
from mlaas.jobs import views
from mlaas.lineage_graph import dataset_lineage, version_lineage
from mlaas.registry import list_models, set_alias
from services.common import IsoDatetime, check_model, require_json
from services.contract import errors
from services.training.deps import AdminKey, TrainKey, actor
from services.training.schemas import (
    AliasMoved,
    AliasRequest,
    AuditPage,
    Comparison,
    LineageGraph,
    ModelList,
    VersionList,
)

router = APIRouter(tags=["registry"])

Alias = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]


@router.get("/v1/models")
def models(key: TrainKey) -> ModelList:
    """Registered models with their aliases and latest version."""
    allowed = [m for m in list_models() if key.allows_model(m["name"])]
    return ModelList.model_validate({"models": allowed})


@router.get("/v1/models/{name}/versions", responses=errors(404))
def versions(name: str, key: TrainKey) -> VersionList:
    """Every version: holdout metrics, aliases, lineage tags, the names of its plots."""
    return VersionList.model_validate({"model": name, "versions": views.versions(name)})


@router.get(
    "/v1/models/{name}/versions/{version}/plots/{plot}",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The plot"}, **errors(404)},
)
def plot(
    name: str,
    version: str,
    plot: Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,64}$")],
    key: TrainKey,
) -> Response:
    """One holdout plot logged with the version (the names `versions` lists under `plots`)."""
    return Response(views.plot_png(name, version, plot), media_type="image/png")


@router.get(
    "/v1/models/{name}/versions/{version}/card",
    response_class=Response,
    responses={
        200: {
            "content": {"text/markdown": {}, "text/html": {}},
            "description": "The model card",
        },
        **errors(404),
    },
)
def card(
    name: str,
    version: str,
    key: TrainKey,
    format: Annotated[  # noqa: A002 - the query parameter's name
        Literal["markdown", "html"], Query(description="Markdown (default) or an HTML page")
    ] = "markdown",
) -> Response:
    """The version's model card: intended use and owner, data lineage, holdout metrics with
    bootstrap intervals, per-slice metrics, fairness, the gate decision, importance and
    limitations (made at registration; made now for an older version)."""
    html = format == "html"
    media = "text/html" if html else "text/markdown"
    return Response(read_card(name, version, html=html), media_type=f"{media}; charset=utf-8")


@router.get("/v1/models/{name}/versions/{version}/lineage", responses=errors(404))
def version_graph(name: str, version: str, key: TrainKey) -> LineageGraph:
    """What data trained the version (its dataset, source parts and validations), the feature
    view and run, its alias moves and the predictions it served, as nodes and edges."""
    return LineageGraph.model_validate(version_lineage(name, version))


@router.get("/v1/lineage/datasets/{content_hash}", responses=errors(403, 404, 422))
def dataset_graph(
    content_hash: Annotated[str, Path(pattern=r"^[0-9a-f]{6,64}$")],
    key: TrainKey,
    model: Annotated[str | None, Query(description="Only this model's datasets")] = None,
) -> LineageGraph:
    """Which versions used the dataset (a content hash or its first 6+ characters), with its
    validations, feature view, runs, alias moves and predictions, as nodes and edges."""
    if model is not None:
        check_model(key, model)
    graph = dataset_lineage(content_hash, model=model)
    check_model(key, next(n["model"] for n in graph["nodes"] if n["kind"] == "dataset"))
    return LineageGraph.model_validate(graph)


@router.get("/v1/models/{name}/compare", responses=errors(404))
def compare(
    name: str,
    key: TrainKey,
    a: Annotated[str, Query(description="Baseline version (e.g. the champion)")],
    b: Annotated[str, Query(description="Candidate version; the test runs on its holdout")],
) -> Comparison:
    """Metrics side by side, the gate's paired significance test on the same holdout, plots."""
    return Comparison.model_validate(views.comparison(name, a, b))


@router.post(
    "/v1/models/{name}/aliases/{alias}",
    dependencies=[Depends(require_json)],
    responses=errors(404),
)
def move_alias(name: str, alias: Alias, body: AliasRequest, key: AdminKey) -> AliasMoved:
    """Point an alias at a version (promote or roll back) with a reason; audited (admin)."""
    info = set_alias(name, alias, body.version, reason=body.reason, actor=actor(key))
    return AliasMoved(model=name, alias=alias, version=info.version, reason=body.reason)


@router.get("/v1/audit")
def audit(
    key: TrainKey,
    model: str | None = None,
    action: str | None = None,
    actor_name: Annotated[str | None, Query(alias="actor")] = None,
    since: IsoDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Who did what, when and why: alias moves, registrations, jobs, keys (newest first)."""
    rows = audit_rows(model, action=action, actor=actor_name, since=since, limit=limit)
    return AuditPage.model_validate({"entries": rows})
