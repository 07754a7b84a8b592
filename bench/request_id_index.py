"""Time-ordered request ids (UUIDv7, what the service mints) vs random UUID4 ids, in the log.

The prediction log is unique on (request_id, variant). With random ids every row of a writer
transaction lands on a different leaf of that index, so a transaction of many single-record
rows rewrites one index page per row once the table is large; time-ordered ids append at the
index's right edge. Both kinds run through the real writer (`PredictionLogWriter._write`, the
SQLite path the service uses) on the real table, in one run: the table is filled with
`--rows` rows of the kind, then `--commits` transactions of 1,500 single-record rows each (what
the writer collects at ~3,000 requests/s) are timed, with the WAL bytes they add.

Usage: .venv/bin/python bench/request_id_index.py [--rows 1000000] [--commits 20]
Writes bench/results/request_id_index.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mlaas.db import init_db, make_engine, new_request_id, utcnow  # noqa: E402
from mlaas.serving.predlog import PredictionLogWriter  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "request_id_index.json"
PER_COMMIT = 1_500
RECORD = {"age": 41, "balance": 1234.5, "country": "France", "is_active_member": True}
OUTPUT = {"output": 1, "probabilities": {"0": 0.25, "1": 0.75}}


def rows(make_id: Callable[[], str], count: int) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "request_id": make_id(),
            "created_at": now,
            "model": "churn",
            "version": "1",
            "variant": "champion",
            "inputs": RECORD,
            "outputs": OUTPUT,
            "latency_ms": 1.0,
        }
        for _ in range(count)
    ]


def measure(kind: str, make_id: Callable[[], str], fill: int, commits: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"mlaas-ids-{kind}-") as tmp:
        db = Path(tmp) / "platform.db"
        engine = init_db(make_engine(f"sqlite:///{db}"))
        writer = PredictionLogWriter(engine, Path(tmp) / "spool")
        try:
            for start in range(0, fill, 50_000):
                assert writer._write(rows(make_id, min(50_000, fill - start))) is None
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")  # WAL growth = bytes written
            batches = [rows(make_id, PER_COMMIT) for _ in range(commits)]
            wal = Path(f"{db}-wal")
            before, started = wal.stat().st_size, time.perf_counter()
            for batch in batches:
                assert writer._write(batch) is None
            elapsed = time.perf_counter() - started
            written = wal.stat().st_size - before
        finally:
            writer.close()
            engine.dispose()
    return {
        "ms_per_commit": round(elapsed / commits * 1000, 2),
        "wal_mb_per_commit": round(written / commits / 1e6, 3),
        "rows_per_s": round(commits * PER_COMMIT / elapsed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--commits", type=int, default=20)
    args = parser.parse_args()
    results = {
        "uuid7_time_ordered": measure("v7", new_request_id, args.rows, args.commits),
        "uuid4_random": measure("v4", lambda: str(uuid.uuid4()), args.rows, args.commits),
    }
    ordered, random_ids = results["uuid7_time_ordered"], results["uuid4_random"]
    report = {
        "command": f"python bench/request_id_index.py --rows {args.rows} --commits {args.commits}",
        "machine": f"{os.cpu_count()} cores",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows_in_table": args.rows,
        "rows_per_commit": PER_COMMIT,
        "results": results,
        "ratios": {
            "commit_time_uuid4_over_uuid7": round(
                random_ids["ms_per_commit"] / ordered["ms_per_commit"], 2
            ),
            "wal_bytes_uuid4_over_uuid7": round(
                random_ids["wal_mb_per_commit"] / ordered["wal_mb_per_commit"], 2
            ),
        },
    }
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
