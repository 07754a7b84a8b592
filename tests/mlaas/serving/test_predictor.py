"""The compiled predictor gives the sklearn pipeline's outputs (1e-9) for every family and task."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlaas.families import FAMILIES as REGISTRY
from mlaas.pipeline import run_pipeline
from mlaas.registry import RegistryError
from mlaas.serving.predictor import (
    Predictor,
    UnsupportedPipelineError,
    compile_pipeline,
    load_predictor,
)
from mlaas.serving.schema import InputError
from mlaas.specs import ModelSpec
from mlaas.training.families import build_estimator
from mlaas.training.split import features_and_target, features_frame
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, house_frame

# Every registered family, on the shipped dataset of each task it supports: adding a family to
# mlaas.families puts it through every test here, in test_explain.py and test_train.py.
DATASETS = {"classification": "churn", "regression": "house_prices"}
FAMILIES = {
    name: {family: {} for family, kind in REGISTRY.items() if task in kind.tasks}
    for task, name in DATASETS.items()
}
CLASSIFIERS = sorted(FAMILIES["churn"])
# Small, quick hyper-parameters per family (a new family needs its entry: a test checks).
PARAMS: dict[str, dict[str, Any]] = {
    "logistic_regression": {"C": 0.5},
    "ridge": {"alpha": 1.0},
    "random_forest": {"n_estimators": 12, "max_depth": 6},
    "extra_trees": {"n_estimators": 12, "min_samples_leaf": 3},
    "lightgbm": {"n_estimators": 40, "num_leaves": 8, "min_child_samples": 5},
}
CASES = [(name, family) for name, families in FAMILIES.items() for family in families]


def spec_for(name: str) -> ModelSpec:
    return small_spec(name, training__families=FAMILIES[name])


def messy_frame(spec: ModelSpec, n: int, *, seed: int, unseen: bool = False) -> pd.DataFrame:
    """A training-shaped frame with ~10% nulls in every feature (and unseen categories)."""
    frame = churn_frame(n, seed=seed) if spec.name == "churn" else house_frame(n, seed=seed)
    rng = np.random.default_rng(seed + 100)
    kinds = {f.name: f.type for f in spec.features}
    for name, kind in kinds.items():
        holes = rng.random(n) < 0.1
        if kind in ("int", "float"):
            frame[name] = frame[name].astype(float).mask(holes)
        else:
            frame[name] = frame[name].astype(object).mask(holes, None)
            if unseen and kind == "category":
                frame.loc[rng.random(n) < 0.1, name] = "Atlantis"
    return frame


def records_of(spec: ModelSpec, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's features as a JSON client would send them (null for missing)."""

    def plain(value: Any) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return value.item() if isinstance(value, np.generic) else value

    names = spec.feature_names
    return [
        {name: plain(v) for name, v in zip(names, row, strict=True)}
        for row in frame[names].itertuples(index=False)
    ]


def fitted_predictor(
    spec: ModelSpec, family: str, *, target: pd.Series | None = None
) -> tuple[Predictor, pd.DataFrame]:
    """A predictor over a freshly fitted pipeline, and unseen messy test rows."""
    train = messy_frame(spec, 400, seed=1)
    if target is not None:
        train[spec.target] = target
    X, y = features_and_target(spec, train)
    pipeline = build_estimator(spec, family, PARAMS[family], seed=3).fit(X, y)
    predictor = Predictor(model=spec.name, version="7", spec=spec, pipeline=pipeline)
    return predictor, messy_frame(spec, 120, seed=2, unseen=True)


def expected_outputs(predictor: Predictor, frame: pd.DataFrame) -> np.ndarray:
    X = features_frame(predictor.spec, frame)
    if predictor.task == "classification":
        return np.asarray(predictor.pipeline.predict_proba(X))
    return np.asarray(predictor.pipeline.predict(X))


def as_array(predictor: Predictor, records: list[dict[str, Any]]) -> np.ndarray:
    prediction = predictor.predict_records(records)
    if prediction.probabilities is None:
        return np.asarray(prediction.outputs, dtype=float)
    return np.array([[p[c] for c in predictor.classes] for p in prediction.probabilities])


