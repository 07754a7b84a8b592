"""Scoring off the request path (Celery tasks): a list of records, or a whole file in the lake.

Each call scores with the model's current champion, loaded once per worker process and reloaded
when the alias moves; every scored record is written to the prediction log like an online one.
"""

from __future__ import annotations

import io
import time
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from mlaas.errors import NotFound
from mlaas.serving.predictor import Prediction, Predictor, load_predictor

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
    state = {"PENDING": "queued", "RECEIVED": "queued", "STARTED": "running"}.get(
        result.state, {"SUCCESS": "succeeded", "FAILURE": "failed"}.get(result.state, "running")
    )
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
