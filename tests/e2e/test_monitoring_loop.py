"""The closed loop, end to end on the embedded defaults: drifted traffic sent through the real
prediction service fires a drift alert in the monitoring DAG, which starts exactly one
retraining run of the pipeline DAG; the next monitoring run is stopped by the circuit breaker."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.factories import small_spec

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _module(name: str, path: Path) -> Any:
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


def _records(frame: Any, features: list[str]) -> list[dict[str, Any]]:
    rows = frame[features].astype(object).where(frame[features].notna(), None)
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
        for r in rows.to_dict(orient="records")
    ]


def _pipeline_runs() -> list[Any]:
    from airflow.models import DagRun

    return list(DagRun.find(dag_id="mlaas_pipeline_churn"))


def test_drift_fires_the_alert_and_starts_exactly_one_retrain(
    mlaas_home: Path, airflow_db: Path, tmp_path: Path
) -> None:
    from mlaas.auth import create_key
    from mlaas.data.churn import ChurnDrift, generate_churn
    from mlaas.monitoring.alerts import alert_history, create_rule
    from mlaas.monitoring.retrain_policy import retrain_history
    from mlaas.pipeline import run_pipeline

    spec = small_spec("churn", retrain__max_per_day=1, retrain__backoff_minutes=0)
    spec_file = tmp_path / "churn.yaml"
    spec_file.write_text(spec.to_yaml())
    source = tmp_path / "churn.parquet"
    generate_churn(1500, seed=5).to_parquet(source, index=False)
    assert run_pipeline(spec, source=str(source)).champion
    create_rule(
        spec,
        name="feature drift",
        metric="drifted_share",
        comparator=">",
        threshold=spec.drift.drift_share,
        window_minutes=60,
        severity="critical",
    )

    # Drifted traffic through the prediction service (HTTP, real model, real log writer).
    drift = ChurnDrift(
        numeric_shift={
            "age": 2.0,
            "balance": 1.5,
            "credit_score": -1.5,
            "support_calls": 2.0,
            "tenure_months": 1.0,
        }
    )
    traffic = _records(generate_churn(600, seed=11, drift=drift), spec.feature_names)
    key = create_key("e2e", ["predict"])[0]
    from services.prediction.app import app

    with TestClient(app) as client:
        response = client.post(
            "/v1/models/churn/predict/batch",
            json={"features": traffic},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200, response.text
    # Leaving the client shut the service down, which flushed the prediction log.

    dags = _module("mlaas_monitoring_under_test", PROJECT_DIR / "dags/mlaas_monitoring.py")
    before = len(_pipeline_runs())
    monitoring_dag = dags.build_monitoring_dag(spec, str(spec_file))

    first = monitoring_dag.test()
    states = {ti.task_id: str(ti.state) for ti in first.get_task_instances()}
    assert states == {
        "monitor": "success",
        "deliver_alerts": "success",
        "retrain_needed": "success",
        "trigger_retrain": "success",
        "record_retrain": "success",
    }
    firing = alert_history(model="churn", state="firing")
    assert [event.rule_name for event in firing] == ["feature drift"]
    runs = _pipeline_runs()
    assert len(runs) == before + 1
    started = next(run for run in runs if run.run_id.startswith("retrain__churn__"))
    assert started.conf["trigger"].startswith("monitoring: ")
    assert "features drifted" in started.conf["trigger"]
    assert started.conf["mode"] == "full"
    [event] = retrain_history("churn")
    assert event.dag_run_id == started.run_id and event.state == "triggered"

    second = monitoring_dag.test()
    states = {ti.task_id: str(ti.state) for ti in second.get_task_instances()}
    assert states["retrain_needed"] == "success"
    assert states["trigger_retrain"] == "skipped" and states["record_retrain"] == "skipped"
    assert len(_pipeline_runs()) == before + 1  # the breaker held
    assert len(retrain_history("churn")) == 1
    assert len(alert_history(model="churn", state="firing")) == 1  # still firing, not re-fired