@pytest.mark.parametrize(("name", "family"), CASES)
def test_compiled_predictor_equals_sklearn_pipeline(name: str, family: str) -> None:
    spec = spec_for(name)
    predictor, test = fitted_predictor(spec, family)
    records = records_of(spec, test)
    expected = expected_outputs(predictor, test)
    assert sum(r[f] is None for r in records for f in spec.feature_names) > 50

    np.testing.assert_allclose(as_array(predictor, records), expected, rtol=0, atol=1e-9)
    one_by_one = np.concatenate([as_array(predictor, [r]) for r in records])
    np.testing.assert_allclose(one_by_one.reshape(expected.shape), expected, rtol=0, atol=1e-9)
    if family == "lightgbm":  # single rows went through LightGBM's fast single-row C API
        assert predictor.compiled.cache["lightgbm_row"] is not None


def test_every_registered_family_has_test_parameters() -> None:
    assert set(PARAMS) == set(REGISTRY)


@pytest.mark.parametrize("family", CLASSIFIERS)
def test_compiled_predictor_handles_multiclass_string_labels(family: str) -> None:
    spec = spec_for("churn")
    target = pd.Series(np.random.default_rng(4).choice(["gold", "silver", "bronze"], 400))
    predictor, test = fitted_predictor(spec, family, target=target)
    records = records_of(spec, test)
    expected = expected_outputs(predictor, test)

    assert predictor.classes == ["bronze", "gold", "silver"]
    np.testing.assert_allclose(as_array(predictor, records), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(as_array(predictor, records[:1]), expected[:1], rtol=0, atol=1e-9)
    labels = predictor.predict_records(records).outputs
    assert labels == list(predictor.pipeline.predict(features_frame(spec, test)))


@pytest.mark.parametrize(
    ("labels", "classes"),
    [
        (np.array([0, 1], dtype=object), ["0", "1"]),
        (
            np.array(["bronze", 'say "gold"', "silver ✓"], dtype=object),
            ["bronze", 'say "gold"', "silver ✓"],
        ),
    ],
)
def test_cells_from_score_columns_are_the_bytes_of_the_dict_cells(
    labels: np.ndarray, classes: list[str]
) -> None:
    from mlaas.db import json_bytes
    from mlaas.serving.predictor import Prediction

    scores = np.random.default_rng(3).dirichlet(np.ones(len(classes)), size=257)
    scores[0] = [1.0] + [0.0] * (len(classes) - 1)  # exact 0/1 and tiny values print too
    scores[1, :2] = [1e-300, 1 - 1e-300]
    labels_json = np.array([json_bytes(v) for v in labels.tolist()] + [None])[:-1]
    fast = Prediction.from_class_scores(scores, labels, classes, labels_json)
    winners = labels[scores.argmax(axis=1)].tolist()
    dicts = [dict(zip(classes, row, strict=True)) for row in scores.tolist()]
    plain = Prediction(outputs=winners, probabilities=dicts)

    assert fast.has_probabilities and fast.cells_json == plain.cells_json
    assert "probabilities" not in vars(fast)  # the answer never built a dict per record
    assert fast.outputs == winners and fast.probabilities == dicts
    assert json.loads(fast.cells_json) == [
        {"output": o, "probabilities": p} for o, p in zip(winners, dicts, strict=True)
    ]


def test_predict_records_returns_labels_in_their_training_type() -> None:
    predictor, test = fitted_predictor(spec_for("churn"), "lightgbm")
    prediction = predictor.predict_records(records_of(predictor.spec, test.head(5)))

    assert predictor.classes == ["0", "1"]
    assert all(type(label) is int and label in (0, 1) for label in prediction.outputs)
    assert prediction.probabilities is not None
    for label, probabilities in zip(prediction.outputs, prediction.probabilities, strict=True):
        assert set(probabilities) == {"0", "1"}
        assert math.isclose(sum(probabilities.values()), 1.0)
        assert max(probabilities, key=lambda c: probabilities[c]) == str(label)


def test_predict_records_rejects_bad_input_with_every_problem() -> None:
    predictor, test = fitted_predictor(spec_for("house_prices"), "ridge")
    good, bad = records_of(predictor.spec, test.head(2))
    bad.update(lotsize="big", bedrooms=float("nan"), colour="red")
    del bad["garage"]

    with pytest.raises(InputError) as raised:
        predictor.predict_records([good, bad])
    assert sorted(p.field for p in raised.value.problems) == [
        "records[1].bedrooms",
        "records[1].colour",
        "records[1].garage",
        "records[1].lotsize",
    ]


def test_warm_and_signature_describe_the_model() -> None:
    predictor, _ = fitted_predictor(spec_for("churn"), "logistic_regression")
    predictor.warm()
    signature = predictor.signature()

    assert [i["name"] for i in signature["inputs"]] == predictor.feature_names
    assert {i["type"] for i in signature["inputs"]} == {"int", "float", "bool", "category"}
    assert signature["outputs"] == {
        "task": "classification",
        "target": "churned",
        "classes": ["0", "1"],
        "positive_class": "1",
        "decision_threshold": 0.5,
    }
    assert predictor.family == "logistic_regression" and predictor.version == "7"


def test_compile_pipeline_refuses_unknown_shapes() -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler
    from sklearn.tree import DecisionTreeClassifier

    spec = spec_for("churn")
    predictor, _ = fitted_predictor(spec, "logistic_regression")
    preprocess = predictor.pipeline.steps[0][1]
    X, y = features_and_target(spec, churn_frame(100))

    tree = Pipeline([("preprocess", preprocess), ("model", DecisionTreeClassifier())]).fit(X, y)
    with pytest.raises(UnsupportedPipelineError, match="DecisionTreeClassifier"):
        compile_pipeline(spec, tree)
    numeric = preprocess.transformers[0][1]
    numeric.steps[1] = ("scale", MinMaxScaler())
    with pytest.raises(UnsupportedPipelineError, match="MinMaxScaler"):
        compile_pipeline(spec, predictor.pipeline.fit(X, y))
    with pytest.raises(UnsupportedPipelineError, match="does not fit task"):
        compile_pipeline(spec_for("house_prices"), fitted_predictor(spec, "lightgbm")[0].pipeline)


def test_load_predictor_serves_a_registered_version(mlaas_home: Path) -> None:
    spec = small_spec("house_prices")
    registration = run_pipeline(spec)
    predictor = load_predictor("house_prices")  # champion by default
    by_version = load_predictor("house_prices", version=registration.version)
    frame = messy_frame(spec, 50, seed=9)

    assert (predictor.model, predictor.version) == ("house_prices", registration.version)
    assert predictor.spec.spec_hash == spec.spec_hash
    np.testing.assert_allclose(
        as_array(predictor, records_of(spec, frame)),
        expected_outputs(by_version, frame),
        rtol=0,
        atol=1e-9,
    )
    with pytest.raises(RegistryError, match="no version with alias 'nope'"):
        load_predictor("house_prices", alias="nope")
    with pytest.raises(RegistryError):
        load_predictor("house_prices", version="99")
    with pytest.raises(ValueError, match="not both"):
        load_predictor("house_prices", alias="champion", version="1")


def test_the_spec_reference_lists_every_registered_family_as_registered() -> None:
    """docs/specs.md's family table: one row per family, its tasks and hyper-parameters."""
    docs = (Path(__file__).resolve().parents[3] / "docs" / "specs.md").read_text()
    rows = {}
    for line in docs.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[0].strip("`") in REGISTRY:
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    assert set(rows) == set(REGISTRY)
    for name, family in REGISTRY.items():
        tasks, params = rows[name]
        assert tasks == ", ".join(family.tasks), name
        assert {p.strip().strip("`") for p in params.split(",")} == family.params, name
