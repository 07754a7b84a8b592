"""Promotion: register a trained model with its lineage, then let the gate decide on `champion`.

A new version always gets the `challenger` alias; it becomes `champion` only when the spec's gate
passes against the current champion on rows neither model trained on (the challenger's holdout
less the champion's training rows, `gate_rows`; mlaas.gate decides). Registration is
idempotent: a training run is registered at most once, so re-runs never add versions.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from mlaas import db
from mlaas.errors import Invalid, field_problem
from mlaas.gate import decide
from mlaas.lineage import code_revision, save_spec_snapshot
from mlaas.refs import GateDecision, Registration, TrainResult
from mlaas.registry import (
    CHALLENGER,
    CHAMPION,
    TAG,
    VersionInfo,
    aliases_by_version,
    client,
    find_version_for_run,
    get_version,
    set_alias,
    version_for_alias,
)
from mlaas.specs import METRICS, ModelSpec
from mlaas.tracking import init_mlflow

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger("mlaas.promotion")


def register_and_gate(
    spec: ModelSpec, trained: TrainResult, *, trigger: str = "manual", actor: str | None = None
) -> Registration:
    """Register the trained model as `challenger`; make it `champion` only if the gate passes.

    One registration per model at a time (a lock in the platform DB): a manual run and an
    automatic retrain finishing together are gated one after the other, the second against
    the champion the first left, never both against the same old one."""
    from mlaas.locks import held

    with held(f"register:{spec.name}"):
        return _register_and_gate(spec, trained, trigger=trigger, actor=actor)


def _register_and_gate(
    spec: ModelSpec, trained: TrainResult, *, trigger: str, actor: str | None
) -> Registration:
    existing = find_version_for_run(spec.name, trained.run_id)
    gated = existing is not None and (
        f"{TAG}gate" in (existing.tags or {}) or CHAMPION in (existing.aliases or [])
    )
    if gated:
        return _reused(spec, existing, trained)
    if existing is not None:
        # Registered, never gated: the process doing it died in between (an Airflow task
        # killed mid-register). Its retry finishes the job on the same version.
        version = str(existing.version)
        log.warning("%s v%s was registered but not gated; gating it now", spec.name, version)
    else:
        version = _register(spec, trained, trigger=trigger, actor=actor)
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
    _card(spec.name, version)  # with the gate's decision and the aliases it left
    return Registration(
        model=spec.name,
        version=version,
        run_id=trained.run_id,
        champion=decision.passed,
        gate=decision,
    )


def _card(model: str, version: str) -> None:
    """The version's model card (mlaas.cards), logged with its run. A failure here must not
    undo a registration: it is logged, and the card is made when first read."""
    from mlaas.cards import write_card

    try:
        write_card(model, version)
    except Exception:  # noqa: BLE001 - a card problem is reported, the version stands
        log.exception("%s v%s: the model card could not be made", model, version)


def _register(spec: ModelSpec, trained: TrainResult, *, trigger: str, actor: str | None) -> str:
    """A new registry version of the trained run, with its lineage tags; audited."""
    import mlflow

    init_mlflow()
    save_spec_snapshot(spec)
    tags = lineage_tags(spec, trained, trigger=trigger)
    version = str(mlflow.register_model(trained.model_uri, spec.name, tags=tags).version)
    db.record_audit(
        action="register",
        model=spec.name,
        version=version,
        reason=f"trained by {trigger}",
        actor=actor,
        details={"run_id": trained.run_id, "metrics": trained.metrics},
    )
    return version


def _reused(spec: ModelSpec, existing: Any, trained: TrainResult) -> Registration:
    """The registration of a run registered before: no new gate decision is made, and the
    answer says so instead of repeating the old one as if it were new."""
    from datetime import UTC, datetime

    version = str(existing.version)
    registered = datetime.fromtimestamp(int(existing.creation_timestamp) / 1000, tz=UTC)
    earlier = (existing.tags or {}).get(f"{TAG}gate")
    old = GateDecision.model_validate_json(earlier) if earlier else None
    then = f" (at registration: {old.reason})" if old else ""
    return Registration(
        model=spec.name,
        version=version,
        run_id=trained.run_id,
        champion=CHAMPION in aliases_by_version(spec.name).get(version, []),
        gate=GateDecision(
            passed=old.passed if old else False,
            reason=f"reused v{version} (registered {registered:%Y-%m-%d %H:%M} UTC), no new gate "
            f"decision{then}",
            challenger_metric=old.challenger_metric
            if old
            else trained.metrics.get(spec.training.primary_metric, 0.0),
            champion_metric=old.champion_metric if old else None,
            champion_version=old.champion_version if old else None,
            p_value=old.p_value if old else None,
        ),
        reused=True,
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
    from mlaas.ingest import dataset_parts

    parts = dataset_parts(spec.name, trained.content_hash) or []
    return {
        f"{TAG}data_hash": trained.content_hash,
        f"{TAG}data_parts": json.dumps([part.to_xcom() for part in parts]),
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
        **(
            {f"{TAG}decision_threshold": repr(trained.decision_threshold)}
            if trained.decision_threshold is not None
            else {}
        ),
        **(
            {f"{TAG}metric_problems": json.dumps(trained.metric_problems)}
            if trained.metric_problems
            else {}
        ),
    }


def _spec_of(version: VersionInfo, default: ModelSpec) -> ModelSpec:
    """The spec a version was trained with (its snapshot), or `default` when it is the same."""
    from mlaas.lineage import load_spec_snapshot

    spec_hash = version.tags.get(f"{TAG}spec_hash", default.spec_hash)
    return default if spec_hash == default.spec_hash else load_spec_snapshot(spec_hash)


def version_threshold(version: VersionInfo) -> float | None:
    """A binary version's decision threshold (None: not binary, or from before thresholds)."""
    value = version.tags.get(f"{TAG}decision_threshold")
    return None if value is None else float(value)


