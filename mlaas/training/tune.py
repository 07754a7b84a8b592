"""Hyper-parameter search: one Optuna study per (model, data, spec) stored in the platform DB.

The study name is derived from the data and spec hashes and loaded if it exists, so a re-run (or a
second worker) continues the same study and only runs the trials still missing. Every trial is an
MLflow child run of one parent run per study. Cross-validation only ever sees the train part of the
holdout split.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from mlaas.refs import FrameRef, TuneResult
from mlaas.specs import ModelSpec
from mlaas.training.families import build_estimator, suggest_params, unprefix_params
from mlaas.training.metrics import encode_target, predictions_for_metric, score
from mlaas.training.split import features_and_target, load_split

if TYPE_CHECKING:
    import optuna
    import pandas as pd
    from mlflow import MlflowClient

PRUNER_STARTUP_TRIALS = 3  # small budgets (tens of trials) would otherwise hardly ever prune


def study_name(spec: ModelSpec, content_hash: str) -> str:
    return f"{spec.name}-{content_hash[:12]}-{spec.spec_hash[:12]}"


def optuna_storage() -> optuna.storages.RDBStorage:
    """Optuna's tables in the platform DB (SQLite waits for locks instead of failing at once)."""
    import optuna

    from mlaas.settings import get_settings

    url = get_settings().database_url
    engine_kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        engine_kwargs = {"connect_args": {"timeout": 30}}
    return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)


def cv_folds(spec: ModelSpec, X: pd.DataFrame, y: pd.Series) -> list[tuple[Any, Any]]:
    """Seeded (stratified for classification) folds, identical for every trial of a study."""
    from sklearn.model_selection import KFold, StratifiedKFold

    folds, seed = spec.training.cv_folds, spec.training.seed
    if spec.task == "classification":
        return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))
    return list(KFold(folds, shuffle=True, random_state=seed).split(X))


def _finished(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))


def stalled(study: optuna.Study, patience: int | None) -> bool:
    """True when `patience` finished trials have passed since the best one (early stopping)."""
    from optuna.trial import TrialState

    if patience is None:
        return False
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return False
    best = study.best_trial.number
    return sum(1 for t in _finished(study) if t.number > best) >= patience


class _Objective:
    """Samples a family and its parameters, cross-validates, mirrors the trial into MLflow."""

    def __init__(
        self, spec: ModelSpec, X: pd.DataFrame, y: pd.Series, client: MlflowClient, parent: Any
    ) -> None:
        self.spec, self.X, self.y, self.client, self.parent = spec, X, y, client, parent
        self.folds = cv_folds(spec, X, y)

    def __call__(self, trial: optuna.Trial) -> float:
        import optuna

        spec, metric = self.spec, self.spec.training.primary_metric
        family = trial.suggest_categorical("family", list(spec.training.families))
        params = suggest_params(trial, str(family), spec.training.families[str(family)])
        run = self.client.create_run(
            self.parent.info.experiment_id,
            run_name=f"trial-{trial.number:03d}",
            tags={
                "mlflow.parentRunId": self.parent.info.run_id,
                "mlaas.kind": "trial",
                "mlaas.study": trial.study.study_name,
                "mlaas.trial": str(trial.number),
                "mlaas.family": str(family),
            },
        )
        trial.set_user_attr("mlflow_run_id", run.info.run_id)
        fold_scores: list[float] = []
        state, status = "failed", "FAILED"
        try:
            for step, (fit_rows, val_rows) in enumerate(self.folds):
                estimator = build_estimator(spec, str(family), params, seed=spec.training.seed)
                estimator.fit(self.X.iloc[fit_rows], self.y.iloc[fit_rows])
                scores = predictions_for_metric(spec, estimator, self.X.iloc[val_rows])
                truth = encode_target(spec, estimator, self.y.iloc[val_rows])
                fold_scores.append(score(metric, truth, scores))
                trial.report(sum(fold_scores) / len(fold_scores), step)
                if trial.should_prune():
                    state, status = "pruned", "FINISHED"
                    raise optuna.TrialPruned(f"fold {step}: {fold_scores[-1]:.6g}")
            state, status = "complete", "FINISHED"
            return sum(fold_scores) / len(fold_scores)
        finally:
            self._log(run.info.run_id, family=str(family), params=params, fold_scores=fold_scores)
            self.client.set_tag(run.info.run_id, "mlaas.state", state)
            self.client.set_terminated(run.info.run_id, status)

    def _log(
        self, run_id: str, *, family: str, params: dict[str, Any], fold_scores: list[float]
    ) -> None:
        from mlflow.entities import Metric, Param

        metric, now = self.spec.training.primary_metric, int(time.time() * 1000)
        values = [Metric(f"fold_{metric}", v, now, step) for step, v in enumerate(fold_scores)]
        if fold_scores:
            values.append(Metric(f"cv_{metric}", sum(fold_scores) / len(fold_scores), now, 0))
        logged = [Param("family", family), *(Param(k, str(v)) for k, v in params.items())]
        self.client.log_batch(run_id, metrics=values, params=logged)


