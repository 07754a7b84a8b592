"""Explanations add up to the raw model output; importance ranks the features that matter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlaas.data.churn import generate_churn
from mlaas.pipeline import run_pipeline
from mlaas.serving.explain import BASE, explained_output
from mlaas.serving.predictor import Predictor, load_predictor
from mlaas.training.split import features_frame
from tests.factories import small_spec
from tests.mlaas.serving.test_predictor import (
    CASES,
    CLASSIFIERS,
    fitted_predictor,
    records_of,
    spec_for,
)


def raw_output_of_pipeline(predictor: Predictor, frame: pd.DataFrame) -> np.ndarray:
    """What the explanation explains, straight from sklearn: log-odds / value / probability."""
    pipeline, X = predictor.pipeline, features_frame(predictor.spec, frame)
    model = pipeline.named_steps["model"]
    encoded = pipeline.named_steps["preprocess"].transform(X)
    if predictor.family == "lightgbm":
        return np.asarray(model.predict(encoded, raw_score=True))
    if predictor.family == "logistic_regression":
        return np.asarray(pipeline.decision_function(X))
    if predictor.task == "classification":
        return np.asarray(pipeline.predict_proba(X))[:, 1]
    return np.asarray(pipeline.predict(X))


@pytest.mark.parametrize(("name", "family"), CASES)
def test_contributions_add_up_to_the_raw_output(name: str, family: str) -> None:
    spec = spec_for(name)
    predictor, test = fitted_predictor(spec, family)
    records = records_of(spec, test)
    explanations = predictor.explain_records(records)

    assert all(list(e) == [*spec.feature_names, BASE] for e in explanations)
    totals = np.array([sum(e.values()) for e in explanations])
    np.testing.assert_allclose(totals, raw_output_of_pipeline(predictor, test), rtol=0, atol=1e-6)
    assert len({e[BASE] for e in explanations}) == 1  # one expected value / intercept


def test_linear_contributions_are_coefficient_times_scaled_value() -> None:
    spec = spec_for("churn")
    predictor, test = fitted_predictor(spec, "logistic_regression")
    sample = test.head(10)
    encoded = predictor.pipeline.named_steps["preprocess"].transform(features_frame(spec, sample))
    coef = predictor.pipeline[-1].coef_[0]
    owners = predictor.compiled.encoding.column_features()
    explanations = predictor.explain_records(records_of(spec, sample))
    for explanation, row in zip(explanations, encoded, strict=True):
        for feature in ("age", "has_credit_card", "country"):
            columns = [i for i, owner in enumerate(owners) if owner == feature]
            expected = float(coef[columns] @ row[columns])
            assert explanation[feature] == pytest.approx(expected, rel=1e-12, abs=1e-12)

    imputed = dict.fromkeys(spec.feature_names) | {"country": "Atlantis"}
    (explanation,) = predictor.explain_records([imputed])
    assert explanation["country"] == 0.0  # an unseen category encodes as all zeros
    assert explanation[BASE] == pytest.approx(float(predictor.pipeline[-1].intercept_[0]))


@pytest.mark.parametrize("family", CLASSIFIERS)
def test_multiclass_explains_the_predicted_class(family: str) -> None:
    spec = spec_for("churn")
    target = pd.Series(np.random.default_rng(4).choice(["gold", "silver", "bronze"], 400))
    predictor, test = fitted_predictor(spec, family, target=target)
    X = predictor.to_matrix(records_of(spec, test))
    totals = np.array([sum(e.values()) for e in predictor.explain_matrix(X)])
    margin = predictor.compiled.margin(X)
    predicted = np.asarray(predictor.compiled.scores(X)).argmax(axis=1)

    np.testing.assert_allclose(totals, explained_output(predictor.compiled, X), atol=1e-6)
    np.testing.assert_allclose(totals, margin[np.arange(len(X)), predicted], atol=1e-6)


@pytest.mark.parametrize("family", CLASSIFIERS)
def test_any_class_can_be_explained_and_sums_to_that_class_output(family: str) -> None:
    spec = spec_for("churn")
    target = pd.Series(np.random.default_rng(4).choice(["gold", "silver", "bronze"], 400))
    predictor, test = fitted_predictor(spec, family, target=target)
    X = predictor.to_matrix(records_of(spec, test))
    margin = predictor.compiled.margin(X)
    assert predictor.labels == ["bronze", "gold", "silver"]
    for index, label in enumerate(predictor.labels):
        totals = np.array([sum(e.values()) for e in predictor.explain_matrix(X, label)])
        np.testing.assert_allclose(totals, margin[:, index], atol=1e-6)
        assert predictor.explained_classes(["x", "y"], label) == [label, label]
    from mlaas.serving.predictor import UnknownClass

    with pytest.raises(UnknownClass, match=r"'platinum' is not a class .* \['bronze'"):
        predictor.explain_matrix(X, "platinum")

    binary, test = fitted_predictor(spec, family)
    X = binary.to_matrix(records_of(spec, test))
    positive = np.array([sum(e.values()) for e in binary.explain_matrix(X)])
    negative = np.array([sum(e.values()) for e in binary.explain_matrix(X, 0)])
    np.testing.assert_allclose(negative, -positive, atol=1e-9)  # class 0: minus class 1's
    assert binary.explained_classes([1, 0]) == [1, 1]
    assert binary.explained_classes([1, 0], "0") == [0, 0]  # a label given as text
    with pytest.raises(UnknownClass):
        binary.explain_matrix(X, True)  # a boolean is not the class 1


@pytest.mark.parametrize("family", CLASSIFIERS)
def test_importance_is_normalised_and_ranks_the_true_drivers(family: str) -> None:
    predictor, _ = fitted_predictor(spec_for("churn"), family)
    importance = predictor.importance()

    assert list(importance) == predictor.feature_names
    assert min(importance.values()) >= 0.0
    assert sum(importance.values()) == pytest.approx(1.0)
    # churn_frame: churn rises with support calls and inactivity; gender plays no part.
    ranked = sorted(importance, key=lambda f: -importance[f])
    assert {"support_calls", "is_active_member"} <= set(ranked[:4])
    assert importance["gender"] < importance["support_calls"]


def test_registered_churn_model_explains_in_log_odds(mlaas_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "churn.parquet"
    frame = generate_churn(1500, seed=5)
    frame.to_parquet(source, index=False)
    registration = run_pipeline(small_spec("churn"), source=str(source))
    predictor = load_predictor("churn", alias="champion")
    predictor.warm()
    records = records_of(predictor.spec, frame.head(20))

    assert predictor.version == registration.version
    prediction = predictor.predict_records(records)
    assert prediction.probabilities is not None
    p1 = np.array([p["1"] for p in prediction.probabilities])
    expected = predictor.pipeline.predict_proba(features_frame(predictor.spec, frame.head(20)))
    np.testing.assert_allclose(p1, expected[:, 1], rtol=0, atol=1e-9)
    totals = np.array([sum(e.values()) for e in predictor.explain_records(records)])
    np.testing.assert_allclose(totals, np.log(p1 / (1 - p1)), rtol=0, atol=1e-6)
    assert sum(predictor.importance().values()) == pytest.approx(1.0)
