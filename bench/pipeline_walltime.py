"""Wall time of the churn pipeline (20 trials) and of the README's first command, cold.

Each measurement runs in a fresh MLAAS_HOME, as a separate process, the way a user runs it:
  1. `mlaas run churn`                   the pipeline in one process (no Airflow)
  2. the churn DAG via `dag.test()`       the same steps driven by Airflow (after `db migrate`)
  3. `mlaas up`                           cold start: credentials, both reference DAGs, then
                                          Airflow standalone + MLflow UI until healthy; then Ctrl-C
  4. (--install) `scripts/bootstrap.sh`  a from-scratch venv from requirements.lock in a clone

Usage: .venv/bin/python bench/pipeline_walltime.py [--install]
Writes bench/results/pipeline_walltime.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = PROJECT / "bench" / "results" / "pipeline_walltime.json"


def fresh_env(home: Path) -> dict[str, str]:
    env = dict(os.environ, MLAAS_HOME=str(home))
    for key in list(env):
        if key.startswith("MLAAS_") and key != "MLAAS_HOME":
            del env[key]
    return env


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=PROJECT)
    return time.perf_counter() - started


def bench_run(tmp: Path) -> float:
    return timed([str(BIN / "mlaas"), "run", "churn"], fresh_env(tmp / "run"))


def bench_dag(tmp: Path) -> tuple[float, float]:
    env = fresh_env(tmp / "dag")
    from mlaas.orchestration import airflow_env

    os.environ.update(env)
    from mlaas.settings import get_settings

    get_settings.cache_clear()
    airflow = airflow_env(get_settings())
    migrate = timed([str(BIN / "airflow"), "db", "migrate"], airflow)
    run = timed([sys.executable, str(PROJECT / "dags" / "mlaas_pipelines.py"), "churn"], airflow)
    return migrate, run


def bench_up(tmp: Path) -> tuple[float, float]:
    env = fresh_env(tmp / "up")
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "mlaas"), "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PROJECT,
    )
    assert process.stdout is not None
    ready = None
    for line in process.stdout:
        if "The platform is up" in line:
            ready = time.perf_counter() - started
            break
    if ready is None:
        raise RuntimeError("mlaas up did not come up")
    process.send_signal(signal.SIGINT)
    stop_started = time.perf_counter()
    process.communicate(timeout=120)
    return ready, time.perf_counter() - stop_started


def bench_install(tmp: Path) -> float:
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
    started = time.perf_counter()
    subprocess.run(["bash", "scripts/bootstrap.sh"], cwd=clone, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="also time a from-scratch venv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlaas-bench-") as tmp_name:
        tmp = Path(tmp_name)
        results: dict[str, float] = {"pipeline_cli_churn_s": bench_run(tmp)}
        results["airflow_db_migrate_s"], results["pipeline_dag_churn_s"] = bench_dag(tmp)
        results["up_cold_until_ready_s"], results["up_shutdown_s"] = bench_up(tmp)
        if args.install:
            results["install_from_lock_s"] = bench_install(tmp)
    record = {
        "command": "python bench/pipeline_walltime.py" + (" --install" if args.install else ""),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": {k: round(v, 1) for k, v in results.items()},
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    for key, value in record["results"].items():
        print(f"{key:<28} {value:>7.1f}")


if __name__ == "__main__":
    main()
