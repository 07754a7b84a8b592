"""How long the prediction log's writer thread keeps the serving thread from running.

The writer thread builds each flush's COPY text in Python: for a flush of 1,150 single-record
rows (half a second of a replica's traffic under load) that is ~20 ms of work holding the GIL.
Held in one stretch, the thread serving requests waits for the GIL switch interval (5 ms) at a
time; `mlaas.serving.predlog.sql` lets the GIL go every YIELD_AFTER_S instead. This bench runs
both ways side by side on the machine's PostgreSQL: the main thread spins in short Python steps
(an event loop's turns) while the writer flushes, and the longest gap between two steps is the
stall a request would have seen.

Usage: .venv/bin/python bench/predlog_stall.py [--flushes 20]
Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres). Writes
bench/results/predlog_stall.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
from scratch_db import scratch_database  # noqa: E402 - bench/ is not a package

from mlaas import db  # noqa: E402
from mlaas.serving.predlog import sql  # noqa: E402

RESULTS = PROJECT / "bench" / "results" / "predlog_stall.json"
ROWS_PER_FLUSH = 1150
RECORD = {
    "age": 41, "tenure_months": 18, "balance": 1200.5, "num_products": 2, "credit_score": 640,
    "estimated_salary": 52000.0, "support_calls": 1, "has_credit_card": True,
    "is_active_member": False, "country": "Germany", "gender": "Female",
}  # fmt: skip


def rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "request_id": str(uuid.uuid4()),
            "created_at": db.utcnow(),
            "model": "churn",
            "version": "1",
            "variant": "champion",
            "inputs": RECORD,
            "outputs": {"prediction": 1, "probabilities": [0.3, 0.7]},
            "latency_ms": 1.0,
        }
        for _ in range(n)
    ]


def worst_gaps_ms(url: str, flushes: int) -> list[float]:
    """Per flush: the longest the main thread went between two of its steps."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    copy = sql.PostgresCopy()
    gaps = []
    for _ in range(flushes):
        batch = rows(ROWS_PER_FLUSH)
        done = threading.Event()

        def write(batch: list[dict[str, Any]] = batch, done: threading.Event = done) -> None:
            with engine.begin() as conn:
                copy.write(conn, batch)
            done.set()

        writer = threading.Thread(target=write)
        last = time.perf_counter()
        worst = 0.0
        writer.start()
        while not done.is_set():  # an event loop's turns: short steps of Python
            sum(range(200))
            now = time.perf_counter()
            worst, last = max(worst, now - last), now
        writer.join()
        gaps.append(round(worst * 1000, 2))
    engine.dispose()
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flushes", type=int, default=20)
    flushes = parser.parse_args().flushes
    shipped = sql.YIELD_AFTER_S
    results: dict[str, list[float]] = {"held": [], "yielding": []}
    with scratch_database() as url:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        db.init_db(engine)
        engine.dispose()
        for _ in range(2):  # alternate, so drift of the machine touches both alike
            for name, yield_after in (("held", float("inf")), ("yielding", shipped)):
                sql.YIELD_AFTER_S = yield_after
                results[name] += worst_gaps_ms(url, flushes // 2)
    sql.YIELD_AFTER_S = shipped
    summary = {
        name: {
            "median_ms": round(statistics.median(gaps), 2),
            "max_ms": max(gaps),
            "gaps_ms": gaps,
        }
        for name, gaps in results.items()
    }
    record = {
        "command": f"python bench/predlog_stall.py --flushes {flushes}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows_per_flush": ROWS_PER_FLUSH,
        "yield_after_s": shipped,
        "worst_main_thread_gap_per_flush": summary,
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    for name, row in summary.items():
        median, worst = row["median_ms"], row["max_ms"]
        print(f"{name:<9} worst gap per flush: median {median} ms, max {worst} ms")


if __name__ == "__main__":
    main()
