"""Training jobs in the platform DB: submit (idempotent), read, list, cancel, and the guarded
state transitions a worker makes.

States: queued -> running -> succeeded | failed | cancelled (queued -> cancelled directly). Each
transition is one `UPDATE ... WHERE state IN (...)` (and, for a running job, `AND attempts = n`,
the delivery that owns it), so a late or duplicate writer changes nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from mlaas.db import get_engine, new_id, record_audit, utcnow
from mlaas.errors import Conflict, FieldError, NotFound, PlatformError, Unavailable
from mlaas.jobs.overrides import JobOverrides, apply, resolve_source
from mlaas.jobs.tables import training_jobs as jobs
from mlaas.settings import get_settings
from mlaas.specs import load_spec

STATES = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL = ("succeeded", "failed", "cancelled")
TRAIN_TASK = "mlaas.train_job"


class JobNotFound(NotFound):
    """No training job with that id."""

    code = "job_not_found"


class JobConflict(Conflict):
    """The request clashes with a stored job (an idempotency key used for another request)."""


class JobFinished(JobConflict):
    """The job is not in a state that allows the request (cancelling a finished job)."""

    code = "job_finished"


class InvalidCursor(FieldError):
    """A page cursor this API did not give out."""


class QuotaExceeded(PlatformError):
    """The key already has as much training queued or running, or done today, as it may."""

    code = "quota_exceeded"
    status = 429


def check_quota(actor: str, trials: int, *, now: datetime | None = None) -> None:
    """One key cannot take the workers from the others: at most
    `training_max_active_jobs_per_key` jobs queued or running, and at most
    `training_max_trials_per_day_per_key` trials submitted in any 24 hours (this job's
    included). QuotaExceeded says which and what to do."""
    settings = get_settings()
    since = (now or utcnow()) - timedelta(hours=24)
    c = jobs.c
    with get_engine().connect() as conn:
        active = conn.execute(
            select(func.count()).where(c.actor == actor, c.state.in_(("queued", "running")))
        ).scalar_one()
        today = conn.execute(
            select(func.coalesce(func.sum(c.trials_total), 0)).where(
                c.actor == actor, c.created_at >= since, c.state != "cancelled"
            )
        ).scalar_one()
    limit = settings.training_max_active_jobs_per_key
    if active >= limit:
        raise QuotaExceeded(
            f"this key has {active} training job(s) queued or running, its limit "
            f"(MLAAS_TRAINING_MAX_ACTIVE_JOBS_PER_KEY={limit}); wait for one to finish or "
            "cancel one"
        )
    budget = settings.training_max_trials_per_day_per_key
    if int(today) + trials > budget:
        raise QuotaExceeded(
            f"this key submitted {int(today)} trials in the last 24 h; {trials} more would pass "
            f"its limit (MLAAS_TRAINING_MAX_TRIALS_PER_DAY_PER_KEY={budget})"
        )


class QueueUnavailable(Unavailable):
    """The broker did not take the job; the job is marked failed."""

    code = "queue_unavailable"


@dataclass(frozen=True)
class Job:
    id: str
    spec: str
    spec_hash: str
    overrides: dict[str, Any]
    idempotency_key: str | None
    state: str
    stage: str
    trials_total: int
    parallelism: int
    retrain_mode: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    attempts: int
    celery_task_id: str | None
    worker_hostname: str | None
    worker_process: str | None
    study_name: str | None
    mlflow_parent_run_id: str | None
    mlflow_run_id: str | None
    registered_version: str | None
    champion: bool | None
    error: str | None
    cancel_requested: bool
    actor: str

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("worker_process")
        return data


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every timestamp here is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _job(row: Any) -> Job:
    data = dict(row._mapping)
    data.pop("request_hash", None)
    for column in ("created_at", "started_at", "finished_at", "heartbeat_at"):
        data[column] = _utc(data[column])
    return Job(**data)


def get_job(job_id: str) -> Job:
    with get_engine().connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise JobNotFound(f"no training job {job_id!r}")
    return _job(row)


def _by_key(key: str) -> tuple[Job, str] | None:
    with get_engine().connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.idempotency_key == key)).first()
    return (_job(row), str(row.request_hash)) if row is not None else None


def _replay(key: str, request_hash: str) -> Job | None:
    found = _by_key(key)
    if found is None:
        return None
    job, first_hash = found
    if first_hash != request_hash:
        raise JobConflict(
            f"idempotency key {key!r} was used for another request (job {job.id}); "
            "use a new key for a different job"
        )
    return job


def submit(
    spec_name: str,
    overrides: JobOverrides,
    *,
    actor: str,
    idempotency_key: str | None = None,
    quota: bool = True,
) -> tuple[Job, bool]:
    """Queue a training job; returns (job, created). A repeated key returns the first job.

    Raises SpecError for an unknown spec, OverrideError for overrides that do not fit it and
    QuotaExceeded (with `quota`: not for admin keys) when the caller has used its share, before
    anything is stored or queued.
    """
    spec = load_spec(spec_name)
    request_hash = overrides.request_hash(spec.name)
    if idempotency_key and (earlier := _replay(idempotency_key, request_hash)) is not None:
        return earlier, False
    effective = apply(spec, overrides)
    resolve_source(spec, overrides)
    if quota:
        check_quota(actor, effective.training.trials)
    job_id = new_id()
    row = {
        "id": job_id,
        "spec": spec.name,
        "spec_hash": effective.spec_hash,
        "overrides": overrides.model_dump(mode="json", exclude_defaults=True),
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
        "state": "queued",
        "stage": "queued",
        "trials_total": effective.training.trials,
        "parallelism": overrides.parallelism,
        "retrain_mode": overrides.mode(spec),
        "created_at": utcnow(),
        "attempts": 0,
        "cancel_requested": False,
        "actor": actor,
    }
    try:
        with get_engine().begin() as conn:
            conn.execute(jobs.insert().values(**row))
    except IntegrityError:  # the same key, submitted concurrently: the first insert won
        if idempotency_key and (earlier := _replay(idempotency_key, request_hash)) is not None:
            return earlier, False
        raise
    record_audit(
        action="training_job_submitted",
        model=spec.name,
        reason=f"job {job_id}",
        actor=actor,
        details={"job_id": job_id, "overrides": row["overrides"]},
    )
    enqueue(job_id)
    return get_job(job_id), True


def enqueue(job_id: str) -> None:
    """Send the job's task to the broker (the first time, or again after a lost worker)."""
    from mlaas.tasks import celery_app

    try:
        result = celery_app().send_task(TRAIN_TASK, args=[job_id])
    except Exception as error:  # noqa: BLE001 - any broker failure: the job cannot run
        finish_unclaimed(job_id, "failed", error=f"could not queue the job: {error}")
        raise QueueUnavailable(f"the job queue is unavailable: {error}") from error
    with get_engine().begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(celery_task_id=result.id))


