"""Building a training set from labelled live traffic: 1M logged predictions, 200k labels.

What a retrain reads when `retrain.live_labels.use` is on (mlaas.live_labels.live_rows: the
labelled predictions of the window, as rows in the source's schema), on SQLite (the embedded
default) and PostgreSQL (the full stack), with the log in its two layouts: every prediction a row
of `prediction_log` (single-record requests) or records of 1,000-record batches (one
`prediction_log_blocks` row each). Labels go to a random 20 % of the predictions.

Side by side in one run, for the batch layout, the code this replaced: every block record of the
window expanded into a row object, then the feedback read 500 ids per query. Each measurement
runs in a fresh process: seconds, and the process's RSS just before the call and its peak.

Usage: .venv/bin/python bench/live_labels_assembly.py [--predictions 1000000] [--labels 200000]
       [--backends sqlite,postgresql]
Writes bench/results/live_labels_assembly.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))
from scratch_db import scratch_database  # noqa: E402 - bench/ is not a package

RESULTS = PROJECT / "bench" / "results" / "live_labels_assembly.json"
BLOCK = 1_000


def _records(count: int) -> list[dict[str, Any]]:
    from mlaas.data.churn import generate_churn
    from mlaas.specs import load_spec

    spec = load_spec("churn")
    frame = generate_churn(min(count, 10_000), seed=7)[spec.feature_names]
    plain = frame.astype(object).to_dict("records")
    return [{k: v.item() if hasattr(v, "item") else v for k, v in r.items()} for r in plain]


def fill(url: str, predictions: int, labels: int, layout: str) -> None:
    """The platform schema, `predictions` logged predictions over the last 7 days, `labels` of
    them labelled."""
    from sqlalchemy import insert

    from mlaas.db import init_db, make_engine, prediction_log, prediction_log_blocks, utcnow
    from mlaas.monitoring.tables import feedback

    engine = init_db(make_engine(url))
    records = _records(predictions)
    output = {"output": "1", "probabilities": {"0": 0.3, "1": 0.7}}
    now = utcnow()
    rng = random.Random(1)
    ids: list[str] = []
    chunk = 20_000
    with engine.begin() as conn:
        if layout == "rows":
            for start in range(0, predictions, chunk):
                rows = []
                for i in range(start, min(start + chunk, predictions)):
                    rid = uuid.UUID(int=rng.getrandbits(128)).hex
                    ids.append(rid)
                    at = now - timedelta(seconds=(predictions - i) * 600_000 / predictions)
                    rows.append(
                        {
                            "request_id": rid,
                            "created_at": at,
                            "model": "churn",
                            "version": "1",
                            "variant": "champion",
                            "inputs": records[i % len(records)],
                            "outputs": output,
                            "latency_ms": 1.0,
                        }
                    )
                conn.execute(insert(prediction_log), rows)
        else:
            blocks = []
            for b in range(predictions // BLOCK):
                rid = uuid.UUID(int=rng.getrandbits(128)).hex
                ids += [f"{rid}:{i}" for i in range(BLOCK)]
                offset = (b * BLOCK) % len(records)
                blocks.append(
                    {
                        "request_id": rid,
                        "created_at": now - timedelta(seconds=(predictions // BLOCK - b) * 600),
                        "model": "churn",
                        "version": "1",
                        "variant": "champion",
                        "records": BLOCK,
                        "inputs": (records * 2)[offset : offset + BLOCK],
                        "outputs": [output] * BLOCK,
                        "latency_ms": 1.0,
                    }
                )
                if len(blocks) == 50:
                    conn.execute(insert(prediction_log_blocks), blocks)
                    blocks = []
            if blocks:
                conn.execute(insert(prediction_log_blocks), blocks)
        chosen = rng.sample(ids, labels)
        received = now + timedelta(seconds=1)
        for start in range(0, labels, chunk):
            conn.execute(
                insert(feedback),
                [
                    {"request_id": rid, "model": "churn", "label": "1", "received_at": received}
                    for rid in chosen[start : start + chunk]
                ],
            )
    engine.dispose()


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _before_block_rows(spec: Any, window: Any) -> int:
    """The replaced read of labelled block records: expand every record, 500 ids per query."""
    from sqlalchemy import select

    from mlaas.db import get_engine
    from mlaas.monitoring.logged import block_rows
    from mlaas.monitoring.tables import feedback

    with get_engine().connect() as conn:
        rows = block_rows(conn, spec.name, window)
        ids = list({row.request_id for row in rows})
        labels: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            query = select(feedback.c.request_id, feedback.c.label, feedback.c.value)
            for found in conn.execute(
                query.where(feedback.c.request_id.in_(ids[start : start + 500]))
            ):
                labels[found.request_id] = (found.label, found.value)
    return sum(1 for row in rows if row.request_id in labels)


def child(code: str) -> None:
    """One measurement in this fresh process (settings from the environment)."""
    from mlaas.data.churn import generate_churn
    from mlaas.live_labels import live_rows, live_window
    from mlaas.specs import load_spec

    spec = load_spec("churn")
    like = generate_churn(200, seed=1)
    window = live_window(spec)
    base = _rss_mb()
    started = time.perf_counter()
    if code == "after":
        count = len(live_rows(spec, like).frame)
    else:
        count = _before_block_rows(spec, window)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "rss_before_mb": round(base),
                "peak_rss_mb": round(peak),
                "rows": count,
            }
        )
    )


def measure(url: str, home: Path, code: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLAAS_")}
    env |= {"MLAAS_HOME": str(home), "MLAAS_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, __file__, "--child", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def database(backend: str, tmp: Path, name: str) -> Iterator[str]:
    """The URL of a fresh database of `backend`, removed afterwards (SQLite: with `tmp`)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / (name + '.db')}"
        return
    with scratch_database() as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--predictions", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mlaas-live-labels-") as folder:
        tmp = Path(folder)
        for backend in args.backends.split(","):
            for layout in ("rows", "blocks"):
                with database(backend, tmp, f"{backend}-{layout}") as url:
                    started = time.perf_counter()
                    fill(url, args.predictions, args.labels, layout)
                    filled = time.perf_counter() - started
                    codes = ("after", "before") if layout == "blocks" else ("after",)
                    for code in codes:
                        home = tmp / f"home-{backend}-{layout}-{code}"
                        outcome = measure(url, home, code)
                        row = {"backend": backend, "layout": layout, "code": code, **outcome}
                        row["fill_seconds"] = round(filled, 1)
                        print(json.dumps(row), flush=True)
                        results.append(row)
    RESULTS.write_text(
        json.dumps(
            {
                "command": " ".join(["python", "bench/live_labels_assembly.py", *sys.argv[1:]]),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "predictions": args.predictions,
                "labels": args.labels,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
