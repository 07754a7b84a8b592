"""Shared by the monitoring tests: one trained home per test process, real predictions pushed
through the prediction service (so the log is what production writes), and a clean slate.

Training the two reference models takes ~30 s, so both monitoring test packages (core and
service) reuse one home; every test starts from empty monitoring tables and prediction log.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import delete, update

from tests.factories import home_env, small_spec

_HOME: list[Path] = []
_SERVICES: dict[str, Any] = {}


def trained_home(factory: pytest.TempPathFactory) -> Path:
    """A home with `churn` (classification) and `house_prices` (regression) champions."""
    if _HOME:
        return _HOME[0]
    from mlaas.data.churn import generate_churn
    from mlaas.pipeline import run_pipeline

    home = factory.mktemp("monitoring") / "home"
    with home_env(home):
        home.mkdir(parents=True)
        source = home.parent / "churn.parquet"
        generate_churn(1500, seed=5).to_parquet(source, index=False)
        run_pipeline(small_spec("churn"), source=str(source))
        run_pipeline(small_spec("house_prices"))
    _HOME.append(home)
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with home_env(trained_home(tmp_path_factory)) as path:
        yield path


def prediction_service() -> Any:
    """The prediction service of the current settings (one per database, kept for the run)."""
    from mlaas.db import get_engine
    from mlaas.serving.cache import PredictionCache
    from mlaas.serving.pool import ModelPool
    from mlaas.serving.predlog import PredictionLogWriter
    from mlaas.serving.service import PredictionService
    from mlaas.settings import get_settings

    settings = get_settings()
    url = settings.database_url
    if url not in _SERVICES:
        writer = PredictionLogWriter(
            get_engine(), settings.home / "spool" / "prediction_log", flush_interval_s=0.02
        )
        service = PredictionService(
            pool=ModelPool(), cache=PredictionCache(None), prediction_log=writer
        )
        service.pool.refresh()
        _SERVICES[url] = service
    return _SERVICES[url]


def close_prediction_service() -> None:
    """Close (and forget) the service of the current database, e.g. a per-test PostgreSQL."""
    from mlaas.settings import get_settings

    service = _SERVICES.pop(get_settings().database_url, None)
    if service is not None:
        service.close()


def flush(service: Any, timeout_s: float = 20.0) -> None:
    """Wait until every submitted prediction log row is in the table."""
    log = service.prediction_log
    deadline = time.monotonic() + timeout_s
    while log.written + log.replayed + log.rejected < log.queued or log.queue_depth:
        if time.monotonic() > deadline:
            raise TimeoutError("prediction log did not flush")
        time.sleep(0.05)
    assert log.rejected == 0 and not log.spool_files()


def plain(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-like records (NumPy scalars become Python ones, as in a request body)."""
    return [{k: v.item() if hasattr(v, "item") else v for k, v in r.items()} for r in records]


def churn_frame(n: int, seed: int, **drift: Any) -> pd.DataFrame:
    from mlaas.data.churn import ChurnDrift, generate_churn

    return generate_churn(n, seed=seed, drift=ChurnDrift(**drift) if drift else None)


def predict_rows(
    service: Any, model: str, frame: pd.DataFrame, *, batch: bool = True, **options: Any
) -> tuple[list[str], list[Any]]:
    """Score every row through the service; (logged request id per row, outcome per call)."""
    spec = service.predictor(model).spec
    records = plain(frame[spec.feature_names].to_dict("records"))
    if batch:
        outcome = service.predict(model, records, max_records=len(records), **options)
        # The log names batch rows `<id>:<index>`, a one-record request just `<id>`.
        ids = [f"{outcome.request_id}:{i}" for i in range(len(records))]
        if len(records) == 1:
            ids = [outcome.request_id]
        outcomes = [outcome]
    else:
        outcomes = [service.predict(model, [record], **options) for record in records]
        ids = [outcome.request_id for outcome in outcomes]
    flush(service)
    return ids, outcomes


def shift_log_time(request_ids: list[str], delta: timedelta) -> None:
    """Move logged predictions in time (a test's way to have traffic from earlier hours)."""
    from sqlalchemy import bindparam, select

    from mlaas.db import get_engine, prediction_log, prediction_log_blocks
    from mlaas.monitoring.logged import split_id

    # Large batch requests are one block row: moving any of its records moves the block.
    blocks = {parts[0] for rid in request_ids if (parts := split_id(rid)) is not None}
    with get_engine().begin() as conn:
        for table, ids in ((prediction_log, request_ids), (prediction_log_blocks, blocks)):
            log = table.c
            rows = conn.execute(
                select(log.id, log.created_at).where(log.request_id.in_(list(ids)))
            ).all()
            if rows:
                conn.execute(
                    update(table)
                    .where(log.id == bindparam("row_id"))
                    .values(created_at=bindparam("stamp")),
                    [{"row_id": row.id, "stamp": row.created_at + delta} for row in rows],
                )


def clean_tables() -> None:
    """Empty the monitoring tables and the prediction log."""
    from mlaas.db import get_engine, prediction_log, prediction_log_blocks, routing_configs
    from mlaas.monitoring import tables

    with get_engine().begin() as conn:
        for table in (
            tables.webhook_deliveries,
            tables.webhook_outbox,
            tables.alert_events,
            tables.alert_rules,
            tables.webhooks,
            tables.monitoring_snapshots,
            tables.retrain_events,
            tables.feedback,
            prediction_log,
            prediction_log_blocks,
            routing_configs,
        ):
            conn.execute(delete(table))