def encode_cursor(job: Job) -> str:
    raw = f"{job.created_at.isoformat()}|{job.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (created_at, id) a page ended at; InvalidCursor (a ValueError) for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, job_id = raw.split("|", 1)
        return datetime.fromisoformat(created), job_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("cursor", "not a cursor from this API") from None


def list_jobs(
    *,
    spec: str | None = None,
    state: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    offset: int = 0,
    specs: Sequence[str] | None = None,
) -> tuple[list[Job], str | None]:
    """Newest first; returns (page, cursor of the next page or None). `specs`: only jobs of
    these specs (a key limited to models)."""
    query = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc())
    if spec:
        query = query.where(jobs.c.spec == spec)
    if specs is not None:
        query = query.where(jobs.c.spec.in_(list(specs)))
    if state:
        query = query.where(jobs.c.state == state)
    if cursor:
        created, job_id = decode_cursor(cursor)
        query = query.where(
            or_(
                jobs.c.created_at < created,
                and_(jobs.c.created_at == created, jobs.c.id < job_id),
            )
        )
    query = query.offset(offset).limit(limit + 1)
    with get_engine().connect() as conn:
        found = [_job(r) for r in conn.execute(query)]
    page = found[:limit]
    return page, encode_cursor(page[-1]) if len(found) > limit else None


def count_by_spec_and_state() -> dict[tuple[str, str], int]:
    """Jobs per (spec, state); every state of every spec that has a job (0 when none is)."""
    query = select(jobs.c.spec, jobs.c.state, func.count()).group_by(jobs.c.spec, jobs.c.state)
    with get_engine().connect() as conn:
        counts = {(str(spec), str(state)): int(n) for spec, state, n in conn.execute(query)}
    specs = sorted({spec for spec, _ in counts})
    return {(spec, state): counts.get((spec, state), 0) for spec in specs for state in STATES}


def _update(job_id: str, *conditions: Any, **values: Any) -> bool:
    with get_engine().begin() as conn:
        result = conn.execute(
            update(jobs).where(jobs.c.id == job_id, *conditions).values(**values)
        )
    return bool(result.rowcount)


