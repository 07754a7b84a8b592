"""Registry and audit views the training API serves (built on mlaas.registry / promotion / db).

Kept here because the jobs package is this feature's home in mlaas; the functions only compose
existing registry calls: versions with their plots, a comparison with plot URIs, filtered audit.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlaas.errors import NotFound
from mlaas.registry import VersionInfo, client, get_version, list_versions
from mlaas.settings import get_settings

if TYPE_CHECKING:
    from mlaas.airflow_api import AirflowClient


def plot_names(run_id: str) -> list[str]:
    """The holdout plots logged with a version's training run (`plots/<name>.png`), by name."""
    if not run_id:
        return []
    return sorted(
        artifact.path.removeprefix("plots/").removesuffix(".png")
        for artifact in client().list_artifacts(run_id, "plots")
        if artifact.path.endswith(".png")
    )


def plot_uris(run_id: str) -> dict[str, str]:
    """name -> artifact URI of the holdout plots logged with a version's training run."""
    names = plot_names(run_id)
    if not names:
        return {}
    root = client().get_run(run_id).info.artifact_uri
    return {name: f"{root}/plots/{name}.png" for name in names}


class PlotNotFound(NotFound):
    code = "plot_not_found"


def plot_png(name: str, version: str, plot: str) -> bytes:
    """The PNG of one holdout plot of a version (`plot` as `plot_names` names it)."""
    run_id = get_version(name, version).run_id
    if plot not in plot_names(run_id):
        raise PlotNotFound(f"{name} v{version} has no plot {plot!r}")
    with tempfile.TemporaryDirectory() as folder:
        return Path(client().download_artifacts(run_id, f"plots/{plot}.png", folder)).read_bytes()


def version_view(v: VersionInfo) -> dict[str, Any]:
    return {
        "version": v.version,
        "aliases": v.aliases,
        "run_id": v.run_id,
        "created_at": v.created_at,
        "metrics": {k: m for k, m in v.metrics.items() if k.startswith("holdout_")},
        "lineage": v.lineage(),
        "plots": plot_names(v.run_id),  # GET .../versions/{version}/plots/{plot}
    }


def versions(name: str) -> list[dict[str, Any]]:
    """Every version, with the dataset it was trained on as ingest recorded it (rows, source)."""
    rows = [version_view(v) for v in list_versions(name)]
    datasets = datasets_by_hash(name)
    for row in rows:
        row["dataset"] = datasets.get(row["lineage"].get("data_hash", ""))
    return rows


def datasets_by_hash(model: str) -> dict[str, dict[str, Any]]:
    """The model's ingested datasets by content hash: rows, source, status."""
    from sqlalchemy import select

    from mlaas.db import datasets, get_engine

    query = select(
        datasets.c.content_hash, datasets.c.rows, datasets.c.source, datasets.c.status
    ).where(datasets.c.model == model)
    with get_engine().connect() as conn:
        return {
            row.content_hash: {"rows": row.rows, "source": row.source, "status": row.status}
            for row in conn.execute(query)
        }


def comparison(name: str, a: str, b: str) -> dict[str, Any]:
    """mlaas.promotion.compare (metrics side by side, paired test on b's holdout) plus plots."""
    from mlaas.promotion import compare

    result = compare(name, a, b)
    result["plots"] = {
        a: plot_uris(get_version(name, a).run_id),
        b: plot_uris(get_version(name, b).run_id),
    }
    result["tracking_uri"] = get_settings().mlflow_tracking_uri
    return result


def pipeline_runs(spec: str, airflow: AirflowClient, *, limit: int) -> list[dict[str, Any]]:
    """The spec's DAG runs with their task states. A run that failed at `validate` also carries
    the platform's record of why: the failing expectations and columns of the dataset that
    `ingest` read (its content hash, from ingest's XCom)."""
    from mlaas.validation import latest_validation

    runs = airflow.runs(spec, limit=limit)
    for run in runs:
        run["failed_tasks"] = [t["task_id"] for t in run["tasks"] if t["state"] == "failed"]
        if "validate" not in run["failed_tasks"]:
            continue
        dataset = airflow.xcom(spec, run["dag_run_id"], "ingest", dag_id=run.get("dag_id"))
        content_hash = dataset.get("content_hash") if isinstance(dataset, dict) else None
        record = latest_validation(spec, content_hash=content_hash) if content_hash else None
        if record is not None and not record["success"]:
            run["validation"] = {
                k: record[k] for k in ("suite", "content_hash", "statistics", "failures")
            }
    return runs
