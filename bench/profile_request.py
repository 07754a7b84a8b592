"""Where one prediction request spends its time: stage by stage, in-process, no HTTP.

Trains the same 200-tree LightGBM churn model as bench/serving_vs_mlflow.py into a fresh home,
then times each stage of the native predict path for a single record and a 1,000-record batch:
body parsing, validation + encoding, scoring, the labels and output cells' JSON, the
prediction-log block, the log writer's insert of that block (off the request path, but on the
same CPU) and the response envelope around the cells. The batch path is the one /predict/batch
takes: records decoded straight into typed structs, trees compiled to machine code (the service
compiles them when it loads the model).
The HTTP layer (uvicorn + FastAPI routing + middleware) is the difference between the sum here
and the server-side latency that serving_vs_mlflow.py reports.

Usage: .venv/bin/python bench/profile_request.py [--repeat 200]
Writes bench/results/profile_request.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving_vs_mlflow import distinct_records, train  # noqa: E402

from mlaas.data.churn import EXAMPLE_RECORD as RECORD  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "profile_request.json"


def median_us(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1e6, 1)


def stages(service: Any, body: bytes, repeat: int) -> dict[str, float]:
    """One record: the /predict path (cache bypassed). A batch: the /predict/batch path (only
    the model off the event loop). Both bodies are decoded straight into typed records."""
    from mlaas.db import utcnow
    from mlaas.serving.predlog import LogBlock
    from mlaas.serving.requests import parse_predict_request
    from services.prediction.responses import encode, native_body

    predictor = service.predictor("churn")
    schema = service.record_schema("churn")
    records: Any = parse_predict_request(body, schema).records()
    X = predictor.to_matrix(records)
    scores = predictor.scores(X)
    outcome = service.predict("churn", records, max_records=10_000)
    writer = service.prediction_log
    sqlite = writer._sqlite
    engine = writer.engine
    fresh = iter(range(10**9))

    def log_block() -> LogBlock:
        rows = records.rows if hasattr(records, "rows") else records
        prediction = outcome.prediction
        return LogBlock(
            request_id=f"{outcome.request_id}-{next(fresh)}",  # new ids: no conflicts
            model="churn",
            version=predictor.version,
            variant="champion",
            inputs=rows,
            prediction=prediction,
            latency_ms=1.0,
            created_at=utcnow(),
        )

    def insert() -> None:  # what the writer thread does with one block (off the request path)
        with engine.begin() as conn:
            for sql, values in sqlite.statements([log_block()]):
                conn.exec_driver_sql(sql, values)

    timed = {
        "parse_body": lambda: parse_predict_request(body, schema).records(),
        "validate_and_encode": lambda: predictor.to_matrix(records),
        "score": lambda: predictor.scores(X),
        # labels + the cells' JSON (made once per request, shared by the answer and the log)
        "labels_and_cells": lambda: predictor.prediction(scores).cells_json,
        "log_block": log_block,
        "log_insert_off_path": insert,
        "response_encode": lambda: encode(native_body(outcome)),  # the envelope around them
    }
    result = {name: median_us(fn, repeat) for name, fn in timed.items()}
    result["total_in_process"] = round(sum(result.values()), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlaas-profile-") as tmp:
        train(Path(tmp) / "home")
        from mlaas.serving.service import PredictionService

        service = PredictionService.from_settings()
        service.pool.refresh()
        single = json.dumps({"features": RECORD}).encode()
        batch = json.dumps({"features": distinct_records(1000)}).encode()
        results = {
            "single_record_us": stages(service, single, args.repeat),
            "batch_1000_us": stages(service, batch, max(args.repeat // 10, 10)),
        }
        service.close()
    report = {
        "command": f"python bench/profile_request.py --repeat {args.repeat}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results,
    }
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
