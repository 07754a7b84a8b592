"""The prediction service vs `mlflow models serve`, same registered model, same machine, one run.

A 200-tree LightGBM churn model is trained through the pipeline into a fresh home; then three
servers run on loopback, one at a time, each loaded by wrk (Debian package `wrk`) while the others
are idle:
  ours     uvicorn services.prediction.app:app (1 worker)  POST /v1/models/churn/predict[/batch]
  mlflow   mlflow models serve --env-manager local         POST /invocations (dataframe_records)
  floor    uvicorn bench/floor_app.py (bare ASGI, fixed answer)
Single-record requests at 1, 8 and 32 connections (ours both with a fixed body = cache hits and a
varying body = cache misses), and batches of 1,000 distinct generated records at 8 connections.

Usage: .venv/bin/python bench/serving_vs_mlflow.py [--seconds 10]
Writes bench/results/serving_vs_mlflow.json and prints the table with ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from mlaas.data.churn import EXAMPLE_RECORD as RECORD

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = PROJECT / "bench" / "results" / "serving_vs_mlflow.json"
WRK = PROJECT / "bench" / "wrk"
PORTS = {"ours": 18200, "mlflow": 18201, "floor": 18202}


def train(home: Path) -> str:
    """Register a 200-tree LightGBM churn champion in `home`; return an API key."""
    os.environ["MLAAS_HOME"] = str(home)
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline
    from mlaas.specs import ModelSpec, load_spec

    data = load_spec("churn").model_dump(mode="python")
    data["training"].update(trials=1, cv_folds=2)
    data["training"]["families"] = {
        "lightgbm": {
            "n_estimators": {"type": "int", "low": 200, "high": 201},
            "num_leaves": {"type": "int", "low": 31, "high": 32},
        }
    }
    registration = run_pipeline(ModelSpec.model_validate(data), progress=lambda s: None)
    assert registration.champion
    return create_key("bench", ["predict"])[0]


def distinct_records(n: int) -> list[dict[str, Any]]:
    """n different churn records from the generator (no two rows alike, like real batches)."""
    from mlaas.data.churn import generate_churn

    frame = generate_churn(n, seed=7)[list(RECORD)]
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def start(name: str, home: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, MLAAS_HOME=str(home), MLAAS_SERVING_RATE_PER_S="1e9")
    env["MLAAS_SERVING_BURST"] = "1000000000"
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{home / 'mlflow.db'}"
    port = str(PORTS[name])
    uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", port, "--no-access-log"]
    commands = {
        "ours": [*uvicorn, "services.prediction.app:app"],
        "floor": [*uvicorn, "--app-dir", str(PROJECT / "bench"), "floor_app:app"],
        "mlflow": [
            str(BIN / "mlflow"),
            "models",
            "serve",
            "-m",
            "models:/churn@champion",
            "--env-manager",
            "local",
            "-h",
            "127.0.0.1",
            "-p",
            port,
        ],
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            commands[name], env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=PROJECT
        )
    health = {"ours": "/health/ready", "mlflow": "/ping", "floor": "/"}[name]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"{name} did not start; see {log}")


def wrk(
    url: str, *, script: str, body: Path | None, key: str, conns: int, seconds: int
) -> dict[str, float]:
    env = dict(os.environ, WRK_BODY_FILE=str(body or ""), WRK_API_KEY=key)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(conns, 2)),
            "-c",
            str(conns),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(WRK / script),
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        result[f"p{pct}_ms"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = float(errors.group(1)) if errors else 0.0
    return result


def server_side_p50_ms(port: int) -> float:
    """p50 of our own latency histogram for the predict route (upper bucket bound)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    buckets = []
    for line in text.splitlines():
        if line.startswith("mlaas_prediction_request_duration_seconds_bucket") and (
            'route="/v1/models/{name}/predict"' in line
        ):
            le = re.search(r'le="([^"]+)"', line).group(1)  # type: ignore[union-attr]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.split()[-1])))
    buckets.sort()
    total = buckets[-1][1]
    return next(le for le, count in buckets if count >= total / 2) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    seconds = args.seconds
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mlaas-serve-bench-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        key = train(home)
        single, batch = tmp / "single.json", tmp / "batch.json"
        single.write_text(json.dumps({"features": RECORD}))
        rows = distinct_records(1000)
        batch.write_text(json.dumps({"features": rows}))
        ml_single, ml_batch = tmp / "ml_single.json", tmp / "ml_batch.json"
        ml_single.write_text(json.dumps({"dataframe_records": [RECORD]}))
        ml_batch.write_text(json.dumps({"dataframe_records": rows}))
        for name in ("ours", "mlflow", "floor"):
            process = start(name, home, tmp / f"{name}.log")
            base = f"http://127.0.0.1:{PORTS[name]}"
            try:
                for conns in (1, 8, 32):
                    if name == "ours":
                        url = f"{base}/v1/models/churn/predict"
                        results[f"ours_hit_c{conns}"] = wrk(
                            url,
                            script="post.lua",
                            body=single,
                            key=key,
                            conns=conns,
                            seconds=seconds,
                        )
                        results[f"ours_miss_c{conns}"] = wrk(
                            url,
                            script="post_varying.lua",
                            body=None,
                            key=key,
                            conns=conns,
                            seconds=seconds,
                        )
                    elif name == "mlflow":
                        results[f"mlflow_c{conns}"] = wrk(
                            f"{base}/invocations",
                            script="post.lua",
                            body=ml_single,
                            key="",
                            conns=conns,
                            seconds=seconds,
                        )
                    else:
                        results[f"floor_c{conns}"] = wrk(
                            base,
                            script="post.lua",
                            body=single,
                            key="",
                            conns=conns,
                            seconds=seconds,
                        )
                if name == "ours":
                    results["ours_server_p50_ms_all_predict"] = server_side_p50_ms(PORTS[name])
                    results["ours_batch1000_c8"] = wrk(
                        f"{base}/v1/models/churn/predict/batch",
                        script="post.lua",
                        body=batch,
                        key=key,
                        conns=8,
                        seconds=seconds,
                    )
                if name == "mlflow":
                    results["mlflow_batch1000_c8"] = wrk(
                        f"{base}/invocations",
                        script="post.lua",
                        body=ml_batch,
                        key="",
                        conns=8,
                        seconds=seconds,
                    )
            finally:
                process.terminate()
                process.wait(30)
    ratios = {}
    for conns in (1, 8, 32):
        mlflow = results[f"mlflow_c{conns}"]
        for kind in ("hit", "miss"):
            ours = results[f"ours_{kind}_c{conns}"]
            ratios[f"throughput_{kind}_c{conns}"] = round(ours["rps"] / mlflow["rps"], 1)
            ratios[f"p99_{kind}_c{conns}_ours_over_mlflow"] = round(
                ours["p99_ms"] / mlflow["p99_ms"], 3
            )
    ratios["batch_rows_per_s"] = round(
        results["ours_batch1000_c8"]["rps"] / results["mlflow_batch1000_c8"]["rps"], 1
    )
    record = {
        "command": f"python bench/serving_vs_mlflow.py --seconds {seconds}",
        "machine": f"{os.cpu_count()} cores",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results,
        "ratios_vs_mlflow": ratios,
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    for name, row in results.items():
        if isinstance(row, dict):
            print(
                f"{name:<22} {row['rps']:>9.0f} req/s  p50 {row['p50_ms']:>7.2f} ms  "
                f"p99 {row['p99_ms']:>8.2f} ms  non-2xx {row['non_2xx']:.0f}"
            )
        else:
            print(f"{name:<22} {row}")
    for name, value in ratios.items():
        print(f"{name:<40} {value}")


if __name__ == "__main__":
    main()
