"""The capacity model's measured inputs (docs/scaling.md), on this machine's PostgreSQL.

Measured here, in one run:
- prediction-log rows/s into PostgreSQL with 1, 2 and 4 writer processes (each a
  PredictionLogWriter, as in each prediction replica), for single-record requests (a row each)
  and for 1,000-record batch requests (one block row each);
- reading one million logged records back for a monitoring window (the drift input), and
  computing drift on them (mlaas.drift, the same policy as the service).

Taken from the other benches' latest results (same machine kind), and named as such: serving
req/s per replica (serving_full_stack.json), tuning trials/s per worker (training_workers.json).
From all of it the script derives the replicas, cores and store sizes for 1k, 10k and 100k
predictions/s (docs/scaling.md explains each step and what is extrapolated).

Usage: .venv/bin/python bench/capacity.py [--rows 200000]
Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres). Writes bench/results/capacity.json.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from scratch_db import scratch_database

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "bench" / "results"
BLOCK = 1000
RECORD = {
    "age": 41, "tenure_months": 18, "monthly_charges": 70.5, "balance": 1200.0,
    "credit_score": 640, "num_products": 2, "plan": "pro", "region": "west",
    "is_active": True, "has_card": True, "support_calls": 1,
}  # fmt: skip


def _block(request_id: str, n: int, model: str = "churn") -> Any:
    from mlaas.db import utcnow
    from mlaas.serving.predictor import Prediction
    from mlaas.serving.predlog import LogBlock

    return LogBlock(
        request_id=request_id,
        model=model,
        version="1",
        variant="champion",
        inputs=[{**RECORD, "age": 20 + i % 60} for i in range(n)],
        prediction=Prediction(
            outputs=[i % 2 for i in range(n)],
            probabilities=[{"0": 0.7, "1": 0.3}] * n,
        ),
        latency_ms=1.0,
        created_at=utcnow(),
    )


def _write(args: tuple[str, str, int, int, str]) -> float:
    """One writer process: `rows` records as single-record requests or 1,000-record blocks;
    the seconds from the first submit until every row is in the table."""
    url, kind, rows, writer, spool = args
    from mlaas.db import init_db, make_engine
    from mlaas.serving.predlog import PredictionLogWriter

    engine = init_db(make_engine(url))
    size = 1 if kind == "single" else BLOCK
    blocks = [_block(f"w{writer}-{kind}-{i}", size) for i in range(rows // size)]
    log = PredictionLogWriter(engine, Path(spool) / f"w{writer}-{kind}")
    started = time.perf_counter()
    for block in blocks:
        log.submit_block(block)
    assert log.close() == 0
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def bytes_per_row(url: str) -> dict[str, float]:
    """On-disk size (heap, TOAST and indexes) per logged record, after the writer runs."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    sizes = {}
    with engine.connect() as conn:
        for table, count in (
            ("prediction_log", "count(*)"),
            ("prediction_log_blocks", "coalesce(sum(records), 0)"),
        ):
            size = conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            records = conn.execute(text(f"SELECT {count} FROM {table}")).scalar_one()
            sizes[table] = round(size / max(1, records), 1)
    engine.dispose()
    return sizes