def request_cancel(job_id: str, *, actor: str) -> Job:
    """Cancel a queued job now; ask a running one to stop after its current trial."""
    now = utcnow()
    done = _update(
        job_id,
        jobs.c.state == "queued",
        state="cancelled",
        stage="cancelled",
        cancel_requested=True,
        finished_at=now,
        error=f"cancelled by {actor} before it started",
    )
    if not done:
        done = _update(job_id, jobs.c.state == "running", cancel_requested=True)
    job = get_job(job_id)
    if not done:
        raise JobFinished(f"training job {job_id} is already {job.state}; nothing to cancel")
    record_audit(
        action="training_job_cancel",
        model=job.spec,
        reason=f"job {job_id} ({job.state})",
        actor=actor,
        details={"job_id": job_id},
    )
    return job


# --- transitions made by the worker that runs a job (owner = the attempt number) -------------


def claim_queued(job_id: str, *, host: str, process: str, task_id: str | None) -> int | None:
    """queued -> running for this delivery; returns the attempt number, None if not queued."""
    now = utcnow()
    done = _update(
        job_id,
        jobs.c.state == "queued",
        jobs.c.cancel_requested.is_(False),
        state="running",
        stage="starting",
        attempts=jobs.c.attempts + 1,
        started_at=func.coalesce(jobs.c.started_at, now),
        heartbeat_at=now,
        worker_hostname=host,
        worker_process=process,
        celery_task_id=task_id,
    )
    return get_job(job_id).attempts if done else None


def take_over(
    job_id: str, dead_attempt: int, *, host: str, process: str, task_id: str | None
) -> bool:
    """running (a dead attempt) -> running (this delivery): the job resumes here."""
    return _update(
        job_id,
        jobs.c.state == "running",
        jobs.c.attempts == dead_attempt,
        attempts=dead_attempt + 1,
        heartbeat_at=utcnow(),
        worker_hostname=host,
        worker_process=process,
        celery_task_id=task_id,
        stage="resuming",
    )


def requeue(job_id: str, dead_attempt: int) -> bool:
    """running (a dead attempt) -> queued, so a new delivery picks it up (the reaper)."""
    return _update(
        job_id,
        jobs.c.state == "running",
        jobs.c.attempts == dead_attempt,
        state="queued",
        stage="requeued",
        heartbeat_at=None,
    )


def record(job_id: str, attempt: int, **values: Any) -> bool:
    """Progress fields of a running attempt (heartbeat, stage, study); False: not ours any more."""
    return _update(job_id, jobs.c.state == "running", jobs.c.attempts == attempt, **values)


def finish(job_id: str, attempt: int, state: str, **values: Any) -> bool:
    """running -> a terminal state, only by the attempt that owns the job."""
    if state not in TERMINAL:
        raise ValueError(f"{state!r} is not a terminal state")
    done = _update(
        job_id,
        jobs.c.state == "running",
        jobs.c.attempts == attempt,
        state=state,
        stage=state,
        finished_at=utcnow(),
        **values,
    )
    if done:
        _audit_outcome(job_id)
    return done


def finish_unclaimed(job_id: str, state: str, *, error: str) -> bool:
    """queued -> terminal without running (a cancelled queued job, an unqueueable one)."""
    done = _update(
        job_id,
        jobs.c.state == "queued",
        state=state,
        stage=state,
        finished_at=utcnow(),
        error=error,
    )
    if done:
        _audit_outcome(job_id)
    return done


def _audit_outcome(job_id: str) -> None:
    job = get_job(job_id)
    record_audit(
        action=f"training_job_{job.state}",
        model=job.spec,
        version=job.registered_version,
        reason=job.error or f"job {job_id}",
        details={"job_id": job_id, "attempts": job.attempts, "champion": job.champion},
    )


def stop_requested(job_id: str, attempt: int) -> bool:
    """Cancellation asked, or the job is no longer this attempt's (e.g. reaped)."""
    with get_engine().connect() as conn:
        row = conn.execute(
            select(jobs.c.cancel_requested, jobs.c.state, jobs.c.attempts).where(
                jobs.c.id == job_id
            )
        ).first()
    return (
        row is None
        or bool(row.cancel_requested)
        or row.state != "running"
        or (row.attempts != attempt)
    )


def job_stopping(job_id: str) -> bool:
    """For shards: the job was cancelled or has ended (whichever attempt runs it)."""
    with get_engine().connect() as conn:
        row = conn.execute(
            select(jobs.c.cancel_requested, jobs.c.state).where(jobs.c.id == job_id)
        ).first()
    return row is None or bool(row.cancel_requested) or row.state in TERMINAL


def running_jobs() -> list[Job]:
    with get_engine().connect() as conn:
        return [_job(r) for r in conn.execute(select(jobs).where(jobs.c.state == "running"))]
