"""µs per single-record prediction: compiled predictor vs sklearn pipeline vs MLflow pyfunc.

The model is the churn spec's LightGBM family with 200 trees, fitted on 5,000 generated customers.
Each path scores the same record; the number is the median over repeats of the mean µs per call.
  compiled_predict_records   Predictor.predict_records([record]): validation + encoding + booster
  compiled_predict_matrix    Predictor.predict_matrix(X) on an already encoded 1-row matrix
  compiled_explain_records   Predictor.explain_records([record]) (TreeSHAP, aggregated)
  pipeline_from_record       pipeline.predict_proba(features_frame(spec, DataFrame([record])))
  pipeline_prebuilt_frame    pipeline.predict_proba(frame) with the 1-row frame built beforehand
  pyfunc_prebuilt_frame      mlflow.pyfunc model.predict(frame) (schema enforcement + pipeline)

Usage: .venv/bin/python bench/predictor_microbench.py
Writes bench/results/predictor_microbench.json and prints a table.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "bench" / "results" / "predictor_microbench.json"
sys.path.insert(0, str(PROJECT))


def per_call_us(call: Callable[[], Any], *, calls: int, repeats: int = 7) -> float:
    for _ in range(max(10, calls // 10)):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(samples)


def main() -> None:
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature

    from mlaas.data.churn import generate_churn
    from mlaas.families import SKOPS_TRUSTED_TYPES
    from mlaas.serving.predictor import Predictor
    from mlaas.specs import load_spec
    from mlaas.tracking import MODEL_PIP_REQUIREMENTS
    from mlaas.training.families import build_estimator
    from mlaas.training.split import features_and_target, features_frame

    spec = load_spec("churn", specs_dir=PROJECT / "specs")
    data = generate_churn(5000, seed=5)
    X, y = features_and_target(spec, data)
    params = {"n_estimators": 200, "num_leaves": 31, "learning_rate": 0.05}
    pipeline = build_estimator(spec, "lightgbm", params, seed=spec.training.seed).fit(X, y)
    predictor = Predictor(model="churn", version="bench", spec=spec, pipeline=pipeline)
    predictor.warm()

    record = {k: (v.item() if hasattr(v, "item") else v) for k, v in X.iloc[0].items()}
    frame = features_frame(spec, pd.DataFrame([record]))
    matrix = predictor.to_matrix([record])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model")
        mlflow.sklearn.save_model(
            pipeline,
            path,
            signature=infer_signature(X.head(50), pipeline.predict(X.head(50))),
            pip_requirements=MODEL_PIP_REQUIREMENTS,
            skops_trusted_types=SKOPS_TRUSTED_TYPES,
        )
        pyfunc = mlflow.pyfunc.load_model(path)

    paths: dict[str, tuple[Callable[[], Any], int]] = {
        "compiled_predict_records": (lambda: predictor.predict_records([record]), 20_000),
        "compiled_predict_matrix": (lambda: predictor.predict_matrix(matrix), 20_000),
        "compiled_explain_records": (lambda: predictor.explain_records([record]), 2_000),
        "pipeline_from_record": (
            lambda: pipeline.predict_proba(features_frame(spec, pd.DataFrame([record]))),
            300,
        ),
        "pipeline_prebuilt_frame": (lambda: pipeline.predict_proba(frame), 300),
        "pyfunc_prebuilt_frame": (lambda: pyfunc.predict(frame), 200),
    }
    results = {name: round(per_call_us(call, calls=n), 1) for name, (call, n) in paths.items()}
    compiled = results["compiled_predict_records"]
    report = {
        "command": ".venv/bin/python bench/predictor_microbench.py",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": {"family": "lightgbm", **params, "features": len(spec.features)},
        "us_per_single_record_call": results,
        "speedup_vs_pipeline_from_record": round(results["pipeline_from_record"] / compiled, 1),
        "speedup_vs_pyfunc": round(results["pyfunc_prebuilt_frame"] / compiled, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for name, value in results.items():
        print(f"{name:<28} {value:>10.1f} µs")
    print(f"compiled vs pipeline (from record): {report['speedup_vs_pipeline_from_record']}x")
    print(f"compiled vs pyfunc:                 {report['speedup_vs_pyfunc']}x")


if __name__ == "__main__":
    main()
