"""Scoring off the request path (Celery tasks): a list of records, or a whole file in the lake.

Each call scores with the model's current champion, loaded once per worker process and reloaded
when the alias moves; every scored record is written to the prediction log like an online one.
"""

from __future__ import annotations

import io
import logging
import time
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from mlaas.errors import NotFound
from mlaas.serving.predictor import Prediction, Predictor, load_predictor

log = logging.getLogger("mlaas.serving")

MAX_FILE_ROWS = 5_000_000


@lru_cache(maxsize=8)
def _predictor(model: str, version: str) -> Predictor:
    return load_predictor(model, version=version)


def champion(model: str) -> Predictor:
    from mlaas.registry import CHAMPION, RegistryError, version_for_alias

    info = version_for_alias(model, CHAMPION)
    if info is None:
        raise RegistryError(f"model {model!r} has no champion")
    return _predictor(model, info.version)


def _log(
    predictor: Predictor, request_id: str, records: list[dict[str, Any]], p: Prediction
) -> None:
    from mlaas.db import get_engine, utcnow
    from mlaas.serving.predlog import insert_ignoring_duplicates

    engine = get_engine()
    probabilities: list[dict[str, float] | None] = (
        list(p.probabilities) if p.probabilities else [None] * len(records)
    )
    now = utcnow()
    rows = [
        {
            "request_id": f"{request_id}:{i}" if len(records) > 1 else request_id,
            "created_at": now,
            "model": predictor.model,
            "version": predictor.version,
            "variant": "async",
            "inputs": record,
            "outputs": {"output": output, "probabilities": proba},
            "latency_ms": 0.0,
        }
        for i, (record, output, proba) in enumerate(
            zip(records, p.outputs, probabilities, strict=True)
        )
    ]
    with engine.begin() as conn:
        conn.execute(insert_ignoring_duplicates(engine), rows)


def score_records(model: str, records: list[dict[str, Any]], *, request_id: str) -> dict[str, Any]:
    """The same answer as the online API for these records, as a JSON-safe dict."""
    predictor = champion(model)
    started = time.perf_counter()
    prediction = predictor.predict_records(records)
    _log(predictor, request_id, records, prediction)
    return {
        "request_id": request_id,
        "model": model,
        "version": predictor.version,
        "outputs": prediction.outputs,
        "probabilities": prediction.probabilities,
        "seconds": round(time.perf_counter() - started, 4),
    }


def scored_key(key: str) -> str:
    path = PurePosixPath(key)
    return str(path.with_name(f"{path.stem}.scored.parquet"))


def score_file(model: str, key: str) -> dict[str, Any]:
    """Score every row of a .parquet/.csv object; write `<name>.scored.parquet` next to it."""
    import pandas as pd

    from mlaas.storage import get_store, write_parquet

    store = get_store()
    raw = store.get_bytes(key)
    if key.endswith(".parquet"):
        frame = pd.read_parquet(io.BytesIO(raw))
    elif key.endswith(".csv"):
        frame = pd.read_csv(io.BytesIO(raw))
    else:
        raise ValueError(f"{key}: score .parquet or .csv files")
    if len(frame) > MAX_FILE_ROWS:
        raise ValueError(f"{key}: {len(frame)} rows; at most {MAX_FILE_ROWS} per file")
    predictor = champion(model)
    features = frame[[c for c in predictor.feature_names if c in frame.columns]]
    records = [
        {
            k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for k, v in row.items()
        }
        for row in features.to_dict(orient="records")
    ]
    prediction = predictor.predict_records(records)
    scored = frame.copy()
    scored["prediction"] = prediction.outputs
    for label in predictor.classes:
        scored[f"probability_{label}"] = [p[label] for p in prediction.probabilities or []]
    out = scored_key(key)
    write_parquet(store, out, scored)
    return {"model": model, "version": predictor.version, "rows": len(scored), "output_key": out}


