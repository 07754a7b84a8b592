"""The inbox and monitoring DAGs (dag.test on the embedded defaults): every new inbox file
starts one pipeline run with the file as `dataset_path`; a model with nothing served is skipped."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.e2e.test_monitoring_loop import PROJECT_DIR, _module
from tests.factories import small_spec

pytestmark = pytest.mark.slow


def _confs() -> list[dict[str, str]]:
    from airflow.models import DagRun

    return [run.conf for run in DagRun.find(dag_id="mlaas_retrain_churn")]


def test_new_inbox_files_start_one_pipeline_run_each(
    mlaas_home: Path, airflow_db: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("week-45.csv", "week-46.parquet"):
        (inbox / name).write_bytes(b"placeholder")
        os.utime(inbox / name, (time.time() - 60, time.time() - 60))
    spec = small_spec("churn", retrain__inbox=str(inbox))
    spec_file = tmp_path / "churn.yaml"
    spec_file.write_text(spec.to_yaml())
    dags = _module("mlaas_monitoring_under_test", PROJECT_DIR / "dags/mlaas_monitoring.py")
    inbox_dag = dags.build_inbox_dag(spec, str(spec_file))
    before = _confs()

    run = inbox_dag.test()
    states = sorted((ti.task_id, str(ti.state)) for ti in run.get_task_instances())
    assert states == [
        ("new_files", "success"),
        ("start_pipeline", "success"),
        ("start_pipeline", "success"),
    ]
    started = [c for c in _confs() if c not in before]
    assert sorted(c["dataset_path"] for c in started) == [
        str(inbox / "week-45.csv"),
        str(inbox / "week-46.parquet"),
    ]
    assert all(c["trigger"] == f"inbox: {c['dataset_path']}" for c in started)


def test_monitoring_dag_of_an_untrained_model_skips_without_failing(
    mlaas_home: Path, airflow_db: Path
) -> None:
    dags = _module("mlaas_monitoring_under_test", PROJECT_DIR / "dags/mlaas_monitoring.py")
    run = dags.build_monitoring_dag(small_spec("house_prices")).test()
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert str(run.state) == "success", states
    assert states["monitor"] == "success" and states["trigger_retrain"] == "skipped"
