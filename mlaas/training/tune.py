"""Hyper-parameter search: one Optuna study per (model, data, spec) stored in the platform DB.

The study name is derived from the data and spec hashes and loaded if it exists, so a re-run (or a
second worker) continues the same study and only runs the trials still missing. Several processes
may search one study at once (`tune_shard`): each trial claims one slot of the budget, so together
they finish exactly `training.trials` trials. Every trial is an MLflow child run of one parent run
per study. Cross-validation only ever sees the train part of the holdout split.

A caller steers a running search with a `TuneControl` passed to `tune` (through `run_pipeline`
for a training job): stop between trials (cancellation), learn the study as soon as it exists
(a training job records it and starts shards), and wait for shards before the best trial is
read.

With `training.secondary_objective` the study has two objectives (the primary metric and the
model's size or prediction latency, minimised); the best config is the Pareto-optimal trial with
the best primary value, and the whole front is logged on the parent run.
"""

from __future__ import annotations

import json
import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mlaas.families import model_size
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
# Optuna heartbeats: a trial of a killed process is failed (its slot freed) after the grace period.
HEARTBEAT_INTERVAL_S = 2
HEARTBEAT_GRACE_S = 10
# A process records a trial's first heartbeat right after creating it; one killed in between leaves
# a RUNNING trial with no heartbeat, which Optuna never fails. Such a trial older than this is dead
# (measured on the asking process's clock, hence more than the grace for hosts that disagree).
FIRST_HEARTBEAT_GRACE_S = 30
WAIT_POLL_S = 0.5  # how often a search waits on trials other processes are running
SECONDARY_UNITS = {"model_size": "bytes", "latency": "ms_per_1k_rows"}


@dataclass(frozen=True)
class StudyStarted:
    """What `TuneControl.on_study` learns once the study and its parent run exist."""

    spec: ModelSpec
    frame: FrameRef
    study_name: str
    parent_run_id: str


def _never() -> bool:
    return False


@dataclass(frozen=True)
class TuneControl:
    """How a caller steers a search: checked between trials, never inside one."""

    should_stop: Callable[[], bool] = _never  # True: finish the running trial, then stop
    on_study: Callable[[StudyStarted], None] | None = None
    join: Callable[[], None] | None = None  # after this process's trials, before the best is read


class TuneCancelled(RuntimeError):
    """The search was stopped on request; its finished trials stay in the study and in MLflow."""

    def __init__(self, study_name: str, finished: int) -> None:
        super().__init__(f"tuning cancelled after {finished} finished trials of {study_name}")
        self.study_name, self.finished = study_name, finished


class _SurplusTrial(Exception):
    """A trial created after the budget was already claimed by other processes."""


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
    with warnings.catch_warnings():  # heartbeats are "experimental" since Optuna 2.9
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(
            url,
            engine_kwargs=engine_kwargs,
            heartbeat_interval=HEARTBEAT_INTERVAL_S,
            grace_period=HEARTBEAT_GRACE_S,
        )


def fail_dead_trials(study: optuna.Study) -> None:
    """Free the slots of trials whose process died: stale heartbeats (Optuna's rule) and trials
    whose first heartbeat never came (killed between creating the trial and its heartbeat)."""
    from datetime import datetime, timedelta

    import optuna
    import sqlalchemy
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    with warnings.catch_warnings():  # "experimental" since Optuna 2.9
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    storage = study._storage
    database = getattr(storage, "_backend", storage)  # Optuna wraps RDBStorage in a cache
    if not isinstance(database, optuna.storages.RDBStorage):
        return
    cutoff = datetime.now() - timedelta(seconds=FIRST_HEARTBEAT_GRACE_S)
    old = {
        t._trial_id: t
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        if t.datetime_start is not None and t.datetime_start < cutoff
    }
    if not old:
        return
    query = sqlalchemy.text("SELECT trial_id FROM trial_heartbeats WHERE trial_id IN :ids")
    query = query.bindparams(sqlalchemy.bindparam("ids", expanding=True))
    with database.engine.connect() as connection:
        beating = {row[0] for row in connection.execute(query, {"ids": list(old)})}
    for trial_id in set(old) - beating:
        try:
            storage.set_trial_state_values(trial_id, state=TrialState.FAIL)  # through the cache
        except UpdateFinishedTrialError:
            pass  # it finished, or another process failed it first


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


