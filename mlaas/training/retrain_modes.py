"""Retraining modes: what a pipeline run trains on and how, decided once per run as a plan.

full          tune + train on the whole new dataset (the default).
window        tune + train on the last `retrain.window_days` days of it.
replay_mix    tune + train on it plus a seeded `retrain.replay_fraction` of the earlier datasets.
incremental   the champion trained further on the new rows (warm start; see mlaas.training.warm).
recalibration the champion, unchanged, with its probabilities recalibrated on the new rows.
stacking      the champion and a newly tuned model, blended.

The champion-based modes learn only from rows newer than the champion's training data, and fall
back to `full` (saying why in the plan, the log and the run's tags) when there is no champion or
it cannot be built upon. Every mode ends in the same register + gate step, and records in
lineage tags (`mlaas.retrain_mode`, `mlaas.retrain.*`) what it did and with which rows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from mlaas.refs import (
    MODE_TAG,
    TAG_PREFIX,
    FrameRef,
    Registration,
    RetrainPlan,
    TrainResult,
    TuneResult,
)
from mlaas.specs import RETRAIN_MODES, ModelSpec, RetrainMode
from mlaas.training.selection import (
    RetrainError,
    Selection,
    earlier_frames,
    replay_rows,
    rows_after,
    store_selection,
    window_rows,
)

if TYPE_CHECKING:
    import pandas as pd

    from mlaas.registry import VersionInfo

log = logging.getLogger("mlaas.training")

CHAMPION_MODES = ("incremental", "recalibration", "stacking")

__all__ = ["RetrainError", "check_mode", "plan_retrain"]


def check_mode(spec: ModelSpec, mode: str | None) -> RetrainMode:
    """The mode to use (None means full); RetrainError names a mode that cannot apply."""
    if mode is None:
        return "full"
    if mode not in RETRAIN_MODES:
        raise RetrainError(f"unknown retrain mode {mode!r}; known: {list(RETRAIN_MODES)}")
    if mode == "recalibration" and spec.task != "classification":
        raise RetrainError(
            f"retrain mode 'recalibration' recalibrates class probabilities; {spec.name!r} is a "
            "regression model (use incremental, stacking or window instead)"
        )
    return cast(RetrainMode, mode)


def plan_retrain(spec: ModelSpec, frame: FrameRef, mode: str | None = None) -> RetrainPlan:
    """Decide the mode actually used and select (and store) the rows it trains on."""
    from mlaas.storage import get_store, read_parquet
    from mlaas.training.split import check_class_coverage

    requested = check_mode(spec, mode)
    plan = RetrainPlan.full(frame).model_copy(update={"requested": requested, "mode": requested})
    if requested == "full":
        if spec.task == "classification":  # seconds now, not after a tuning run
            check_class_coverage(spec, read_parquet(get_store(), frame.key))
        return plan
    data = read_parquet(get_store(), frame.key)
    if requested == "window":
        selection = window_rows(spec, data, spec.retrain.window_days)
        window = f"the last {spec.retrain.window_days} days, retrain.window_days"
        _check_selection(spec, data, selection, f"window mode: {window}")
        return _selected(spec, plan, selection)
    if requested == "replay_mix":
        earlier = earlier_frames(spec, frame.content_hash)
        fraction, seed = spec.retrain.replay_fraction, spec.training.seed
        selection = replay_rows(spec, data, earlier, fraction=fraction, seed=seed)
        _check_selection(spec, data, selection, "replay_mix mode")
        return _selected(spec, plan, selection)
    from mlaas.registry import CHAMPION, version_for_alias

    champion = version_for_alias(spec.name, CHAMPION)
    problem, cutoff = _champion_problem(spec, champion, requested)
    if problem or champion is None or cutoff is None:
        note = f"{requested} needs {problem}; trained from scratch (full) instead"
        log.warning("%s: %s", spec.name, note)
        return plan.model_copy(update={"mode": "full", "note": note})
    selection = rows_after(spec, data, cutoff, champion.version)
    if requested == "stacking":  # a new model is tuned on the new rows: it must know every class
        _check_selection(spec, data, selection, f"stacking mode: rows after v{champion.version}")
    update = {"base_version": champion.version, "base_run_id": champion.run_id}
    return _selected(spec, plan.model_copy(update=update), selection)


def _check_selection(spec: ModelSpec, data: pd.DataFrame, selection: Selection, what: str) -> None:
    """A mode that tunes a new model on part of the data: every class of the whole dataset
    must still be in both parts of that part (`check_class_coverage`), before any tuning."""
    from mlaas.training.split import check_class_coverage

    if spec.task == "classification":
        known = data[spec.target].dropna().unique().tolist()
        check_class_coverage(spec, selection.frame, classes=known, selected=f" of the {what}")


def _selected(spec: ModelSpec, plan: RetrainPlan, selection: Selection) -> RetrainPlan:
    frame = store_selection(spec, plan.frame, selection, plan.mode)
    return plan.model_copy(update={"frame": frame, "details": selection.details})


def _features(spec: ModelSpec) -> list[tuple[str, str]]:
    return [(f.name, f.type) for f in spec.features]


def _champion_problem(
    spec: ModelSpec, champion: VersionInfo | None, mode: RetrainMode
) -> tuple[str | None, datetime | None]:
    """(why `mode` cannot build on the champion, or None; end of its training data)."""
    from mlaas.families import FAMILIES
    from mlaas.lineage import load_spec_snapshot
    from mlaas.registry import TAG

    if champion is None:
        return "a champion and there is none", None
    tags, name = champion.tags, f"champion v{champion.version}"
    base_spec = load_spec_snapshot(tags[f"{TAG}spec_hash"])
    if (base_spec.task, base_spec.target, _features(base_spec)) != (
        spec.task,
        spec.target,
        _features(spec),
    ):
        return f"a champion with the same features and target; {name} has others", None
    if mode == "incremental":
        family, built_by = tags.get(f"{TAG}family", "?"), tags.get(MODE_TAG, "full")
        if built_by in ("recalibration", "stacking") or not (
            family in FAMILIES and FAMILIES[family].warm_startable
        ):
            kind = f"a {built_by} model" if built_by != "full" else f"family {family!r}"
            return f"a warm-startable champion; {name} is {kind}", None
    cutoff = _train_until(base_spec, tags[f"{TAG}frame_key"])
    if cutoff is None:
        return f"{name}'s training frame, and it is gone from the object store", None
    return None, cutoff


def _train_until(spec: ModelSpec, frame_key: str) -> datetime | None:
    """The latest event time a version was trained on (its frame's train part)."""
    import pandas as pd

    from mlaas.storage import get_store
    from mlaas.training.split import load_split

    if not get_store().exists(frame_key):
        return None
    train, _ = load_split(spec, frame_key)
    latest: datetime = pd.to_datetime(train[spec.event_timestamp], utc=True).max().to_pydatetime()
    return latest


def train_for_plan(
    spec: ModelSpec, plan: RetrainPlan, tuned: TuneResult | None, *, trigger: str = "manual"
) -> TrainResult:
    """Train (or build on the champion) as the plan says; one logged, registrable model."""
    from mlaas.training.train import fit_and_log, train_and_evaluate

    if plan.tunes and tuned is None:
        raise ValueError(f"retrain mode {plan.mode!r} needs a tuning result")
    if plan.mode not in CHAMPION_MODES:
        assert tuned is not None
        return train_and_evaluate(spec, plan.frame, tuned, trigger=trigger, plan=plan)
    champion, family, params = _load_champion(plan)

    def fit(X: pd.DataFrame, y: pd.Series) -> tuple[Any, str, dict[str, Any], dict[str, str]]:
        from mlaas.training import warm
        from mlaas.training.families import build_estimator

        if plan.mode == "incremental":
            model, details = warm.continue_training(spec, champion, X, y)
            return model, family, params, details
        if plan.mode == "recalibration":
            return warm.recalibrate(champion, X, y), family, params, {"method": "sigmoid"}
        assert tuned is not None
        seed = spec.training.seed
        member = build_estimator(spec, tuned.best_family, tuned.best_params, seed=seed)
        blended = warm.stack(spec, champion, member, X, y)
        member_params = {"member_family": tuned.best_family, **tuned.best_params}
        return blended, "stacking", member_params, {"member_family": tuned.best_family}

    run_tags = {"mlaas.tune_run_id": tuned.parent_run_id} if tuned else {}
    return fit_and_log(spec, plan, fit, trigger=trigger, tags=run_tags)


def _load_champion(plan: RetrainPlan) -> tuple[Any, str, dict[str, Any]]:
    """(fitted model, family, hyper-parameters) of the version the plan builds on."""
    import json

    import mlflow

    from mlaas.registry import TAG, get_version
    from mlaas.tracking import init_mlflow

    tags = get_version(plan.model, str(plan.base_version)).tags
    init_mlflow()
    model = mlflow.sklearn.load_model(f"models:/{plan.model}/{plan.base_version}")
    params = json.loads(tags.get(f"{TAG}params", "{}"))
    return model, tags.get(f"{TAG}family", "unknown"), params


def tag_version(registration: Registration) -> None:
    """Copy the training run's retraining lineage onto its registered version."""
    from mlaas.registry import client

    mlflow_client = client()
    tags = mlflow_client.get_run(registration.run_id).data.tags
    for key, value in sorted(tags.items()):
        if key.startswith(TAG_PREFIX):
            mlflow_client.set_model_version_tag(
                registration.model, registration.version, key, value
            )