def _parent_run(
    client: MlflowClient, experiment_id: str, spec: ModelSpec, content_hash: str, name: str
) -> Any:
    """The study's parent run, reused on re-runs (found by its lineage tags)."""
    query = (
        f"tags.`mlaas.kind` = 'tune' and tags.`mlaas.data_hash` = '{content_hash}' "
        f"and tags.`mlaas.spec_hash` = '{spec.spec_hash}'"
    )
    found = client.search_runs([experiment_id], query, max_results=1, order_by=["start_time ASC"])
    if found:
        return found[0]
    tags = {
        "mlaas.kind": "tune",
        "mlaas.model": spec.name,
        "mlaas.data_hash": content_hash,
        "mlaas.spec_hash": spec.spec_hash,
        "mlaas.study": name,
    }
    return client.create_run(experiment_id, run_name=f"tune-{content_hash[:8]}", tags=tags)


def _log_best(client: MlflowClient, run: Any, spec: ModelSpec, study: optuna.Study) -> None:
    from mlflow.entities import Metric, Param, RunTag

    best, now = study.best_trial, int(time.time() * 1000)
    family = str(best.params["family"])
    params = {"best_family": family}
    params |= {f"best_{k}": str(v) for k, v in unprefix_params(family, best.params).items()}
    already = client.get_run(run.info.run_id).data.params
    client.log_batch(
        run.info.run_id,
        metrics=[
            Metric(f"best_cv_{spec.training.primary_metric}", float(best.values[0]), now, 0),
            Metric("n_trials", float(len(_finished(study))), now, 0),
        ],
        params=[Param(k, v) for k, v in params.items() if k not in already],
        tags=[
            RunTag("mlaas.best_family", family),
            RunTag("mlaas.best_params", json.dumps(unprefix_params(family, best.params))),
            RunTag("mlaas.best_trial_run_id", str(best.user_attrs.get("mlflow_run_id", ""))),
        ],
    )


def tune(spec: ModelSpec, frame: FrameRef, *, trigger: str = "manual") -> TuneResult:
    """Run (or resume) the spec's search on the frame's train part and return the best config."""
    import optuna
    from mlflow import MlflowClient
    from optuna.trial import TrialState

    from mlaas.settings import get_settings
    from mlaas.tracking import ensure_experiment

    if frame.model != spec.name:
        raise ValueError(f"frame of model {frame.model!r} given to spec {spec.name!r}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    training = spec.training
    name = study_name(spec, frame.content_hash)
    study = optuna.create_study(
        storage=optuna_storage(),
        study_name=name,
        load_if_exists=True,
        direction="maximize" if spec.higher_is_better else "minimize",
        sampler=optuna.samplers.TPESampler(seed=training.seed),
        pruner=optuna.pruners.MedianPruner(
            n_startup_trials=PRUNER_STARTUP_TRIALS, n_warmup_steps=1
        ),
    )
    experiment_id = ensure_experiment(spec.name)
    client = MlflowClient(tracking_uri=get_settings().mlflow_tracking_uri)
    parent = _parent_run(client, experiment_id, spec, frame.content_hash, name)
    client.set_tag(parent.info.run_id, "mlaas.trigger", trigger)
    remaining = training.trials - len(_finished(study))
    try:
        if remaining > 0 and not stalled(study, training.early_stopping_trials):
            train, _ = load_split(spec, frame.key)
            X, y = features_and_target(spec, train)

            def stop_when_stalled(study: optuna.Study, _trial: optuna.trial.FrozenTrial) -> None:
                if stalled(study, training.early_stopping_trials):
                    study.stop()

            study.optimize(
                _Objective(spec, X, y, client, parent),
                n_trials=remaining,
                timeout=training.timeout_seconds,
                callbacks=[
                    optuna.study.MaxTrialsCallback(
                        training.trials, states=(TrialState.COMPLETE, TrialState.PRUNED)
                    ),
                    stop_when_stalled,
                ],
            )
        _log_best(client, parent, spec, study)
    except BaseException:
        client.set_terminated(parent.info.run_id, "FAILED")
        raise
    client.set_terminated(parent.info.run_id, "FINISHED")
    best = study.best_trial
    family = str(best.params["family"])
    return TuneResult(
        model=spec.name,
        content_hash=frame.content_hash,
        spec_hash=spec.spec_hash,
        study_name=name,
        parent_run_id=parent.info.run_id,
        best_family=family,
        best_params=unprefix_params(family, best.params),
        best_value=float(best.values[0]),
        n_trials=len(_finished(study)),
    )