def _running(study: optuna.Study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))


def pareto_front(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """Trials no other trial beats on every objective (the best trial for one objective)."""
    from optuna.trial import TrialState

    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return []
    if len(study.directions) == 1:
        return [study.best_trial]
    return list(study.best_trials)


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial:
    """The best trial by the primary objective (on the Pareto front when there are two)."""
    from optuna.study import StudyDirection

    front = pareto_front(study)
    if not front:
        raise ValueError(f"study {study.study_name} has no completed trial")
    sign = 1.0 if study.directions[0] == StudyDirection.MAXIMIZE else -1.0
    return max(front, key=lambda t: sign * float(t.values[0]))


def stalled(study: optuna.Study, patience: int | None) -> bool:
    """True when `patience` finished trials have passed since the best one (early stopping)."""
    from optuna.trial import TrialState

    if patience is None:
        return False
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return False
    best = best_trial(study).number
    return sum(1 for t in _finished(study) if t.number > best) >= patience


def _claim_slot(trial: optuna.Trial, budget: int) -> None:
    """Raise _SurplusTrial when `budget` earlier trials are finished or still running.

    Trial numbers are assigned in creation order by the storage, so of several processes that
    create trials at the same moment exactly the first ones (by number) get the slots.
    """
    from optuna.trial import TrialState

    states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    ahead = sum(
        1 for t in trial.study.get_trials(deepcopy=False, states=states) if t.number < trial.number
    )
    if ahead >= budget:
        trial.set_user_attr("surplus", True)
        trial.study.stop()
        raise _SurplusTrial(f"trial {trial.number}: the budget of {budget} is taken")


def secondary_value(kind: str, estimator: Any, X: pd.DataFrame, spec: ModelSpec) -> float:
    """The second objective of one fitted estimator: its pickled size or prediction latency."""
    if kind == "model_size":
        return float(model_size(estimator))
    started = time.perf_counter()
    predictions_for_metric(spec, estimator, X)
    return (time.perf_counter() - started) * 1000.0 * 1000.0 / max(len(X), 1)


class _Objective:
    """Samples a family and its parameters, cross-validates, mirrors the trial into MLflow."""

    def __init__(
        self, spec: ModelSpec, X: pd.DataFrame, y: pd.Series, client: MlflowClient, parent: Any
    ) -> None:
        self.spec, self.X, self.y, self.client, self.parent = spec, X, y, client, parent
        self.folds = cv_folds(spec, X, y)
        self.secondary = spec.training.secondary_objective
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.finished = 0  # trials this process completed or pruned

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, float]:
        import optuna

        _claim_slot(trial, self.spec.training.trials)
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
        trial.set_user_attr("worker", self.worker)
        fold_scores: list[float] = []
        secondary: list[float] = []
        state, status = "failed", "FAILED"
        try:
            for step, (fit_rows, val_rows) in enumerate(self.folds):
                estimator = build_estimator(spec, str(family), params, seed=spec.training.seed)
                estimator.fit(self.X.iloc[fit_rows], self.y.iloc[fit_rows])
                scores = predictions_for_metric(spec, estimator, self.X.iloc[val_rows])
                truth = encode_target(spec, estimator, self.y.iloc[val_rows])
                fold_scores.append(score(metric, truth, scores, threshold=spec.decision.threshold))
                if self.secondary is not None:  # Optuna cannot prune multi-objective trials
                    secondary.append(
                        secondary_value(self.secondary, estimator, self.X.iloc[val_rows], spec)
                    )
                    continue
                trial.report(sum(fold_scores) / len(fold_scores), step)
                if trial.should_prune():
                    state, status = "pruned", "FINISHED"
                    raise optuna.TrialPruned(f"fold {step}: {fold_scores[-1]:.6g}")
            state, status = "complete", "FINISHED"
            mean = sum(fold_scores) / len(fold_scores)
            if self.secondary is not None:
                return mean, sum(secondary) / len(secondary)
            return mean
        finally:
            self.finished += state != "failed"
            self._log(
                run.info.run_id,
                family=str(family),
                params=params,
                fold_scores=fold_scores,
                secondary=secondary,
            )
            self.client.set_tag(run.info.run_id, "mlaas.state", state)
            self.client.set_terminated(run.info.run_id, status)

    def _log(
        self,
        run_id: str,
        *,
        family: str,
        params: dict[str, Any],
        fold_scores: list[float],
        secondary: list[float],
    ) -> None:
        from mlflow.entities import Metric, Param

        metric, now = self.spec.training.primary_metric, int(time.time() * 1000)
        values = [Metric(f"fold_{metric}", v, now, step) for step, v in enumerate(fold_scores)]
        if fold_scores:
            values.append(Metric(f"cv_{metric}", sum(fold_scores) / len(fold_scores), now, 0))
        if secondary and self.secondary is not None:
            values.append(Metric(f"cv_{self.secondary}", sum(secondary) / len(secondary), now, 0))
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