def as_decided(metric: str, scores: np.ndarray, threshold: float | None) -> np.ndarray:
    """Binary scores for a metric of hard answers (F1, accuracy) as the answers the model gives
    at its own threshold (1.0 / 0.0, which the metrics cut at 0.5); other scores unchanged."""
    if threshold is None or scores.ndim != 1 or metric not in ("f1", "accuracy"):
        return scores
    return (scores >= threshold).astype(float)


def paired_decision(
    spec: ModelSpec,
    frame_key: str,
    *,
    challenger_uri: str,
    champion: VersionInfo | None,
    challenger_threshold: float | None = None,
) -> GateDecision:
    """Score challenger and champion on rows neither trained on, then gate (mlaas.gate).
    A binary model's F1 and accuracy are those of its own decision threshold.

    The rows are the challenger's holdout of `frame_key` (split by `spec`) less what the
    champion trained on (`gate_rows`); fewer than `gate.min_rows` of them and the gate does not
    promote. The champion is fed the features of the spec it was trained with, so a champion
    from an older spec is judged on exactly the same rows.
    """
    from mlaas.training.metrics import score, score_or_none
    from mlaas.training.split import load_split
    from mlaas.training.train import predictions_on

    metric = spec.training.primary_metric
    challenger_train, holdout = load_split(spec, frame_key)
    if champion is None:
        rows, why = holdout, f"the challenger's holdout ({len(holdout)} rows)"
    else:
        rows, why = gate_rows(spec, challenger_train, holdout, champion)
    if champion is not None and len(rows) < spec.gate.min_rows:
        y_true, scores = predictions_on(spec, holdout, challenger_uri)
        scores = as_decided(metric, scores, challenger_threshold)
        return GateDecision(
            passed=False,
            reason=f"only {why}; the gate needs {spec.gate.min_rows} rows neither model trained "
            "on to compare fairly (gate.min_rows): not promoted. Train on newer data, or "
            "compare by hand and promote with a reason",
            challenger_metric=score_or_none(metric, y_true, scores),
            champion_version=champion.version,
            rows=len(rows),
            evaluation=why,
        )
    y_true, challenger_scores = predictions_on(spec, rows, challenger_uri)
    challenger_scores = as_decided(metric, challenger_scores, challenger_threshold)
    champion_scores = None
    if champion is not None:
        try:
            _, champion_scores = predictions_on(
                spec,
                rows,
                f"models:/{champion.model}/{champion.version}",
                model_spec=_spec_of(champion, spec),
            )
            champion_scores = as_decided(metric, champion_scores, version_threshold(champion))
        except ValueError as error:  # the new frame lacks features the champion needs
            return GateDecision(
                passed=False,
                reason=f"champion v{champion.version} cannot be scored on the new holdout "
                f"({error}); compare by hand and promote with a reason if intended",
                challenger_metric=score_or_none(metric, y_true, challenger_scores),
                champion_version=champion.version,
            )
    decision = decide(
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
    reason = f"{decision.reason}; compared on {why}" if champion is not None else decision.reason
    return decision.model_copy(update={"reason": reason, "rows": len(rows), "evaluation": why})


def gate_rows(
    spec: ModelSpec, challenger_train: pd.DataFrame, holdout: pd.DataFrame, champion: VersionInfo
) -> tuple[pd.DataFrame, str]:
    """The holdout rows neither model trained on (`spec.gate.evaluation`), and a line saying
    which they are. Rows are matched by entity key and event time."""
    import pandas as pd

    from mlaas.training.split import load_split

    frame_key = champion.tags.get(f"{TAG}frame_key")
    name = f"champion v{champion.version}"
    keys = [spec.entity_key, spec.event_timestamp]
    champion_train = load_split(_spec_of(champion, spec), frame_key)[0] if frame_key else None
    if champion_train is None or not set(keys) <= set(champion_train.columns):
        why = f"the challenger's holdout ({len(holdout)} rows; {name}'s training rows unknown)"
        return holdout, why
    if spec.gate.evaluation == "forward":
        time = spec.event_timestamp
        newest = max(champion_train[time].max(), challenger_train[time].max())
        rows = holdout[holdout[time] > newest]
        why = f"{len(rows)} of {len(holdout)} holdout rows newer than both training sets"
        return rows.reset_index(drop=True), f"{why} (after {newest})"
    seen = pd.MultiIndex.from_frame(champion_train[keys])
    unseen = ~pd.MultiIndex.from_frame(holdout[keys]).isin(seen)
    rows = holdout[unseen].reset_index(drop=True)
    return rows, f"{len(rows)} of {len(holdout)} holdout rows {name} did not train on"


def evaluate_gate(spec: ModelSpec, trained: TrainResult) -> GateDecision:
    """The gate for a newly trained model against the current champion; a model above the
    spec's fairness bound is not promoted, however good (mlaas.fairness)."""
    from mlaas.fairness import fairness_problem

    decision = paired_decision(
        spec,
        trained.frame_key,
        challenger_uri=trained.model_uri,
        champion=version_for_alias(spec.name, CHAMPION),
        challenger_threshold=trained.decision_threshold,
    )
    unfair = fairness_problem(spec, trained.fairness)
    if unfair is None:
        return decision
    return decision.model_copy(
        update={
            "passed": False,
            "reason": f"{unfair}: not promoted ({decision.reason})",
        }
    )


class SameVersion(Invalid):
    """A comparison of a version with itself."""

    def field_problems(self) -> list[dict[str, str]]:
        return field_problem("b", self.describe())


def compare(name: str, a: str, b: str) -> dict[str, Any]:
    """Metrics of two versions side by side, plus the gate's paired test on b's holdout."""
    if str(a) == str(b):
        raise SameVersion(f"compare needs two different versions of {name!r}, got {a} twice")
    from mlaas.lineage import load_spec_snapshot

    va, vb = get_version(name, a), get_version(name, b)
    keys = sorted(k for k in set(va.metrics) | set(vb.metrics) if k.startswith("holdout_"))
    rows = [{"metric": k, a: va.metrics.get(k), b: vb.metrics.get(k)} for k in keys]
    spec = load_spec_snapshot(vb.tags[f"{TAG}spec_hash"])
    decision = paired_decision(
        spec,
        vb.tags[f"{TAG}frame_key"],
        challenger_uri=f"models:/{name}/{b}",
        champion=va,
        challenger_threshold=version_threshold(vb),
    )
    return {"model": name, "a": a, "b": b, "metrics": rows, "test": decision.model_dump()}
