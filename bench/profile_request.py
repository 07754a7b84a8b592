"""Where one prediction request spends its time: stage by stage, in-process, no HTTP.

Trains the same 200-tree LightGBM churn model as bench/serving_vs_mlflow.py into a fresh home,
then times each stage of the native predict path for a single record and a 1,000-record batch:
body parsing, validation, encoding, scoring, building the answer, prediction-log hand-off,
the log writer's insert (off the request path, but on the same CPU) and response encoding.
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
    from mlaas.serving.schema import check_records, records_to_matrix
    from services.prediction.responses import encode, native_body
    from services.prediction.schemas import PredictRequest, parse_predict_request

    predictor = service.predictor("churn")
    request = PredictRequest.model_validate_json(body)
    records = request.records()
    X = records_to_matrix(predictor.compiled.encoding, records)
    scores = predictor.compiled.scores(X)
    outcome = service.predict("churn", records, max_records=10_000)
    writer = service.prediction_log
    rows = _log_rows(service, outcome, records)
    for row in rows:
        row.setdefault("created_at", outcome_time())
    engine = writer.engine

    fresh = iter(range(10**9))

    def insert() -> None:  # new request ids each time, as in production (no conflicts)
        suffix = f"-{next(fresh)}"
        batch = [{**row, "request_id": row["request_id"] + suffix} for row in rows]
        with engine.begin() as conn:
            conn.execute(writer._insert, batch)

    timed = {
        "parse_body": (
            (lambda: PredictRequest.model_validate_json(body).records())
            if len(records) == 1  # /predict: pydantic; /predict/batch: msgspec
            else (lambda: parse_predict_request(body).records())
        ),
        "validate": lambda: check_records(predictor._schema, records),
        "encode": lambda: records_to_matrix(predictor.compiled.encoding, records),
        "score": lambda: predictor.compiled.scores(X),
        "labels_and_probabilities": lambda: predictor.predict_matrix(X),
        "log_rows_build": lambda: _log_rows(service, outcome, records),
        "log_insert_off_path": insert,
        "response_encode": lambda: encode(native_body(outcome)),
    }
    result = {name: median_us(fn, repeat) for name, fn in timed.items()}
    del scores
    # predict_matrix = score + labels/probabilities: count the score once.
    result["labels_and_probabilities"] = round(
        max(result["labels_and_probabilities"] - result["score"], 0.0), 1
    )
    result["total_in_process"] = round(sum(result.values()), 1)
    return result


def outcome_time() -> Any:
    from mlaas.db import utcnow

    return utcnow()


def _log_rows(service: Any, outcome: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    captured: list[dict[str, Any]] = []
    original = service.prediction_log.submit
    service.prediction_log.submit = captured.append  # type: ignore[method-assign]
    try:
        predictor = service.predictor(outcome.model)
        service._log(outcome.request_id, predictor, "champion", records, outcome.prediction, 1.0)
    finally:
        service.prediction_log.submit = original  # type: ignore[method-assign]
    return captured


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