def _front_summary(study: optuna.Study) -> list[dict[str, Any]]:
    return [
        {"trial": t.number, "family": t.params.get("family"), "values": list(t.values)}
        for t in sorted(pareto_front(study), key=lambda t: t.number)
    ]


def _log_best(client: MlflowClient, run: Any, spec: ModelSpec, study: optuna.Study) -> None:
    from mlflow.entities import Metric, Param, RunTag

    best, now = best_trial(study), int(time.time() * 1000)
    family = str(best.params["family"])
    params = {"best_family": family}
    params |= {f"best_{k}": str(v) for k, v in unprefix_params(family, best.params).items()}
    already = client.get_run(run.info.run_id).data.params
    metrics = [
        Metric(f"best_cv_{spec.training.primary_metric}", float(best.values[0]), now, 0),
        Metric("n_trials", float(len(_finished(study))), now, 0),
    ]
    tags = [
        RunTag("mlaas.best_family", family),
        RunTag("mlaas.best_params", json.dumps(unprefix_params(family, best.params))),
        RunTag("mlaas.best_trial_run_id", str(best.user_attrs.get("mlflow_run_id", ""))),
    ]
    secondary = spec.training.secondary_objective
    if secondary is not None:
        metrics.append(Metric(f"best_{secondary}", float(best.values[1]), now, 0))
        tags.append(RunTag("mlaas.pareto_front", json.dumps(_front_summary(study))))
    client.log_batch(
        run.info.run_id,
        metrics=metrics,
        params=[Param(k, v) for k, v in params.items() if k not in already],
        tags=tags,
    )


def open_study(spec: ModelSpec, content_hash: str) -> optuna.Study:
    """The spec's study on this data, created on first use (every process opens the same one)."""
    import optuna

    training = spec.training
    direction: Literal["maximize", "minimize"] = (
        "maximize" if spec.higher_is_better else "minimize"
    )
    directions = [direction, "minimize"] if training.secondary_objective else [direction]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        storage=optuna_storage(),
        study_name=study_name(spec, content_hash),
        load_if_exists=True,
        directions=directions,
        sampler=optuna.samplers.TPESampler(seed=training.seed),
        pruner=optuna.pruners.MedianPruner(
            n_startup_trials=PRUNER_STARTUP_TRIALS, n_warmup_steps=1
        ),
    )


