"""Model registry on MLflow: register with lineage, the `challenger`/`champion` aliases, the gate.

Every alias move writes an audit row (who, when, why). Registration is idempotent: a training run
is registered at most once, so re-running a pipeline on the same data never adds versions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlaas import db
from mlaas.errors import NotFound
from mlaas.settings import get_settings
from mlaas.specs import METRICS
from mlaas.tracking import init_mlflow

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

log = logging.getLogger("mlaas.registry")

CHAMPION = "champion"
CHALLENGER = "challenger"
TAG = "mlaas."


class RegistryError(NotFound):
    """A model, version or alias that does not exist."""

    code = "model_not_found"


@dataclass(frozen=True)
class VersionInfo:
    """One registered version as people and APIs see it."""

    model: str
    version: str
    run_id: str
    aliases: list[str]
    tags: dict[str, str]
    metrics: dict[str, float]
    params: dict[str, str]
    created_at: int  # ms since epoch, as MLflow stores it
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def lineage(self) -> dict[str, str]:
        return {k.removeprefix(TAG): v for k, v in self.tags.items() if k.startswith(TAG)}


def client() -> MlflowClient:
    from mlflow import MlflowClient

    init_mlflow()
    settings = get_settings()
    return MlflowClient(settings.mlflow_tracking_uri, settings.mlflow_tracking_uri)


def _versions(name: str) -> list[ModelVersion]:
    found = client().search_model_versions(f"name='{name}'")
    return sorted(found, key=lambda v: int(v.version))


def aliases_by_version(name: str) -> dict[str, list[str]]:
    """Search results carry no aliases; the registered model does (alias -> version)."""
    from mlflow.exceptions import MlflowException

    try:
        alias_map = client().get_registered_model(name).aliases or {}
    except MlflowException:
        return {}
    found: dict[str, list[str]] = {}
    for alias, version in sorted(alias_map.items()):
        found.setdefault(str(version), []).append(alias)
    return found


def version_info(mv: ModelVersion, aliases: dict[str, list[str]] | None = None) -> VersionInfo:
    run = client().get_run(mv.run_id) if mv.run_id else None
    if aliases is None:
        aliases = aliases_by_version(mv.name)
    return VersionInfo(
        model=mv.name,
        version=str(mv.version),
        run_id=mv.run_id or "",
        aliases=aliases.get(str(mv.version), []),
        tags=dict(mv.tags or {}),
        metrics=dict(run.data.metrics) if run else {},
        params=dict(run.data.params) if run else {},
        created_at=int(mv.creation_timestamp or 0),
        source=mv.source or "",
    )


def model_aliases() -> dict[str, dict[str, str]]:
    """model -> {alias: version} for every registered model (the prediction service polls this
    every `serving_poll_s`; ~6 ms through the client with a few models)."""
    return {
        str(rm.name): {str(a): str(v) for a, v in dict(rm.aliases or {}).items()}
        for rm in client().search_registered_models()
    }


def list_models() -> list[dict[str, Any]]:
    """Every registered model with its aliases and latest version."""
    rows = []
    for rm in client().search_registered_models():
        versions = _versions(rm.name)
        rows.append(
            {
                "name": rm.name,
                "versions": len(versions),
                "latest": versions[-1].version if versions else None,
                "aliases": dict(rm.aliases or {}),
            }
        )
    return sorted(rows, key=lambda r: str(r["name"]))


def list_versions(name: str) -> list[VersionInfo]:
    versions = _versions(name)
    if not versions and not _model_exists(name):
        raise RegistryError(f"model {name!r} is not registered")
    aliases = aliases_by_version(name)
    return [version_info(v, aliases) for v in versions]


def _model_exists(name: str) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        client().get_registered_model(name)
    except MlflowException:
        return False
    return True


def get_version(name: str, version: str) -> VersionInfo:
    from mlflow.exceptions import MlflowException

    try:
        return version_info(client().get_model_version(name, str(version)))
    except MlflowException:
        raise RegistryError(f"model {name!r} has no version {version!r}") from None


def version_for_alias(name: str, alias: str) -> VersionInfo | None:
    from mlflow.exceptions import MlflowException

    try:
        return version_info(client().get_model_version_by_alias(name, alias))
    except MlflowException:
        return None


def find_version_for_run(name: str, run_id: str) -> ModelVersion | None:
    return next((v for v in _versions(name) if v.run_id == run_id), None)


def set_alias(
    name: str, alias: str, version: str, *, reason: str, actor: str | None = None
) -> VersionInfo:
    """Point an alias at a version (promote or roll back) and audit the move."""
    info = get_version(name, version)
    previous = version_for_alias(name, alias)
    client().set_registered_model_alias(name, alias, str(version))
    db.record_audit(
        action="set_alias",
        model=name,
        version=str(version),
        alias=alias,
        reason=reason,
        actor=actor,
        details={"previous_version": previous.version if previous else None},
    )
    log.info("%s@%s -> v%s (%s)", name, alias, version, reason)
    return info


def best_version(name: str, metric: str | None = None) -> VersionInfo:
    """The version with the best holdout value of `metric` (default: the spec's primary)."""
    versions = list_versions(name)
    if not versions:
        raise RegistryError(f"model {name!r} has no versions")
    if metric is None:
        from mlaas.lineage import load_spec_snapshot

        metric = load_spec_snapshot(versions[-1].tags[f"{TAG}spec_hash"]).training.primary_metric
    if metric not in METRICS:
        raise RegistryError(f"unknown metric {metric!r}; known: {sorted(METRICS)}")
    key = f"holdout_{metric}"
    scored = [v for v in versions if key in v.metrics]
    if not scored:
        raise RegistryError(f"no version of {name!r} has metric {key!r}")
    sign = 1 if METRICS[metric][1] else -1
    return max(scored, key=lambda v: sign * v.metrics[key])


def per_class_metrics(name: str, version: str) -> dict[str, Any] | None:
    """The per-class report logged with a classification version (precision, recall, F1,
    support per class and the confusion matrix), None for regression or older versions."""
    from mlaas.training.train import PER_CLASS_ARTIFACT

    return run_artifact_dict(get_version(name, version).run_id, PER_CLASS_ARTIFACT)


def run_artifact_dict(run_id: str, path: str) -> dict[str, Any] | None:
    """A JSON artifact of a run, or None when the run has none at `path`."""
    import mlflow

    try:
        data: dict[str, Any] = mlflow.artifacts.load_dict(f"runs:/{run_id}/{path}")
    except Exception:  # noqa: BLE001 - MLflow raises several types for "no such artifact"
        return None
    return data
