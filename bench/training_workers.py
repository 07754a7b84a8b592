"""Training jobs on Celery workers: tuning throughput with 1 vs 2 workers on one Optuna study,
and submit-to-running latency, on the embedded SQLite broker and on Redis.

Each case runs in a fresh MLAAS_HOME with real `mlaas worker` processes (the same helpers the
tests use). Throughput = finished trials / (last trial end - first trial start) of one job's
study; latency = started_at - created_at of idle-worker jobs (each cancelled right away).

Usage: .venv/bin/python bench/training_workers.py [--trials 24] [--latency-jobs 5] [--no-redis]
Writes bench/results/training_workers.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
RESULTS = PROJECT / "bench" / "results" / "training_workers.json"
REDIS_URL = os.environ.get("MLAAS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def throughput(workers: int, trials: int, env: dict[str, str]) -> dict[str, Any]:
    import optuna
    from optuna.trial import TrialState

    from mlaas.jobs import store
    from mlaas.jobs.overrides import JobOverrides
    from mlaas.training.tune import optuna_storage
    from tests.mlaas.jobs.platform import platform_env, wait_until, write_platform

    platform = write_platform(Path(tempfile.mkdtemp(prefix="bench-train-")), **env)
    with platform_env(platform):
        from mlaas.db import get_engine

        get_engine()
        try:
            for n in range(workers):
                platform.start_worker(f"w{n}")
            job, _ = store.submit(
                "churn", JobOverrides(trials=trials, parallelism=workers), actor="bench"
            )
            wait_until(lambda: store.get_job(job.id).terminal, 900)
            done = store.get_job(job.id)
            assert done.state == "succeeded", done.error
            study = optuna.load_study(study_name=done.study_name, storage=optuna_storage())
            ran = [t for t in study.trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
            start = min(t.datetime_start for t in ran if t.datetime_start)
            end = max(t.datetime_complete for t in ran if t.datetime_complete)
            seconds = (end - start).total_seconds()
            assert done.started_at and done.finished_at
            return {
                "workers": workers,
                "trials": len(ran),
                "tune_seconds": round(seconds, 2),
                "trials_per_s": round(len(ran) / seconds, 3),
                "job_seconds": round((done.finished_at - done.started_at).total_seconds(), 1),
                "trials_by_worker": sorted(
                    sum(t.user_attrs.get("worker") == w for t in ran)
                    for w in {t.user_attrs.get("worker") for t in ran}
                ),
            }
        finally:
            platform.stop_workers()


def latency(jobs: int, env: dict[str, str]) -> dict[str, Any]:
    from mlaas.jobs import store
    from mlaas.jobs.overrides import JobOverrides
    from tests.mlaas.jobs.platform import platform_env, wait_until, write_platform

    platform = write_platform(Path(tempfile.mkdtemp(prefix="bench-latency-")), **env)
    samples: list[float] = []
    with platform_env(platform):
        from mlaas.db import get_engine

        get_engine()
        try:
            platform.start_worker("w0")
            for _ in range(jobs):
                job, _ = store.submit("churn", JobOverrides(trials=1), actor="bench")
                wait_until(lambda j=job.id: store.get_job(j).state != "queued", 60)
                running = store.get_job(job.id)
                assert running.started_at
                samples.append((running.started_at - running.created_at).total_seconds())
                store.request_cancel(job.id, actor="bench")
                wait_until(lambda j=job.id: store.get_job(j).terminal, 300)
                time.sleep(1.0)  # the worker is idle again, polling the broker
        finally:
            platform.stop_workers()
    return {
        "jobs": jobs,
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
        "samples_ms": [round(s * 1000, 1) for s in samples],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--latency-jobs", type=int, default=5)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    brokers: dict[str, dict[str, str]] = {"embedded": {}}
    if not args.no_redis:
        brokers["redis"] = {
            "MLAAS_CELERY_BROKER_URL": REDIS_URL,
            "MLAAS_CELERY_RESULT_BACKEND": REDIS_URL,
        }
    results: dict[str, Any] = {
        "command": "bench/training_workers.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "throughput": [],
        "latency": {},
    }
    for workers in (1, 2):
        row = throughput(workers, args.trials, {})
        results["throughput"].append(row)
        print(f"{workers} worker(s): {row['trials_per_s']} trials/s ({row['trials_by_worker']})")
    for broker, env in brokers.items():
        results["latency"][broker] = latency(args.latency_jobs, env)
        print(f"submit->running on {broker}: {results['latency'][broker]['median_ms']} ms")
    results["machine"]["load_avg_at_end"] = os.getloadavg()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
