"""Group fairness (mlaas.fairness, with fairlearn): disparities per slice on the holdout, small
groups left out of the comparison, and a gate that refuses a constructed biased model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from mlaas.fairness import fairness_problem, fairness_report
from tests.factories import home_env, small_spec


def test_disparities_are_those_of_fairlearn_on_the_compared_groups() -> None:
    spec = small_spec("churn", fairness={"slices": ["gender"], "min_group_rows": 5})
    rows = pd.DataFrame({"gender": ["F"] * 50 + ["M"] * 50 + ["X"] * 3})
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, len(rows))
    # F is predicted positive 60% of the time, M 20%; X has too few rows to compare.
    scores = np.r_[np.repeat([0.9, 0.1], [30, 20]), np.repeat([0.9, 0.1], [10, 40]), [0.9] * 3]
    report = fairness_report(spec, rows, truth, scores)
    assert report is not None and report["metric"] == "demographic_parity_difference"
    gender = report["slices"]["gender"]
    assert gender["left_out"] == {"X": 3}
    assert gender["groups"]["F"]["selection_rate"] == pytest.approx(0.6)
    assert gender["groups"]["M"]["selection_rate"] == pytest.approx(0.2)
    assert gender["disparities"]["demographic_parity_difference"] == pytest.approx(0.4)
    from fairlearn.metrics import equalized_odds_difference

    compared = rows["gender"] != "X"
    expected = equalized_odds_difference(
        truth[compared], (scores[compared] >= 0.5).astype(int),
        sensitive_features=rows["gender"][compared],
    )  # fmt: skip
    assert gender["disparities"]["equalized_odds_difference"] == pytest.approx(expected)
    assert report["worst"] == {"slice": "gender", "value": pytest.approx(0.4)}
    bounded = small_spec("churn", fairness={"slices": ["gender"], "max_disparity": 0.1})
    problem = fairness_problem(bounded, report)
    assert problem is not None and "across gender groups is 0.4" in problem
    assert fairness_problem(spec, report) is None  # no bound: measured only


def test_regression_compares_the_error_of_each_group() -> None:
    spec = small_spec("house_prices", fairness={"slices": ["driveway"], "min_group_rows": 2})
    rows = pd.DataFrame({"driveway": [True, True, False, False]})
    truth = np.array([100.0, 200.0, 100.0, 200.0])
    predicted = np.array([110.0, 190.0, 150.0, 250.0])  # MAE 10 with a driveway, 50 without
    report = fairness_report(spec, rows, truth, predicted)
    assert report is not None and report["metric"] == "error_gap"
    assert report["slices"]["driveway"]["disparities"] == {"error_gap": pytest.approx(40.0)}


def test_slices_must_be_features_with_groups() -> None:
    with pytest.raises(ValidationError, match="'balance' is not a category, bool or int"):
        small_spec("churn", fairness={"slices": ["balance"]})
    with pytest.raises(ValidationError, match="use error_gap for regression"):
        small_spec("house_prices", fairness={"metric": "demographic_parity_difference"})


@pytest.mark.slow
def test_the_gate_refuses_a_biased_model_and_the_run_logs_the_report(tmp_path: Path) -> None:
    from mlaas.data.churn import generate_churn
    from mlaas.pipeline import run_pipeline
    from mlaas.training.train import logged_fairness

    frame = generate_churn(3000, seed=5)
    rng = np.random.default_rng(5)
    female = (frame["gender"] == "Female").to_numpy()
    # A biased history: women churned far more often, whatever their account looked like.
    frame["churned"] = np.where(female, rng.random(len(frame)) < 0.7, rng.random(len(frame)) < 0.1)
    frame["churned"] = frame["churned"].astype(int)
    source = tmp_path / "biased.parquet"
    frame.to_parquet(source, index=False)
    fairness = {"slices": ["gender", "country"], "max_disparity": 0.1}
    spec = small_spec("churn", dataset={"source": str(source)}, fairness=fairness)
    with home_env(tmp_path / "home"):
        registration = run_pipeline(spec)
        assert not registration.champion
        assert "demographic_parity_difference across gender groups is" in registration.gate.reason
        assert "above fairness.max_disparity 0.1: not promoted" in registration.gate.reason
        report = logged_fairness(registration.run_id)
        assert report is not None and report["worst"]["slice"] == "gender"
        groups = report["slices"]["gender"]["groups"]
        assert groups["Female"]["selection_rate"] > groups["Male"]["selection_rate"] + 0.3


@pytest.mark.slow
def test_monitoring_measures_live_fairness_and_an_alert_rule_fires_on_it(tmp_path: Path) -> None:
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from mlaas.auth import create_key
    from mlaas.data.churn import generate_churn
    from mlaas.db import utcnow
    from mlaas.monitoring.alerts import create_rule, evaluate_rules
    from mlaas.monitoring.context import Window
    from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
    from mlaas.monitoring.performance import performance
    from mlaas.monitoring.values import known_metric, performance_values
    from mlaas.pipeline import run_pipeline
    from services.prediction.app import app

    frame = generate_churn(3000, seed=6)
    rng = np.random.default_rng(6)
    female = (frame["gender"] == "Female").to_numpy()
    frame["churned"] = np.where(female, rng.random(len(frame)) < 0.7, rng.random(len(frame)) < 0.1)
    frame["churned"] = frame["churned"].astype(int)
    source = tmp_path / "biased.parquet"
    frame.to_parquet(source, index=False)
    spec = small_spec("churn", dataset={"source": str(source)}, fairness={"slices": ["gender"]})
    features = spec.feature_names
    with home_env(tmp_path / "home"):
        assert run_pipeline(spec).champion  # measured, not bounded: it is served
        key = create_key("fair", ["admin"])[0]
        sample = frame.sample(300, random_state=1)
        records = sample[features].to_dict("records")
        with TestClient(app) as client:
            answer = client.post(
                "/v1/models/churn/predict",
                json={"features": records},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert answer.status_code == 200, answer.text
        request = answer.json()["request_id"]
        labels = sample["churned"].tolist()
        submit_feedback(
            [FeedbackItem(request_id=f"{request}:{i}", label=y) for i, y in enumerate(labels)]
        )
        window = Window.ending(utcnow() + timedelta(seconds=1), minutes=60)
        report = performance("churn", window)
        assert report.fairness is not None and report.fairness["worst"]["slice"] == "gender"
        live = report.fairness["slices"]["gender"]["disparities"]
        assert live["demographic_parity_difference"] > 0.3  # it learnt the bias
        values = performance_values(report)
        assert values["fairness"] == pytest.approx(live["demographic_parity_difference"])
        assert known_metric(spec, "fairness:gender:equalized_odds_difference") is None
        assert "unknown fairness value" in str(known_metric(spec, "fairness:age:error_gap"))
        create_rule(spec, name="fair", metric="fairness", comparator=">", threshold=0.1,
                    window_minutes=60)  # fmt: skip
        events = evaluate_rules("churn", lambda minutes: values)
        assert [(e.state, e.value) for e in events] == [("firing", values["fairness"])]