def log_writers(url: str, rows: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as spool:
        for kind in ("single", "block"):
            for writers in (1, 2, 4):
                per_writer = rows // writers
                jobs = [(url, kind, per_writer, w, spool) for w in range(writers)]
                started = time.perf_counter()
                with context.Pool(writers) as pool:
                    pool.map(_write, jobs)
                wall = time.perf_counter() - started
                out[f"{kind}_{writers}"] = {
                    "writers": writers,
                    "rows": per_writer * writers,
                    "seconds": round(wall, 2),
                    "rows_per_s": round(per_writer * writers / wall),
                }
                print(kind, writers, out[f"{kind}_{writers}"])
    return out


def monitoring_read(url: str) -> dict[str, Any]:
    """One million records in 1,000 blocks (a model of their own), read back as a monitoring
    window and drift-tested."""
    import pandas as pd

    from mlaas.db import init_db, make_engine, utcnow
    from mlaas.drift import compute_drift
    from mlaas.monitoring.context import Window
    from mlaas.monitoring.logged import block_rows
    from mlaas.serving.predlog import PredictionLogWriter
    from mlaas.specs import DriftPolicy

    engine = init_db(make_engine(url))
    with tempfile.TemporaryDirectory() as spool:
        log = PredictionLogWriter(engine, spool)
        for i in range(1000):
            log.submit_block(_block(f"window-{i}", BLOCK, model="window"))
        assert log.close() == 0
    window = Window(start=utcnow() - timedelta(hours=1), end=utcnow() + timedelta(minutes=1))
    started = time.perf_counter()
    with engine.connect() as conn:
        rows = block_rows(conn, "window", window)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    current = pd.DataFrame.from_records([row.inputs for row in rows])
    frame_s = time.perf_counter() - started
    reference = current.sample(100_000, random_state=1)
    started = time.perf_counter()
    numeric = [c for c in current.columns if current[c].dtype.kind in "if"]
    categorical = [c for c in current.columns if c not in numeric]
    report = compute_drift(
        reference, current, numeric=numeric, categorical=categorical, policy=DriftPolicy()
    )
    drift_s = time.perf_counter() - started
    engine.dispose()
    return {
        "records": len(rows),
        "read_s": round(read_s, 2),
        "to_frame_s": round(frame_s, 2),
        "drift_s": round(drift_s, 2),
        "features": len(report.features),
        "seconds_per_million": round((read_s + frame_s + drift_s) * 1e6 / len(rows), 2),
    }


def sizing(serving: dict[str, Any], writers: dict[str, Any], row_bytes: float) -> dict[str, Any]:
    """Replicas, cores and store load for 1k, 10k and 100k predictions/s (single records)."""
    per_replica = serving["full_stack"]["miss_c32"]["rps"]  # the slower of hit/miss, loaded
    headroom = 0.7  # the HPA's CPU target
    log_rate = max(w["rows_per_s"] for k, w in writers.items() if k.startswith("single"))
    plan = {}
    for target in (1_000, 10_000, 100_000):
        replicas = max(3, math.ceil(target / (per_replica * headroom)))
        plan[str(target)] = {
            "prediction_replicas": replicas,
            "prediction_cores": replicas,  # one uvicorn worker per replica, ~1 core each
            "log_rows_per_s": target,
            "log_share_of_measured_pg_write_rate": round(target / log_rate, 2),
            "redis_ops_per_s": 2 * target,  # cache GET + SET per miss (pipelined)
            "log_gb_per_day": round(target * 86400 * row_bytes / 1e9, 1),
        }
    return {
        "per_replica_rps": per_replica,
        "headroom": headroom,
        "measured_pg_log_rows_per_s": log_rate,
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    with scratch_database("mlaas_capacity") as url:
        writers = log_writers(url, rows)
        on_disk = bytes_per_row(url)
        monitoring = monitoring_read(url)
    serving = json.loads((RESULTS / "serving_full_stack.json").read_text())["results"]
    training = json.loads((RESULTS / "training_workers.json").read_text())["throughput"]
    record = {
        "command": f"python bench/capacity.py --rows {rows}",
        "machine": f"{os.cpu_count()} cores; PostgreSQL on the same cores",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "prediction_log_writers": writers,
        "bytes_on_disk_per_record": on_disk,
        "monitoring_window_of_a_million": monitoring,
        "from_other_benches": {
            "serving_full_stack.json": {
                load: serving["full_stack"][load]["rps"]
                for load in ("hit_c8", "miss_c8", "hit_c32", "miss_c32", "batch1000_c8")
            },
            "training_workers.json": {
                f"{t['workers']}_workers_trials_per_s": t["trials_per_s"] for t in training
            },
        },
        "sizing": sizing(serving, writers, on_disk["prediction_log"]),
    }
    (RESULTS / "capacity.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