def _search(
    study: optuna.Study,
    objective: Callable[[], _Objective],
    spec: ModelSpec,
    control: TuneControl,
    *,
    wait_for_others: bool,
) -> int:
    """Run trials until the budget is finished, the search stalls, time runs out or a stop.

    A process whose last slots are taken by others either waits for them (the process that
    reads the best trial afterwards) or returns (a shard). Returns the trials this process
    finished.
    """
    import optuna
    from optuna.trial import TrialState

    training = spec.training
    budget, patience = training.trials, training.early_stopping_trials
    deadline = time.monotonic() + training.timeout_seconds
    built: _Objective | None = None

    def stop_when_stalled(study: optuna.Study, _trial: optuna.trial.FrozenTrial) -> None:
        if stalled(study, patience):
            study.stop()

    def stop_when_asked(study: optuna.Study, _trial: optuna.trial.FrozenTrial) -> None:
        if control.should_stop():
            study.stop()

    while not control.should_stop() and not stalled(study, patience):
        finished, running = len(_finished(study)), _running(study)
        left = deadline - time.monotonic()
        if finished >= budget or left <= 0:
            break
        if finished + running >= budget:
            if not wait_for_others:
                break
            time.sleep(WAIT_POLL_S)
            fail_dead_trials(study)  # a killed process frees its slot
            continue
        built = built or objective()  # loads the frame only when there is work
        study.optimize(
            built,
            timeout=left,
            catch=(_SurplusTrial,),
            callbacks=[
                optuna.study.MaxTrialsCallback(
                    budget, states=(TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
                ),
                stop_when_stalled,
                stop_when_asked,
            ],
        )
    return built.finished if built else 0


def _objective_factory(
    spec: ModelSpec, frame: FrameRef, client: MlflowClient, parent: Any
) -> Callable[[], _Objective]:
    def build() -> _Objective:
        train, _ = load_split(spec, frame.key)
        X, y = features_and_target(spec, train)
        return _Objective(spec, X, y, client, parent)

    return build


def _check_frame(spec: ModelSpec, frame: FrameRef) -> None:
    if frame.model != spec.name:
        raise ValueError(f"frame of model {frame.model!r} given to spec {spec.name!r}")


def tune(
    spec: ModelSpec,
    frame: FrameRef,
    *,
    trigger: str = "manual",
    control: TuneControl | None = None,
) -> TuneResult:
    """Run (or resume) the spec's search on the frame's train part and return the best config,
    steered by `control` (stop requests, the study once it exists, shards to wait for)."""
    from mlflow import MlflowClient

    from mlaas.settings import get_settings
    from mlaas.tracking import ensure_experiment

    _check_frame(spec, frame)
    control = control or TuneControl()
    name = study_name(spec, frame.content_hash)
    study = open_study(spec, frame.content_hash)
    experiment_id = ensure_experiment(spec.name)
    client = MlflowClient(tracking_uri=get_settings().mlflow_tracking_uri)
    parent = _parent_run(client, experiment_id, spec, frame.content_hash, name)
    client.set_tag(parent.info.run_id, "mlaas.trigger", trigger)
    if control.on_study is not None:
        control.on_study(StudyStarted(spec, frame, name, parent.info.run_id))
    try:
        try:
            _search(
                study,
                _objective_factory(spec, frame, client, parent),
                spec,
                control,
                wait_for_others=True,
            )
        finally:
            if control.join is not None:
                control.join()
        if control.should_stop():
            if pareto_front(study):
                _log_best(client, parent, spec, study)
            client.set_terminated(parent.info.run_id, "KILLED")
            raise TuneCancelled(name, len(_finished(study)))
        _log_best(client, parent, spec, study)
    except TuneCancelled:
        raise
    except BaseException:
        client.set_terminated(parent.info.run_id, "FAILED")
        raise
    client.set_terminated(parent.info.run_id, "FINISHED")
    best = best_trial(study)
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


def tune_shard(
    spec: ModelSpec, frame: FrameRef, *, should_stop: Callable[[], bool] = _never
) -> int:
    """Run trials of the spec's study next to the process that owns it (another worker).

    Returns how many trials this shard finished. The owner logs the best trial and ends the
    parent run; a shard only adds trials, and stops as soon as the budget is taken.
    """
    from mlflow import MlflowClient

    from mlaas.settings import get_settings
    from mlaas.tracking import ensure_experiment

    _check_frame(spec, frame)
    name = study_name(spec, frame.content_hash)
    study = open_study(spec, frame.content_hash)
    client = MlflowClient(tracking_uri=get_settings().mlflow_tracking_uri)
    parent = _parent_run(client, ensure_experiment(spec.name), spec, frame.content_hash, name)
    return _search(
        study,
        _objective_factory(spec, frame, client, parent),
        spec,
        TuneControl(should_stop=should_stop),
        wait_for_others=False,
    )
