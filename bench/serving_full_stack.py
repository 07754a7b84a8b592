"""The prediction service on its embedded defaults vs on PostgreSQL + Redis, side by side.

The same 200-tree LightGBM churn champion as bench/serving_vs_mlflow.py is trained into two
fresh homes: one on the embedded defaults (SQLite, in-process cache and limits), one with
`MLAAS_DATABASE_URL` on the machine's PostgreSQL (a new database per run) and `MLAAS_REDIS_URL`
on its Redis (database 14, flushed first). The service (uvicorn, 1 worker) runs on each in turn
under the same wrk loads — one record at 8 and 32 connections with a fixed body (cache hits)
and a varying one (misses: every record new, bench/wrk/post_varying.lua), and batches of 1,000
distinct records at 8 connections; each load five times, the medians reported — with the
server's CPU per request and the stores' (PostgreSQL's and Redis's processes, which share the
two cores here) and, on PostgreSQL, the service's connections (the most open at once, and how
many it opened); after the batches it waits for the prediction log to drain and counts the rows
stored in whichever database is configured (every served row must be there). Issue #21's goal:
full stack >= 0.8x embedded throughput, p99 <= 1.5x.

Usage: .venv/bin/python bench/serving_full_stack.py [--seconds 8]
Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and Redis on 127.0.0.1:6379.
Writes bench/results/serving_full_stack.json and prints both columns with ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import serving_vs_mlflow as bench  # noqa: E402 - the shared loads, servers and counters
from scratch_db import scratch_database  # noqa: E402

RESULTS = bench.PROJECT / "bench" / "results" / "serving_full_stack.json"
REDIS = "redis://127.0.0.1:6379/14"
RUNS = 5  # every load runs this many times; the figures are the medians


def stack_env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLAAS_")}
    env["MLAAS_HOME"] = str(home)
    if database_url is not None:
        env["MLAAS_DATABASE_URL"] = database_url
        env["MLAAS_REDIS_URL"] = REDIS
    return env


def stores_cpu_s() -> float:
    """CPU seconds used so far by the machine's PostgreSQL and Redis servers (every postgres
    process, plus what exited backends left in the postmaster's children's time)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() not in ("postgres", "redis-server"):
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # a backend that just exited
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


class PostgresConnections:
    """The service's PostgreSQL connections during a load: the most open at once (sampled every
    50 ms from pg_stat_activity) and how many were opened (pg_stat_database.sessions, which
    counts even a connection opened and closed between two samples)."""

    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self._engine = create_engine(database_url, poolclass=NullPool)
        self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._stop = threading.Event()
        self.most_open = 0

    def _scalar(self, sql: str) -> int:
        from sqlalchemy import text

        return int(self._conn.execute(text(sql)).scalar_one())

    def sessions(self) -> int:
        return self._scalar(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        )

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.most_open = max(self.most_open, self._scalar(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ))  # fmt: skip

    def __enter__(self) -> PostgresConnections:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._conn.close()
        self._engine.dispose()


def measured(process: subprocess.Popen[bytes], url: str, seconds: int,
             database_url: str | None = None, **options: Any) -> dict[str, float]:  # fmt: skip
    """bench.measured plus the stores' CPU per request (the same cores serve both here) and,
    on PostgreSQL, the service's connections."""
    before = stores_cpu_s()
    if database_url is None:
        result = bench.measured(process, url, seconds, **options)
    else:
        with PostgresConnections(database_url) as connections:
            opened = connections.sessions()
            result = bench.measured(process, url, seconds, **options)
            time.sleep(1.0)  # a backend's session is counted once its first query is done
            result["pg_connections_opened"] = connections.sessions() - opened
            result["pg_connections_most_open"] = connections.most_open
    used = stores_cpu_s() - before
    result["stores_cpu_ms_per_request"] = round(used * 1000 / (result["rps"] * seconds), 2)
    return result


def medians(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Each figure's median over the runs (an 8-second run's p99 is its slowest 1%: one stall
    of the shared cores moves it), and every run's throughput and p99."""
    summary: dict[str, Any] = {
        name: statistics.median(run[name] for run in runs) for name in runs[0]
    }
    per_run = ("rps", "p99_ms", "pg_connections_most_open", "pg_connections_opened")
    summary["runs"] = [{name: run[name] for name in per_run if name in run} for run in runs]
    return summary


def logged_rows(env: dict[str, str]) -> int:
    """Rows in the configured prediction log (a row per record plus the records of blocks)."""
    from sqlalchemy import create_engine, text

    url = env.get("MLAAS_DATABASE_URL") or f"sqlite:///{Path(env['MLAAS_HOME']) / 'platform.db'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM prediction_log")).scalar_one()
        blocked = conn.execute(
            text("SELECT coalesce(sum(records), 0) FROM prediction_log_blocks")
        ).scalar_one()
    engine.dispose()
    return int(rows) + int(blocked)


def train(env: dict[str, str]) -> str:
    """Train the champion in a child process on `env`'s stores; its API key."""
    code = "import pathlib, sys, serving_vs_mlflow as b; print(b.train(pathlib.Path(sys.argv[1])))"
    done = subprocess.run(
        [sys.executable, "-c", code, env["MLAAS_HOME"]],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parent)},
        capture_output=True,
        text=True,
        check=True,
        cwd=bench.PROJECT,
    )
    return done.stdout.strip().splitlines()[-1]


def serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    port = str(bench.PORTS["ours"])
    command = [str(bench.BIN / "uvicorn"), "--host", "127.0.0.1", "--port", port,
               "--no-access-log", "services.prediction.app:app"]  # fmt: skip
    env = {**env, "MLAAS_SERVING_RATE_PER_S": "1e9", "MLAAS_SERVING_BURST": "1000000000"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=bench.PROJECT
        )
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"the service did not start; see {log}")


def run_stack(env: dict[str, str], paths: dict[str, Path], key: str, seconds: int, log: Path,
              *, batches: bool = True) -> dict[str, Any]:  # fmt: skip
    process = serve(env, log)
    base = f"http://127.0.0.1:{bench.PORTS['ours']}"
    database = env.get("MLAAS_DATABASE_URL")
    out: dict[str, Any] = {}
    try:
        for conns in (8, 32):
            for kind, script, body in (
                ("hit", "post.lua", paths["single"]),
                ("miss", "post_varying.lua", None),
            ):
                out[f"{kind}_c{conns}"] = medians([
                    measured(
                        process, f"{base}/v1/models/churn/predict", seconds, database,
                        script=script, body=body, key=key, conns=conns,
                    )
                    for _ in range(RUNS)
                ])  # fmt: skip
        if not batches:
            return out
        bench.log_drain(bench.PORTS["ours"])
        before = logged_rows(env)
        runs = [
            measured(
                process,
                f"{base}/v1/models/churn/predict/batch",
                seconds,
                database,
                script="post.lua",
                body=paths["batch"],
                key=key,
                conns=8,
            )  # fmt: skip
            for _ in range(RUNS)
        ]
        out["batch1000_c8"] = medians(runs)
        drain = bench.log_drain(bench.PORTS["ours"])
        answered = round(sum(run["requests"] for run in runs) * 1000)
        stored = logged_rows(env) - before
        # Stored may exceed answered by the batches in flight when wrk stopped (at most 8 per
        # run: served and logged, their answers not read); never be below it.
        out["batch_log"] = {**drain, "rows_answered": answered, "rows_stored": stored}
    finally:
        process.terminate()
        process.wait(60)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    seconds = parser.parse_args().seconds
    results: dict[str, Any] = {}
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    with scratch_database() as database:
        with tempfile.TemporaryDirectory(prefix="mlaas-stack-bench-") as tmp_name:
            tmp = Path(tmp_name)
            rows = bench.distinct_records(1000)
            paths = {"single": tmp / "single.json", "batch": tmp / "batch.json"}
            paths["single"].write_text(json.dumps({"features": bench.RECORD}))
            paths["batch"].write_text(json.dumps({"features": rows}))
            for stack, url in (("embedded", None), ("full_stack", database)):
                env = stack_env(tmp / stack, url)
                key = train(env)
                results[stack] = run_stack(env, paths, key, seconds, tmp / f"{stack}.log")
            # The same full stack with every answer shared through Redis (this model scores
            # faster than MLAAS_SERVING_SHARED_CACHE_MIN_MS, so by default it caches per
            # replica): what a model expensive enough to share pays for the round trips.
            shared = {**env, "MLAAS_SERVING_SHARED_CACHE_MIN_MS": "0"}
            results["full_stack_shared_cache"] = run_stack(
                shared, paths, key, seconds, tmp / "shared.log", batches=False
            )
    ratios: dict[str, float] = {}
    for load in ("hit_c8", "miss_c8", "hit_c32", "miss_c32", "batch1000_c8"):
        embedded, full = results["embedded"][load], results["full_stack"][load]
        ratios[f"{load}_throughput"] = round(full["rps"] / embedded["rps"], 2)
        ratios[f"{load}_p99"] = round(full["p99_ms"] / embedded["p99_ms"], 2)
        ratios[f"{load}_cpu_per_request"] = round(
            full["server_cpu_ms_per_request"] / embedded["server_cpu_ms_per_request"], 2
        )
        if load in results["full_stack_shared_cache"]:
            shared_run = results["full_stack_shared_cache"][load]
            ratios[f"{load}_shared_cache_throughput"] = round(
                shared_run["rps"] / embedded["rps"], 2
            )
            ratios[f"{load}_shared_cache_p99"] = round(
                shared_run["p99_ms"] / embedded["p99_ms"], 2
            )
    record = {
        "command": f"python bench/serving_full_stack.py --seconds {seconds}",
        "machine": f"{os.cpu_count()} cores; PostgreSQL and Redis on the same cores",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": results,
        "full_stack_over_embedded": ratios,
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    for load in ("hit_c8", "miss_c8", "hit_c32", "miss_c32", "batch1000_c8"):
        cells = []
        for stack in ("embedded", "full_stack", "full_stack_shared_cache"):
            if load not in results[stack]:
                continue
            row = results[stack][load]
            server, stores = row["server_cpu_ms_per_request"], row["stores_cpu_ms_per_request"]
            cells.append(
                f"{row['rps']:>8.1f} req/s p99 {row['p99_ms']:>7.2f} ms "
                f"cpu {server:>5.2f}+{stores:.2f} ms"
            )
            if "pg_connections_opened" in row:
                most = max(run["pg_connections_most_open"] for run in row["runs"])
                opened = sum(run["pg_connections_opened"] for run in row["runs"])
                cells[-1] += f" pg {most} open, {opened} opened"
        shared_ratio = ratios.get(f"{load}_shared_cache_throughput", "-")
        print(
            f"{load:<14} {' | '.join(cells)} | x{ratios[f'{load}_throughput']} / x{shared_ratio}"
        )
    for stack in ("embedded", "full_stack"):
        print(stack, results[stack]["batch_log"])


if __name__ == "__main__":
    main()