def submit(model: str, kind: str, *, request_id: str, payload: Any) -> str:
    """Queue a records or file scoring job; returns the job id."""
    from mlaas.db import get_engine, prediction_jobs, utcnow
    from mlaas.tasks import celery_app

    task = "mlaas.score_records" if kind == "records" else "mlaas.score_file"
    args = [model, payload, request_id] if kind == "records" else [model, payload]
    result = celery_app().send_task(task, args=args)
    with get_engine().begin() as conn:
        conn.execute(
            prediction_jobs.insert().values(
                id=result.id, model=model, kind=kind, request_id=request_id, submitted_at=utcnow()
            )
        )
    return str(result.id)


class UnknownJob(NotFound):
    """No job with that id was submitted here."""

    code = "job_not_found"


def job_status(job_id: str) -> dict[str, Any]:
    """queued | running | succeeded | failed, with the result or the error."""
    from celery.result import AsyncResult
    from sqlalchemy import select

    from mlaas.db import get_engine, prediction_jobs
    from mlaas.tasks import celery_app

    with get_engine().connect() as conn:
        row = conn.execute(select(prediction_jobs).where(prediction_jobs.c.id == job_id)).first()
    if row is None:
        raise UnknownJob(f"no prediction job {job_id!r}")
    result = AsyncResult(job_id, app=celery_app())
    if result.state == "STARTED" and recover_if_lost(result):
        result = AsyncResult(job_id, app=celery_app())
    state = {
        "PENDING": "queued",
        "RECEIVED": "queued",
        "RETRY": "queued",
        "STARTED": "running",
    }.get(result.state, {"SUCCESS": "succeeded", "FAILURE": "failed"}.get(result.state, "running"))
    body: dict[str, Any] = {
        "id": job_id,
        "model": row.model,
        "kind": row.kind,
        "request_id": row.request_id,
        "submitted_at": row.submitted_at.isoformat(),
        "status": state,
    }
    if state == "succeeded":
        body["result"] = result.result
    elif state == "failed":
        body["error"] = f"{type(result.result).__name__}: {result.result}"
    return body


def recover_if_lost(result: Any) -> bool:
    """A job whose worker process died mid-task (SIGKILL, OOM, a host restart) is sent again
    under the same id; True if it was. Its broker message would come back only after Redis's
    visibility timeout (an hour), or never on the embedded SQL broker, so the job would read
    "running" until then.

    Only a worker on this host can be judged dead (its pid is gone); a job on another host
    waits for the broker's redelivery. The job is marked RETRY before it is sent, so of two
    callers racing here only the first re-sends (and a second run would be harmless: scoring
    is deterministic and the log skips a request id it already has)."""
    from mlaas.jobs.liveness import hostname, process_alive
    from mlaas.tasks import celery_app

    started = result.info if isinstance(result.info, dict) else {}
    node, pid = str(started.get("hostname") or ""), started.get("pid")
    if not isinstance(pid, int) or node.rpartition("@")[2] != hostname():
        return False
    if process_alive(str(pid)):
        return False
    name, args = result.name, result.args
    backend = result.backend
    if not name or args is None:  # sent before results carried their arguments: say so
        backend.mark_as_failure(
            result.id, RuntimeError("its worker was lost mid-task; submit the job again")
        )
        return True
    if backend.get_state(result.id) != "STARTED":
        return False  # someone else got here first
    backend.store_result(result.id, None, "RETRY")
    celery_app().send_task(name, args=list(args), task_id=result.id)
    log.warning("async prediction job %s lost its worker (pid %s); sent again", result.id, pid)
    return True


def recover_lost_jobs(*, within_hours: float = 24.0) -> int:
    """recover_if_lost for every recent job that reads "running"; run when a worker starts."""
    from datetime import timedelta

    from celery.result import AsyncResult
    from sqlalchemy import select

    from mlaas.db import get_engine, prediction_jobs, utcnow
    from mlaas.tasks import celery_app

    since = utcnow() - timedelta(hours=within_hours)
    with get_engine().connect() as conn:
        ids = conn.execute(
            select(prediction_jobs.c.id).where(prediction_jobs.c.submitted_at >= since)
        ).scalars()
        recent = list(ids)
    recovered = 0
    for job_id in recent:
        result = AsyncResult(job_id, app=celery_app())
        if result.state == "STARTED" and recover_if_lost(result):
            recovered += 1
    return recovered
