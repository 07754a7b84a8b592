"""The Locust mix (bench/locust/locustfile.py) against `mlaas up`, on the embedded defaults and
on the full stack's PostgreSQL + Redis paths, side by side in one run.

For each stack: a fresh home, `mlaas up` (it trains the shipped models, then starts Airflow,
MLflow, the worker and the three services on free loopback ports), then Locust headless for
`--seconds` at each load step of `--users` users, while a sampler reads the prediction
service's /metrics every second. Reported per step: throughput, p50/p95/p99 and error rate
per call and in all, whether single predictions held the SLO (p99 < 100 ms, no errors), and
the prediction log writer: rows logged per second, its largest backlog, and how long it took
to drain once the load stopped. Per stack: the throughput held at the SLO (the busiest step
that held it).

The full stack uses a fresh database on the PostgreSQL at MLAAS_BENCH_POSTGRES_URL (default
postgresql+psycopg2://postgres@127.0.0.1:5432, dropped afterwards) and Redis database
MLAAS_BENCH_REDIS_DB (default 12) of redis://127.0.0.1:6379, flushed before and after: the
cache, the rate limiter and the Celery broker.

Usage: .venv/bin/python bench/locust/run.py [--seconds 45] [--users 5,10,20]
                                           [--stacks embedded,full]
Writes bench/results/locust.json (and Locust's CSVs next to it in a temporary folder).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scratch_db import scratch_database  # noqa: E402 - bench/ is not a package

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "locust.json"
SLO_P99_MS = 100.0
PORTS = ("AIRFLOW", "MLFLOW_UI", "PREDICTION", "TRAINING", "MONITORING", "DASHBOARD",
         "PROMETHEUS", "WORKER_METRICS")  # fmt: skip


@contextmanager
def full_stack_stores() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database and a flushed Redis database, removed afterwards."""
    import redis

    redis_url = f"redis://127.0.0.1:6379/{os.environ.get('MLAAS_BENCH_REDIS_DB', '12')}"
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    try:
        with scratch_database() as database:
            yield {"MLAAS_DATABASE_URL": database, "MLAAS_REDIS_URL": redis_url}
    finally:
        store.flushdb()


