"""The prediction service vs `mlflow models serve`, same registered model, same machine, one run.

A 200-tree LightGBM churn model is trained through the pipeline into a fresh home; then three
servers run on loopback, one at a time, each loaded by wrk (Debian package `wrk`) while the others
are idle:
  ours     uvicorn services.prediction.app:app (1 worker)  POST /v1/models/churn/predict[/batch]
  mlflow   mlflow models serve --env-manager local         POST /invocations (dataframe_records)
  floor    uvicorn bench/floor_app.py (bare ASGI, fixed answer)
Single-record requests at 1, 8 and 32 connections (ours both with a fixed body = cache hits and a
varying body = cache misses), and batches of 1,000 distinct generated records at 8 connections
(three runs each, the median reported). Every run also records the server's CPU seconds per
request (its whole process tree). Ours logs every record of every batch to the prediction log
(SQLite, the embedded default) while it serves; after the last batch run the bench reads the
log's backlog, waits until it is written, and reports the rows written per second of serving +
drain, so log work deferred past the run is charged to it.

Usage: .venv/bin/python bench/serving_vs_mlflow.py [--seconds 10]
Writes bench/results/serving_vs_mlflow.json and prints the table with ratios.
"""

from __future__ import annotations

import argparse
import itertools
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
WRK_RUNS = itertools.count(1)
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
    registration = run_pipeline(ModelSpec.model_validate(data), progress=lambda _step, _line: None)
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (MLflow's CLI runs uvicorn in a child)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def measured(
    process: subprocess.Popen[bytes], url: str, seconds: int, **options: Any
) -> dict[str, float]:
    """One wrk run plus the server's CPU ms per request during it."""
    before = cpu_seconds(process.pid)
    result = wrk(url, seconds=seconds, **options)
    used = cpu_seconds(process.pid) - before
    result["server_cpu_ms_per_request"] = round(used * 1000 / (result["rps"] * seconds), 2)
    return result


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median throughput, and every run's throughput."""
    ordered = sorted(runs, key=lambda run: run["rps"])
    return {**ordered[len(ordered) // 2], "rps_runs": [run["rps"] for run in runs]}  # type: ignore[dict-item]


def log_drain(port: int) -> dict[str, float]:
    """Backlog of the prediction log right after the load, and how long it takes to clear."""
    started = time.monotonic()
    backlog = queue_depth(port)
    while queue_depth(port) > 0 and time.monotonic() - started < 120:
        time.sleep(0.05)
    return {"log_backlog_rows": backlog, "log_drain_s": round(time.monotonic() - started, 2)}


def queue_depth(port: int) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    found = re.search(r"^mlaas_prediction_log_queue_depth_rows (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def logged_rows(home: Path) -> int:
    import sqlite3

    with sqlite3.connect(home / "platform.db") as conn:  # rows per record + records of blocks
        (count,) = conn.execute("SELECT count(*) FROM prediction_log").fetchone()
        (blocked,) = conn.execute(
            "SELECT coalesce(sum(records), 0) FROM prediction_log_blocks"
        ).fetchone()
    return int(count) + int(blocked)


def wrk(
    url: str, *, script: str, body: Path | None, key: str, conns: int, seconds: int
) -> dict[str, float]:
    # WRK_RUN: a number of this run's own, so varying records never repeat an earlier run's.
    run = str(next(WRK_RUNS))
    env = dict(os.environ, WRK_BODY_FILE=str(body or ""), WRK_API_KEY=key, WRK_RUN=run)
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
    # Answered requests (wrk counts the ones whose response arrived before it stopped).
    result["requests"] = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
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


BATCH_RUNS = 3


def run_server(
    name: str,
    process: subprocess.Popen[bytes],
    home: Path,
    bodies: dict[str, Path],
    key: str,
    seconds: int,
) -> dict[str, Any]:
    """Every load of one server, one after the other."""
    base = f"http://127.0.0.1:{PORTS[name]}"
    results: dict[str, Any] = {}
    for conns in (1, 8, 32):
        if name == "ours":
            url = f"{base}/v1/models/churn/predict"
            for kind, script, body in (
                ("hit", "post.lua", bodies["single"]),
                ("miss", "post_varying.lua", None),
            ):
                results[f"ours_{kind}_c{conns}"] = measured(
                    process, url, seconds, script=script, body=body, key=key, conns=conns
                )
        else:
            url, body = (
                (f"{base}/invocations", bodies["ml_single"])
                if name == "mlflow"
                else (
                    base,
                    bodies["single"],
                )
            )
            results[f"{name}_c{conns}"] = measured(
                process, url, seconds, script="post.lua", body=body, key="", conns=conns
            )
    if name == "floor":
        return results
    if name == "ours":
        results["ours_server_p50_ms_all_predict"] = server_side_p50_ms(PORTS[name])
        log_drain(PORTS[name])  # the single-record runs' rows are in before the batches start
        rows_before = logged_rows(home)
        url, body, key_used = f"{base}/v1/models/churn/predict/batch", bodies["batch"], key
    else:
        url, body, key_used = f"{base}/invocations", bodies["ml_batch"], ""
    runs = [
        measured(process, url, seconds, script="post.lua", body=body, key=key_used, conns=8)
        for _ in range(BATCH_RUNS)
    ]
    results[f"{name}_batch1000_c8"] = median_of(runs)
    if name == "ours":
        drain = log_drain(PORTS[name])
        rows = logged_rows(home) - rows_before
        served = sum(run["rps"] * seconds for run in runs) * 1000
        results["ours_batch_log"] = {
            **drain,
            "rows_logged": rows,
            "rows_served": round(served),
            "logged_rows_per_s": round(rows / (BATCH_RUNS * seconds + drain["log_drain_s"])),
        }
    return results


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
        rows = distinct_records(1000)
        bodies = {
            "single": {"features": RECORD},
            "batch": {"features": rows},
            "ml_single": {"dataframe_records": [RECORD]},
            "ml_batch": {"dataframe_records": rows},
        }
        paths = {name: tmp / f"{name}.json" for name in bodies}
        for name, body in bodies.items():
            paths[name].write_text(json.dumps(body))
        for name in ("ours", "mlflow", "floor"):
            process = start(name, home, tmp / f"{name}.log")
            try:
                results |= run_server(name, process, home, paths, key, seconds)
            finally:
                process.terminate()
                process.wait(60)
    ratios: dict[str, float] = {}
    for conns in (1, 8, 32):
        mlflow = results[f"mlflow_c{conns}"]
        for kind in ("hit", "miss"):
            ours = results[f"ours_{kind}_c{conns}"]
            ratios[f"throughput_{kind}_c{conns}"] = round(ours["rps"] / mlflow["rps"], 1)
            ratios[f"p99_{kind}_c{conns}_ours_over_mlflow"] = round(
                ours["p99_ms"] / mlflow["p99_ms"], 3
            )
    ours_batch, mlflow_batch = results["ours_batch1000_c8"], results["mlflow_batch1000_c8"]
    ratios["batch_rows_per_s"] = round(ours_batch["rps"] / mlflow_batch["rps"], 2)
    ratios["batch_rows_per_s_logged"] = round(
        results["ours_batch_log"]["logged_rows_per_s"] / (mlflow_batch["rps"] * 1000), 2
    )
    ratios["batch_cpu_per_request_ours_over_mlflow"] = round(
        ours_batch["server_cpu_ms_per_request"] / mlflow_batch["server_cpu_ms_per_request"], 3
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
        if isinstance(row, dict) and "rps" in row:
            print(
                f"{name:<22} {row['rps']:>9.1f} req/s  p50 {row['p50_ms']:>7.2f} ms  "
                f"p99 {row['p99_ms']:>8.2f} ms  cpu {row['server_cpu_ms_per_request']:>6.2f} "
                f"ms/req  non-2xx {row['non_2xx']:.0f}"
            )
        else:
            print(f"{name:<22} {row}")
    for name, value in ratios.items():
        print(f"{name:<40} {value}")


if __name__ == "__main__":
    main()
