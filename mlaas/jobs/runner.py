"""What a worker does with a training job: claim it, run the pipeline, write the outcome.

A delivery claims the job (queued -> running) or takes over a running job whose attempt is dead
(a worker killed mid-job: Celery redelivers its unacknowledged task, or the reaper requeues it);
the Optuna study then continues where the dead attempt stopped. After `training_max_attempts` dead
attempts the job fails with the reason. A delivery for a job another live attempt runs (a
duplicate delivery) does nothing.

While it runs, a thread beats the heartbeat column; tuning checks for cancellation between
trials; with parallelism > 1 the job fans out `mlaas.tune_shard` tasks that search the same
study on other workers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from mlaas.db import utcnow
from mlaas.jobs import store
from mlaas.jobs.liveness import attempt_alive, hostname, this_process
from mlaas.jobs.overrides import JobOverrides, apply, resolve_source
from mlaas.pipeline import STEPS
from mlaas.refs import FrameRef, Registration
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec, load_spec
from mlaas.training.tune import (
    StudyStarted,
    TuneCancelled,
    TuneControl,
    tune_shard,
)

log = logging.getLogger("mlaas.jobs")

SHARD_TASK = "mlaas.tune_shard"


def lost_reason(job: store.Job) -> str:
    pid = (job.worker_process or "?").split(":")[0]
    return (
        f"worker lost: attempt {job.attempts} on {job.worker_hostname} (pid {pid}) stopped "
        f"without finishing; giving up after {job.attempts} attempts"
    )


@contextmanager
def heartbeat(job_id: str, attempt: int, every_s: float | None = None) -> Iterator[None]:
    """Beat the job's heartbeat column from a thread for as long as the block runs (every
    `training_heartbeat_s` unless told otherwise)."""
    if every_s is None:
        every_s = get_settings().training_heartbeat_s
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every_s):
            try:
                store.record(job_id, attempt, heartbeat_at=utcnow())
            except Exception:  # a DB hiccup must not kill the job; the next beat retries
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(every_s + 1)


def _claim(job_id: str, task_id: str | None) -> tuple[int | None, str]:
    """(attempt, why) — attempt is None when this delivery must not run the job."""
    host, process = hostname(), this_process()
    attempt = store.claim_queued(job_id, host=host, process=process, task_id=task_id)
    if attempt is not None:
        return attempt, "claimed"
    job = store.get_job(job_id)
    if job.state == "queued" and job.cancel_requested:
        store.finish_unclaimed(job_id, "cancelled", error="cancelled before it started")
        return None, "cancelled before it started"
    if job.state != "running":
        return None, f"already {job.state}"
    settings = get_settings()
    stale_after_s = settings.training_stale_after_s
    if attempt_alive(job.worker_hostname, job.worker_process, job.heartbeat_at, stale_after_s):
        return None, f"attempt {job.attempts} is still running on {job.worker_hostname}"
    if job.attempts >= settings.training_max_attempts:
        store.finish(job_id, job.attempts, "failed", error=lost_reason(job))
        return None, "failed: worker lost too often"
    if not store.take_over(job_id, job.attempts, host=host, process=process, task_id=task_id):
        return None, "another delivery took it over first"
    log.warning("job %s: attempt %d died; resuming", job_id, job.attempts)
    return job.attempts + 1, "resumed"


def run_job(job_id: str, *, task_id: str | None = None) -> dict[str, Any]:
    """The body of the `mlaas.train_job` task."""
    try:
        attempt, why = _claim(job_id, task_id)
    except store.JobNotFound:
        return {"job_id": job_id, "skipped": "unknown job"}
    if attempt is None:
        log.info("job %s: not run by this delivery (%s)", job_id, why)
        return {"job_id": job_id, "skipped": why}
    with heartbeat(job_id, attempt):
        state = _run(job_id, attempt)
    return {"job_id": job_id, "attempt": attempt, "state": state}


def _fan_out(job: store.Job, started: StudyStarted) -> None:
    from mlaas.tasks import celery_app

    spec_json = started.spec.model_dump(mode="json")
    for _ in range(job.parallelism - 1):
        celery_app().send_task(SHARD_TASK, args=[job.id, spec_json, started.frame.to_xcom()])


def _pipeline(
    spec: ModelSpec,
    *,
    source: str | None,
    trigger: str,
    progress: Callable[[str, str], None],
    mode: str | None,
    control: TuneControl,
) -> Registration:
    from mlaas.pipeline import run_pipeline
    from mlaas.specs import RETRAIN_MODES, RetrainMode

    if mode is not None and mode not in RETRAIN_MODES:
        raise ValueError(f"unknown retrain mode {mode!r}; known: {list(RETRAIN_MODES)}")
    return run_pipeline(
        spec,
        source=source,
        trigger=trigger,
        progress=progress,
        mode=cast(RetrainMode, mode),
        control=control,
    )


def _run(job_id: str, attempt: int) -> str:
    job = store.get_job(job_id)
    fanned_out = threading.Event()

    def on_study(started: StudyStarted) -> None:
        store.record(
            job_id,
            attempt,
            study_name=started.study_name,
            mlflow_parent_run_id=started.parent_run_id,
            stage="tune",
        )
        if job.parallelism > 1 and not fanned_out.is_set():
            fanned_out.set()
            _fan_out(job, started)

    def progress(step: str, line: str) -> None:
        if step in STEPS:
            store.record(job_id, attempt, stage=step)
        log.info("job %s: %s", job_id, line)

    control = TuneControl(
        should_stop=lambda: store.stop_requested(job_id, attempt), on_study=on_study
    )
    try:
        spec = load_spec(job.spec)
        overrides = JobOverrides.model_validate(job.overrides)
        registration = _pipeline(
            apply(spec, overrides),
            source=resolve_source(spec, overrides),
            trigger=f"job:{job_id}",
            progress=progress,
            mode=job.retrain_mode,
            control=control,
        )
    except TuneCancelled as cancelled:
        store.finish(job_id, attempt, "cancelled", error=str(cancelled))
        return "cancelled"
    except Exception as error:  # every failure ends the job with its reason
        log.exception("job %s failed", job_id)
        message = str(error) or type(error).__name__
        store.finish(job_id, attempt, "failed", error=f"{type(error).__name__}: {message}")
        return "failed"
    store.finish(
        job_id,
        attempt,
        "succeeded",
        registered_version=registration.version,
        champion=registration.champion,
        mlflow_run_id=registration.run_id,
    )
    return "succeeded"


def run_shard(
    job_id: str, spec_json: dict[str, Any], frame_json: dict[str, Any]
) -> dict[str, Any]:
    """The body of `mlaas.tune_shard`: search the job's study until its budget is taken."""
    if store.job_stopping(job_id):
        return {"job_id": job_id, "trials": 0, "skipped": "job ended"}
    spec = ModelSpec.model_validate(spec_json)
    frame = FrameRef.model_validate(frame_json)
    trials = tune_shard(spec, frame, should_stop=lambda: store.job_stopping(job_id))
    log.info("job %s: shard finished %d trials", job_id, trials)
    return {"job_id": job_id, "trials": trials}
