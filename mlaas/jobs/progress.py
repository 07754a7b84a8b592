"""A job's progress and trials, read from its Optuna study in the platform DB.

Every worker searching the study writes its trials there, so this is the whole picture of a
distributed search: finished trials of the budget, the best value so far, what is running.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mlaas.db import utcnow
from mlaas.jobs.store import Job
from mlaas.training.families import unprefix_params

if TYPE_CHECKING:
    import optuna


@lru_cache(maxsize=4)
def _storage(url: str) -> optuna.storages.RDBStorage:
    from mlaas.training.tune import optuna_storage

    return optuna_storage()


def load_study(name: str) -> optuna.Study | None:
    import optuna

    from mlaas.settings import get_settings

    try:
        return optuna.load_study(study_name=name, storage=_storage(get_settings().database_url))
    except KeyError:  # the study row is created a moment after the job records its name
        return None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None:
        return None
    return round(((end or utcnow()) - start).total_seconds(), 3)


def job_progress(job: Job) -> dict[str, Any]:
    """Trials done of total, running, best value so far, elapsed seconds."""
    from optuna.trial import TrialState

    from mlaas.training.tune import best_trial

    done = running = 0
    best: float | None = None
    study = load_study(job.study_name) if job.study_name else None
    if study is not None:
        trials = study.get_trials(deepcopy=False)
        done = sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)
        running = sum(t.state == TrialState.RUNNING for t in trials)
        if any(t.state == TrialState.COMPLETE for t in trials):
            best = float(best_trial(study).values[0])
    return {
        "stage": job.stage,
        "trials_done": done,
        "trials_total": job.trials_total,
        "trials_running": running,
        "best_value": best,
        "elapsed_s": _seconds(job.started_at, job.finished_at),
    }


def _trial(t: optuna.trial.FrozenTrial, front: set[int]) -> dict[str, Any]:
    family = str(t.params.get("family", ""))
    return {
        "number": t.number,
        "state": t.state.name.lower(),
        "family": family or None,
        "params": unprefix_params(family, t.params) if family else {},
        "value": t.values[0] if t.values else None,
        "values": list(t.values) if t.values else None,
        "pareto_optimal": t.number in front,
        "duration_s": t.duration.total_seconds() if t.duration else None,
        "started_at": t.datetime_start,
        "finished_at": t.datetime_complete,
        "last_step": t.last_step,
        "worker": t.user_attrs.get("worker"),
        "mlflow_run_id": t.user_attrs.get("mlflow_run_id"),
        "surplus": bool(t.user_attrs.get("surplus", False)),
    }


def job_trials(job: Job) -> list[dict[str, Any]]:
    """Every trial of the job's study, oldest first (empty before tuning starts)."""
    from mlaas.training.tune import pareto_front

    study = load_study(job.study_name) if job.study_name else None
    if study is None:
        return []
    front = {t.number for t in pareto_front(study)}
    return [_trial(t, front) for t in study.get_trials(deepcopy=False)]


def trial_durations(jobs: list[Job]) -> list[tuple[str, str, float]]:
    """(spec, family, seconds) of every finished trial of these jobs' studies (for the metrics
    histogram)."""
    from optuna.trial import TrialState

    seen: set[str] = set()
    durations: list[tuple[str, str, float]] = []
    for job in jobs:
        if not job.study_name or job.study_name in seen:
            continue
        seen.add(job.study_name)
        study = load_study(job.study_name)
        if study is None:
            continue
        states = (TrialState.COMPLETE, TrialState.PRUNED)
        for t in study.get_trials(deepcopy=False, states=states):
            if t.duration is not None:
                family = str(t.params.get("family", "unknown"))
                durations.append((job.spec, family, t.duration.total_seconds()))
    return durations
