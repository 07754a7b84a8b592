"""The Locust scenarios of bench/locust/ run for a few seconds against the three services on
loopback (over a home with churn trained): every call of the mix answers without a failure,
so the benchmark measures a working mix. The figures come from bench/locust/run.py, never
from here."""

from __future__ import annotations

import csv
import os
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.factories import home_env, small_spec
from tests.servers import BIN, uvicorn_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_the_locust_mix_runs_without_failures(tmp_path: Path) -> None:
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline

    home = tmp_path / "home"
    with home_env(home):
        assert run_pipeline(small_spec("churn")).champion
        key = create_key("locust", ["admin"])[0]
    env = {**os.environ, "MLAAS_HOME": str(home)}
    with ExitStack() as stack:
        urls = {
            service: stack.enter_context(
                uvicorn_server(f"services.{service}.app:app", env, tmp_path / f"{service}.log")
            )
            for service in ("prediction", "training", "monitoring")
        }
        result = subprocess.run(
            [
                str(BIN / "locust"), "-f", str(ROOT / "bench/locust/locustfile.py"),
                "--headless", "-u", "6", "-r", "6", "-t", "8s", "--stop-timeout", "5",
                "--csv", str(tmp_path / "mix"), "--only-summary",
            ],
            env={
                **env,
                "MLAAS_BENCH_PREDICTION_URL": urls["prediction"],
                "MLAAS_BENCH_TRAINING_URL": urls["training"],
                "MLAAS_BENCH_MONITORING_URL": urls["monitoring"],
                "MLAAS_BENCH_KEY": key,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )  # fmt: skip
    with (tmp_path / "mix_stats.csv").open() as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    failures = (tmp_path / "mix_failures.csv").read_text()
    assert result.returncode == 0, result.stderr[-3000:] + failures
    assert int(rows["Aggregated"]["Failure Count"]) == 0, failures
    counts = {name: int(row["Request Count"]) for name, row in rows.items()}
    calls = ("predict single", "predict batch of 100", "predict with explanation",
             "predict by entity id", "submit job")  # fmt: skip
    assert all(counts.get(call, 0) > 0 for call in calls), counts


def test_the_scenarios_send_load_to_loopback_only(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MLAAS_BENCH_PREDICTION_URL": "http://10.0.0.1:8000",
        "MLAAS_BENCH_TRAINING_URL": "http://127.0.0.1:9",
        "MLAAS_BENCH_MONITORING_URL": "http://127.0.0.1:9",
        "MLAAS_BENCH_KEY": "unused",
    }
    result = subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench/locust/locustfile.py"), "--headless",
         "-u", "1", "-t", "1s"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "MLAAS_BENCH_PREDICTION_URL='http://10.0.0.1:8000'" in result.stdout + result.stderr
