"""Binary classification done properly: a named positive class (whatever its sort order), a
decision threshold fixed or tuned on out-of-fold predictions, class weights for every family
that takes them; the served answer, the holdout metrics and the gate use the threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from mlaas.data.churn import generate_churn
from mlaas.promotion import as_decided
from mlaas.specs import ModelSpec
from mlaas.training.families import build_estimator
from mlaas.training.metrics import encode_target, predictions_for_metric, score
from mlaas.training.split import features_and_target
from mlaas.training.threshold import choose_threshold
from tests.factories import home_env, small_spec

PROJECT = Path(__file__).resolve().parents[3]


def test_the_f1_threshold_is_the_best_f1_cut() -> None:
    rng = np.random.default_rng(0)
    truth = (rng.random(2000) < 0.1).astype(int)
    scores = np.clip(rng.normal(0.25 + 0.3 * truth, 0.15), 0, 1)
    chosen = choose_threshold(truth, scores, "f1")
    best = max(np.unique(scores), key=lambda t: score("f1", truth, scores, threshold=t))
    assert score("f1", truth, scores, threshold=chosen) == pytest.approx(
        score("f1", truth, scores, threshold=best)
    )
    assert score("f1", truth, scores, threshold=chosen) > score("f1", truth, scores)  # vs 0.5


def test_the_recall_threshold_is_the_highest_that_keeps_the_floor() -> None:
    rng = np.random.default_rng(1)
    truth = (rng.random(3000) < 0.05).astype(int)
    scores = np.clip(rng.normal(0.2 + 0.25 * truth, 0.12), 0, 1)
    chosen = choose_threshold(truth, scores, "recall", min_recall=0.9)

    def recall(t: float) -> float:
        return float(((scores >= t) & (truth == 1)).sum() / truth.sum())

    assert recall(chosen) >= 0.9
    higher = np.unique(scores[scores > chosen])
    assert recall(higher[0]) < 0.9  # the next cut up loses the floor


def test_the_positive_class_may_sort_first() -> None:
    spec = small_spec("churn", decision={"positive_class": "churned"})
    frame = generate_churn(1500, seed=3)
    frame["churned"] = np.where(frame["churned"] == 1, "churned", "stayed")
    X, y = features_and_target(spec, frame)
    model = build_estimator(spec, "logistic_regression", {"C": 1.0}, seed=0).fit(X, y)
    assert list(model.classes_) == ["churned", "stayed"]  # the positive class is column 0
    scores = predictions_for_metric(spec, model, X)
    truth = encode_target(spec, model, y)
    np.testing.assert_array_equal(truth, (y == "churned").astype(int))
    np.testing.assert_allclose(scores, model.predict_proba(X)[:, 0])
    from sklearn.metrics import roc_auc_score

    assert score("roc_auc", truth, scores) == pytest.approx(
        roc_auc_score(y == "churned", model.predict_proba(X)[:, 0])
    )


def test_class_weight_is_a_classification_hyper_parameter_of_every_family() -> None:
    balanced = {"type": "categorical", "choices": [None, "balanced"]}
    spec = small_spec(
        "churn",
        training__families={
            family: {"class_weight": balanced}
            for family in ("logistic_regression", "random_forest", "extra_trees", "lightgbm")
        },
    )
    X, y = features_and_target(spec, generate_churn(300, seed=1))
    for family in spec.training.families:
        model = build_estimator(spec, family, {"class_weight": "balanced"}, seed=0).fit(X, y)
        assert model.steps[-1][1].get_params()["class_weight"] == "balanced", family
    with pytest.raises(ValidationError, match="class_weight weighs classes"):
        small_spec("house_prices", training__families={"lightgbm": {"class_weight": balanced}})
    with pytest.raises(ValidationError, match="decision .* classification only"):
        small_spec("house_prices", decision={"threshold": 0.3})


def test_the_gate_compares_hard_answers_at_each_models_threshold() -> None:
    scores = np.array([0.1, 0.35, 0.6, 0.9])
    assert as_decided("f1", scores, 0.3).tolist() == [0.0, 1.0, 1.0, 1.0]
    assert as_decided("roc_auc", scores, 0.3) is scores  # rankings need no cut
    assert as_decided("f1", scores, None) is scores  # a version from before thresholds


def text_labelled_home(folder: Path) -> tuple[Path, dict[str, str]]:
    """Churn with text labels where the positive class sorts first, and a suite for them."""
    frame = generate_churn(3000, seed=11)
    frame["churned"] = np.where(frame["churned"] == 1, "churned", "stayed")
    data = folder / "churn_text.parquet"
    frame.to_parquet(data, index=False)
    suite = json.loads((PROJECT / "expectations" / "churn.json").read_text())
    for expectation in suite["expectations"]:
        if expectation["kwargs"].get("column") == "churned":
            if expectation["type"] == "expect_column_values_to_be_in_set":
                expectation["kwargs"]["value_set"] = ["churned", "stayed"]
            if expectation["type"] == "expect_column_values_to_be_in_type_list":
                expectation["kwargs"]["type_list"] = ["str", "StringDtype"]
    (folder / "expectations").mkdir()
    (folder / "expectations" / "churn.json").write_text(json.dumps(suite))
    return data, {"MLAAS_EXPECTATIONS_DIR": str(folder / "expectations")}


def text_spec(data: Path, **decision: Any) -> ModelSpec:
    spec = small_spec("churn", dataset={"source": str(data)}, training__families={"lightgbm": {}})
    return spec.model_copy(
        update={
            "target_type": "category",
            "decision": spec.decision.model_copy(update=decision),
            "retrain": spec.retrain.model_copy(update={"inbox": None}),
        }
    )


@pytest.mark.slow
def test_a_tuned_threshold_is_trained_gated_and_served(tmp_path: Path) -> None:
    from mlaas.pipeline import run_pipeline
    from mlaas.registry import TAG, client, get_version
    from mlaas.serving.predictor import load_predictor
    from mlaas.spec_check import SpecDataMismatch

    data, env = text_labelled_home(tmp_path)
    with home_env(tmp_path / "home", **env):
        with pytest.raises(SpecDataMismatch, match="decision.positive_class: required"):
            run_pipeline(text_spec(data))  # text labels: which one is positive?
        with pytest.raises(SpecDataMismatch, match="'left' is not a label"):
            run_pipeline(text_spec(data, positive_class="left"))

        spec = text_spec(data, positive_class="churned", tune_threshold="recall", min_recall=0.9)
        registration = run_pipeline(spec)
        version = get_version("churn", registration.version)
        threshold = float(version.tags[f"{TAG}decision_threshold"])
        assert 0.0 < threshold < 0.5  # finding 90% of the churners needs a lower cut
        run = client().get_run(registration.run_id)
        assert run.data.tags[f"{TAG}decision_threshold_how"] == (
            "tuned for recall >= 0.9 on out-of-fold predictions"
        )

        predictor = load_predictor("churn")
        assert (
            predictor.threshold == threshold and predictor.labels[predictor.positive] == "churned"
        )
        frame = pd.read_parquet(data)
        records = frame[spec.feature_names].head(400).to_dict("records")
        answer = predictor.predict_records(records)
        assert answer.probabilities is not None
        p_churned = np.array([p["churned"] for p in answer.probabilities])
        expected = np.where(p_churned >= threshold, "churned", "stayed")
        assert answer.outputs == expected.tolist()  # the served answer uses the threshold
        assert ((p_churned >= threshold) & (p_churned < 0.5)).any()  # and it matters here
        assert predictor.signature()["outputs"]["positive_class"] == "churned"
        assert predictor.explained_classes(answer.outputs[:1]) == ["churned"]
        # The holdout's recall is that of the threshold, ranking metrics of P(churned).
        auc = registration.gate.challenger_metric  # the primary metric: roc_auc
        assert auc is not None and auc > 0.7  # of P(churned): a flipped class would be < 0.5
