"""Model registry on MLflow: register with lineage, the `challenger`/`champion` aliases, the gate.

Every alias move writes an audit row (who, when, why). Registration is idempotent: a training run
is registered at most once, so re-running a pipeline on the same data never adds versions.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlaas import db
from mlaas.gate import decide
from mlaas.lineage import code_revision, save_spec_snapshot
from mlaas.refs import GateDecision, Registration, TrainResult
from mlaas.settings import get_settings
from mlaas.specs import METRICS, ModelSpec
from mlaas.tracking import init_mlflow

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

log = logging.getLogger("mlaas.registry")

CHAMPION = "champion"
CHALLENGER = "challenger"
TAG = "mlaas."


class RegistryError(LookupError):
    """A model, version or alias that does not exist."""


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


def register_and_gate(
    spec: ModelSpec, trained: TrainResult, *, trigger: str = "manual", actor: str | None = None
) -> Registration:
    """Register the trained model as `challenger`; make it `champion` only if the gate passes."""
    existing = find_version_for_run(spec.name, trained.run_id)
    if existing is not None:
        tags = existing.tags or {}
        return Registration(
            model=spec.name,
            version=str(existing.version),
            run_id=trained.run_id,
            champion=CHAMPION in aliases_by_version(spec.name).get(str(existing.version), []),
            gate=GateDecision.model_validate_json(tags.get(f"{TAG}gate", "{}"))
            if f"{TAG}gate" in tags
            else GateDecision(passed=False, reason="unknown", challenger_metric=float("nan")),
            reused=True,
        )
    import mlflow

    init_mlflow()
    save_spec_snapshot(spec)
    tags = lineage_tags(spec, trained, trigger=trigger)
    mv = mlflow.register_model(trained.model_uri, spec.name, tags=tags)
    version = str(mv.version)
    db.record_audit(
        action="register",
        model=spec.name,
        version=version,
        reason=f"trained by {trigger}",
        actor=actor,
        details={"run_id": trained.run_id, "metrics": trained.metrics},
    )
    set_alias(spec.name, CHALLENGER, version, reason="newly registered", actor=actor)
    decision = evaluate_gate(spec, trained)
    client().set_model_version_tag(spec.name, version, f"{TAG}gate", decision.model_dump_json())
    if decision.passed:
        reason = f"gate passed: {decision.reason}"
        set_alias(spec.name, CHAMPION, version, reason=reason, actor=actor)
    else:
        db.record_audit(
            action="gate_rejected", model=spec.name, version=version, reason=decision.reason
        )
        log.warning("%s v%s stays challenger: %s", spec.name, version, decision.reason)
    return Registration(
        model=spec.name,
        version=version,
        run_id=trained.run_id,
        champion=decision.passed,
        gate=decision,
    )


def lineage_tags(spec: ModelSpec, trained: TrainResult, *, trigger: str) -> dict[str, str]:
    from mlaas.validation import latest_validation

    validation = latest_validation(spec.name, content_hash=trained.content_hash)
    summary = (
        f"{'passed' if validation['success'] else 'failed'} "
        f"{validation['statistics'].get('successful_expectations', '?')}/"
        f"{validation['statistics'].get('evaluated_expectations', '?')} ({spec.validation_suite})"
        if validation
        else "not validated"
    )
    return {
        f"{TAG}data_hash": trained.content_hash,
        f"{TAG}frame_key": trained.frame_key,
        f"{TAG}validation": summary,
        f"{TAG}spec_hash": trained.spec_hash,
        f"{TAG}git_revision": code_revision(),
        f"{TAG}trigger": trigger,
        f"{TAG}seed": str(spec.training.seed),
        f"{TAG}family": trained.family,
        f"{TAG}params": json.dumps(trained.params, sort_keys=True),
        f"{TAG}run_id": trained.run_id,
        f"{TAG}profile_key": trained.profile_key,
    }


def _spec_of(version: VersionInfo, default: ModelSpec) -> ModelSpec:
    """The spec a version was trained with (its snapshot), or `default` when it is the same."""
    from mlaas.lineage import load_spec_snapshot

    spec_hash = version.tags.get(f"{TAG}spec_hash", default.spec_hash)
    return default if spec_hash == default.spec_hash else load_spec_snapshot(spec_hash)


def paired_decision(
    spec: ModelSpec,
    frame_key: str,
    *,
    challenger_uri: str,
    champion: VersionInfo | None,
) -> GateDecision:
    """Score challenger and champion on the holdout of `frame_key` (split by `spec`), then gate.

    The champion is fed the features of the spec it was trained with, so a champion from an
    older spec is judged on exactly the challenger's holdout rows.
    """
    from mlaas.training.metrics import score
    from mlaas.training.train import holdout_predictions

    metric = spec.training.primary_metric
    y_true, challenger_scores = holdout_predictions(spec, frame_key, challenger_uri)
    champion_scores = None
    if champion is not None:
        try:
            _, champion_scores = holdout_predictions(
                spec,
                frame_key,
                f"models:/{champion.model}/{champion.version}",
                model_spec=_spec_of(champion, spec),
            )
        except ValueError as error:  # the new frame lacks features the champion needs
            return GateDecision(
                passed=False,
                reason=f"champion v{champion.version} cannot be scored on the new holdout "
                f"({error}); compare by hand and promote with a reason if intended",
                challenger_metric=score(metric, y_true, challenger_scores),
                champion_version=champion.version,
            )
    return decide(
        spec.gate,
        metric=metric,
        higher_is_better=METRICS[metric][1],
        y_true=y_true,
        challenger_scores=challenger_scores,
        champion_scores=champion_scores,
        champion_version=champion.version if champion else None,
        scorer=lambda y, s: score(metric, y, s),
        seed=spec.training.seed,
    )


def evaluate_gate(spec: ModelSpec, trained: TrainResult) -> GateDecision:
    """The gate for a newly trained model against the current champion."""
    return paired_decision(
        spec,
        trained.frame_key,
        challenger_uri=trained.model_uri,
        champion=version_for_alias(spec.name, CHAMPION),
    )


def compare(name: str, a: str, b: str) -> dict[str, Any]:
    """Metrics of two versions side by side, plus the gate's paired test on b's holdout."""
    from mlaas.lineage import load_spec_snapshot

    va, vb = get_version(name, a), get_version(name, b)
    keys = sorted(k for k in set(va.metrics) | set(vb.metrics) if k.startswith("holdout_"))
    rows = [{"metric": k, a: va.metrics.get(k), b: vb.metrics.get(k)} for k in keys]
    spec = load_spec_snapshot(vb.tags[f"{TAG}spec_hash"])
    decision = paired_decision(
        spec, vb.tags[f"{TAG}frame_key"], challenger_uri=f"models:/{name}/{b}", champion=va
    )
    return {"model": name, "a": a, "b": b, "metrics": rows, "test": decision.model_dump()}


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
