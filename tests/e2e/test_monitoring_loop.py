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

    return list(DagRun.find(dag_id="mlaas_retrain_churn"))


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
    before = {run.run_id for run in _pipeline_runs()}  # other tests' runs share the DB
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
    [started] = [run for run in _pipeline_runs() if run.run_id not in before]
    assert started.run_id.startswith("retrain__churn__")
    assert started.conf["trigger"].startswith("monitoring: ")
    assert "features drifted" in started.conf["trigger"]
    assert started.conf["mode"] == "full"
    [event] = retrain_history("churn")
    assert event.dag_run_id == started.run_id and event.state == "triggered"

    second = monitoring_dag.test()
    states = {ti.task_id: str(ti.state) for ti in second.get_task_instances()}
    assert states["retrain_needed"] == "success"
    assert states["trigger_retrain"] == "skipped" and states["record_retrain"] == "skipped"
    assert {run.run_id for run in _pipeline_runs()} == before | {started.run_id}  # breaker held
    assert len(retrain_history("churn")) == 1
    assert len(alert_history(model="churn", state="firing")) == 1  # still firing, not re-fired


def _pipeline_dag(spec_file: Path) -> Any:
    """The pipeline DAG of the spec in `spec_file`, parsed anew (dag.test keeps a run's conf)."""
    from mlaas.specs import load_spec

    name = "mlaas_pipelines_loop_under_test"
    sys.modules.pop(name, None)
    module = _module(name, PROJECT_DIR / "dags/mlaas_pipelines.py")
    return module.build_pipeline_dag(load_spec(str(spec_file)), str(spec_file), automatic=True)


def test_labelled_drifted_traffic_trains_a_new_champion(
    mlaas_home: Path, airflow_db: Path, tmp_path: Path
) -> None:
    """The loop closed on the embedded defaults. Drifted traffic whose meaning changed (concept
    shift) goes through the prediction service. With no labels yet, the monitoring DAG sees the
    drift, starts nothing and says it waits for labelled data (the breaker's budget untouched).
    Labels for 480 of the predictions arrive through /v1/feedback; the next monitoring run
    starts a retrain, whose pipeline trains on a dataset whose lineage includes the live window,
    gates on rows neither model trained on, and the new champion serves."""
    import json

    from mlaas.auth import create_key
    from mlaas.data.churn import ChurnDrift, generate_churn
    from mlaas.monitoring.retrain_policy import retrain_history
    from mlaas.monitoring.run import snapshot_history
    from mlaas.pipeline import run_pipeline
    from mlaas.registry import get_version

    source = tmp_path / "churn.parquet"
    generate_churn(1500, seed=5).to_parquet(source, index=False)
    # Window mode: after a concept shift only the recent (live) rows teach the new meaning.
    spec = small_spec(
        "churn",
        dataset={"source": str(source), "generator": "churn"},
        retrain__mode="window",
        retrain__window_days=30,
        retrain__max_per_day=1,
        retrain__backoff_minutes=0,
    )
    spec_file = tmp_path / "churn.yaml"
    spec_file.write_text(spec.to_yaml())
    first = run_pipeline(spec)
    assert first.champion

    drift = ChurnDrift(numeric_shift={"age": 1.5, "balance": 1.0}, concept_shift=1.0)
    live = generate_churn(600, seed=11, drift=drift)
    predict_key = create_key("e2e-predict", ["predict"])[0]
    monitor_key = create_key("e2e-monitor", ["monitor"])[0]
    from services.prediction.app import app as prediction_app

    with TestClient(prediction_app) as client:
        response = client.post(
            "/v1/models/churn/predict/batch",
            json={"features": _records(live, spec.feature_names)},
            headers={"Authorization": f"Bearer {predict_key}"},
        )
        assert response.status_code == 200, response.text
        request_id = response.json()["request_id"]
    record_ids = [f"{request_id}:{i}" for i in range(len(live))]

    dags = _module("mlaas_monitoring_under_test", PROJECT_DIR / "dags/mlaas_monitoring.py")
    monitoring_dag = dags.build_monitoring_dag(spec, str(spec_file))
    before = {run.run_id for run in _pipeline_runs()}

    waiting = monitoring_dag.test()
    states = {ti.task_id: str(ti.state) for ti in waiting.get_task_instances()}
    assert states["retrain_needed"] == "success" and states["trigger_retrain"] == "skipped"
    [snapshot] = snapshot_history("churn", limit=1)
    assert snapshot["decision"]["waiting_for_data"].startswith(
        "drift seen, waiting for new data: no new data since v1: source hash "
    )
    assert "0 new label(s)" in snapshot["decision"]["waiting_for_data"]
    assert {run.run_id for run in _pipeline_runs()} == before
    assert retrain_history("churn") == []

    from services.monitoring.app import app as monitoring_app

    with TestClient(monitoring_app) as client:
        items = [
            {"request_id": rid, "label": int(label)}
            for rid, label in zip(record_ids[:480], live["churned"][:480], strict=True)
        ]
        response = client.post(
            "/v1/feedback",
            json={"items": items},
            headers={"Authorization": f"Bearer {monitor_key}"},
        )
        assert response.status_code == 200, response.text

    monitoring_dag.test()
    [started] = [run for run in _pipeline_runs() if run.run_id not in before]
    assert started.run_id.startswith("retrain__churn__")
    assert started.conf["mode"] == "window"
    [event] = retrain_history("churn")
    assert event.dag_run_id == started.run_id

    # The triggered run, as the scheduler would run it (dag.test gives it its own run id).
    run = _pipeline_dag(spec_file).test(run_conf=dict(started.conf))
    assert str(run.state) == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}
    registered = run.get_task_instance("register").xcom_pull(task_ids="register")
    version = get_version("churn", registered["version"])
    parts = json.loads(version.tags["mlaas.data_parts"])
    assert [part["kind"] for part in parts] == ["source", "live"]
    assert parts[1]["rows"] == 480
    gate = json.loads(version.tags["mlaas.gate"])
    assert gate["evaluation"].endswith("holdout rows champion v1 did not train on")
    assert registered["champion"] is True, gate["reason"]
    assert gate["champion_version"] == "1" and gate["rows"] >= spec.gate.min_rows

    with TestClient(prediction_app) as client:
        response = client.post(
            "/v1/models/churn/predict",
            json={"features": _records(live.iloc[:1], spec.feature_names)[0]},
            headers={"Authorization": f"Bearer {predict_key}"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] == registered["version"] != "1"