@contextmanager
def platform_up(home: Path, stores: dict[str, str]) -> Iterator[tuple[dict[str, str], str]]:
    """`mlaas up` on `home`: yields the URLs it printed and the admin key; Ctrl-C afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLAAS_", "AIRFLOW"))}
    env.update({f"MLAAS_{port}_PORT": "0" for port in PORTS})
    env.update(
        MLAAS_HOME=str(home),
        MLAAS_SERVING_RATE_PER_S="1e9",  # the load is what is measured, not the limiter
        MLAAS_SERVING_BURST="1000000000",
        MLAAS_API_RATE_PER_S="1e9",
        MLAAS_API_BURST="1000000000",
        **stores,
    )
    process = subprocess.Popen(
        [str(BIN / "mlaas"), "up"], env=env, cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip())
        print("  up |", line.rstrip(), flush=True)
        if "Press Ctrl-C" in line:
            break
    output = "\n".join(lines)
    try:
        if "Press Ctrl-C" not in output:
            raise SystemExit(f"`mlaas up` did not come up:\n{output}")
        urls = dict(re.findall(r"^  (\w+) +(http://127\.0\.0\.1:\d+)", output, re.MULTILINE))
        key = re.search(r"Admin API key \(shown once.*\): (mlaas_\w+_\S+)", output)
        assert key, output
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep it draining
        yield urls, key.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(180)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def log_metrics(prediction_url: str) -> dict[str, float]:
    text = httpx.get(f"{prediction_url}/metrics", timeout=10).text
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("mlaas_prediction_log_queue_depth_rows "):
            found["queue_depth"] = float(line.split()[1])
        match = re.match(r'mlaas_prediction_log_rows_total\{fate="(\w+)"\} (\S+)', line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


class Sampler(threading.Thread):
    """The prediction log's backlog, read every second while the load runs."""

    def __init__(self, prediction_url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.depths, self.stop = prediction_url, [0.0], threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            try:
                self.depths.append(log_metrics(self.url).get("queue_depth", 0.0))
            except httpx.HTTPError:
                pass


def locust_stats(prefix: Path) -> dict[str, dict[str, float]]:
    """Locust's `<prefix>_stats.csv`: per call name (and "Aggregated"), count, failures,
    requests/s and percentiles in ms."""
    stats = {}
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["50%"] == "N/A":  # a call that never ran
                continue
            count = float(row["Request Count"])
            stats[row["Name"]] = {
                "requests": count,
                "failures": float(row["Failure Count"]),
                "error_rate": float(row["Failure Count"]) / count if count else 0.0,
                "requests_per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
            }
    return stats


def load_step(
    name: str, users: int, urls: dict[str, str], key: str, seconds: int, out: Path
) -> dict[str, Any]:
    """Locust with `users` users for `seconds`; the calls' figures and the log writer's."""
    env = {
        **os.environ,
        "MLAAS_BENCH_PREDICTION_URL": urls["Prediction"],
        "MLAAS_BENCH_TRAINING_URL": urls["Training"],
        "MLAAS_BENCH_MONITORING_URL": urls["Monitoring"],
        "MLAAS_BENCH_KEY": key,
    }
    before = log_metrics(urls["Prediction"])
    sampler = Sampler(urls["Prediction"])
    sampler.start()
    started = time.monotonic()
    prefix = out / f"{name}-{users}users"
    subprocess.run(
        [
            str(BIN / "locust"), "-f", str(ROOT / "bench/locust/locustfile.py"), "--headless",
            "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
            "--stop-timeout", "10", "--csv", str(prefix), "--only-summary",
        ],
        env=env, check=False,
    )  # fmt: skip
    ran_s = time.monotonic() - started
    sampler.stop.set()
    stopped = time.monotonic()
    while log_metrics(urls["Prediction"]).get("queue_depth", 0.0) > 0:
        if time.monotonic() - stopped > 120:
            break
        time.sleep(0.1)
    drain_s = time.monotonic() - stopped
    after = log_metrics(urls["Prediction"])
    logged = sum(after.get(f, 0) - before.get(f, 0) for f in ("written", "replayed"))
    stats = locust_stats(prefix)
    single = stats.get("predict single", {})
    return {
        "users": users,
        "calls": stats,
        "slo_single_predictions_held": bool(single)
        and single["p99_ms"] < SLO_P99_MS
        and single["failures"] == 0,
        "prediction_log": {
            "rows_logged": int(logged),
            "rows_per_s": round(logged / ran_s, 1),
            "max_backlog_rows": int(max(sampler.depths)),
            "drain_after_load_s": round(drain_s, 2),
            "spooled_rows": int(after.get("spooled", 0) - before.get("spooled", 0)),
        },
    }


def run_stack(
    name: str, stores: dict[str, str], args: argparse.Namespace, out: Path
) -> dict[str, Any]:
    """Every load step against one `mlaas up`; the held throughput is the busiest step whose
    single predictions kept p99 under the SLO with no error."""
    with platform_up(out / f"home-{name}", stores) as (urls, key):
        steps = [load_step(name, users, urls, key, args.seconds, out) for users in args.users]
    held = [step for step in steps if step["slo_single_predictions_held"]]
    best = max(held, key=lambda step: step["calls"]["Aggregated"]["requests_per_s"], default=None)
    return {
        "stores": "PostgreSQL + Redis" if stores else "SQLite, in-process cache and limits",
        "steps": steps,
        "held_at_slo": None
        if best is None
        else {
            "users": best["users"],
            "requests_per_s": best["calls"]["Aggregated"]["requests_per_s"],
            "single_predictions_per_s": best["calls"]["predict single"]["requests_per_s"],
            "single_p99_ms": best["calls"]["predict single"]["p99_ms"],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=45, help="per load step")
    parser.add_argument(
        "--users",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[5, 10, 20],
        help="load steps, comma-separated user counts (default 5,10,20)",
    )
    parser.add_argument("--stacks", default="embedded,full")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="mlaas-locust-"))
    results: dict[str, Any] = {}
    for stack in args.stacks.split(","):
        print(f"== {stack}", flush=True)
        if stack == "full":
            with full_stack_stores() as stores:
                results[stack] = run_stack(stack, stores, args, out)
        else:
            results[stack] = run_stack(stack, {}, args, out)
    report = {
        "command": "python bench/locust/run.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "seconds": args.seconds,
        "users": args.users,
        "stacks": results,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for stack, result in results.items():
        print(f"\n{stack} ({result['stores']}); held at the SLO: {result['held_at_slo']}")
        for step in result["steps"]:
            print(f"\n{step['users']} users; prediction log: {step['prediction_log']}")
            print("| call | req/s | p50 ms | p95 ms | p99 ms | errors |")
            print("|---|---|---|---|---|---|")
            for call, s in step["calls"].items():
                print(f"| {call} | {s['requests_per_s']} | {s['p50_ms']:g} | {s['p95_ms']:g} | "
                      f"{s['p99_ms']:g} | {s['error_rate']:.2%} |")  # fmt: skip
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
