"""Missing values reach each family as it wants them (spec `training.missing`): LightGBM takes
NaN natively and learns where missing values go; every other family imputes by the spec's
strategy. The constructed case below is the one that motivated it: a record whose only known
feature names a category seen with one class alone must not get a confident answer for another
class because its missing measurements were replaced by the training medians."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlaas.serving.predictor import Predictor
from mlaas.specs import ModelSpec
from mlaas.training.families import MISSING_CATEGORY, build_estimator
from mlaas.training.split import features_and_target

MEASUREMENTS = ["m0", "m1", "m2"]


def sensor_spec(family: str = "lightgbm", **missing: Any) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": "sensors",
            "task": "classification",
            "dataset": {"source": "data/sensors.csv"},
            "entity_key": "reading_id",
            "event_timestamp": "read_at",
            "target": "kind",
            "target_type": "category",
            "features": [{"name": m, "type": "float"} for m in MEASUREMENTS]
            + [{"name": "site", "type": "category"}],
            "feature_view": "sensor_features",
            "validation_suite": "sensors",
            "training": {"primary_metric": "f1", "families": {family: {}}, "missing": missing},
        }
    )


def sensor_readings(seed: int, rows: int = 2000) -> pd.DataFrame:
    """Three kinds told apart by three measurements. Twelve readings come from the north
    station, which only ever saw kind c and whose sensors fail one at a time: each of its
    readings lacks one measurement (too few rows for a tree to split on the site itself)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["a", "b", "c"], rows, p=[0.6, 0.3, 0.1])
    centre = pd.Series({"a": 0.0, "b": -3.0, "c": 3.0})[kind].to_numpy()
    measured = np.stack([rng.normal(centre, 1.0) for _ in MEASUREMENTS], axis=1)
    site = rng.choice(["south", "east"], rows).astype(object)
    north = np.flatnonzero(kind == "c")[:12]
    site[north] = "north"
    for i, row in enumerate(north):
        measured[row, i % len(MEASUREMENTS)] = np.nan
    frame = pd.DataFrame(measured, columns=MEASUREMENTS)
    frame["site"], frame["kind"] = site, kind
    return frame


def fitted(spec: ModelSpec, frame: pd.DataFrame, family: str = "lightgbm") -> Predictor:
    X, y = features_and_target(spec, frame)
    pipeline = build_estimator(spec, family, {}, seed=1).fit(X, y)
    return Predictor(model=spec.name, version="1", spec=spec, pipeline=pipeline)


ALL_SENSORS_DOWN = {"m0": None, "m1": None, "m2": None, "site": "north"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lightgbm_takes_missing_values_natively_and_follows_the_known_feature(seed: int) -> None:
    readings = sensor_readings(seed)

    native = fitted(sensor_spec(), readings)
    answer = native.predict_records([ALL_SENSORS_DOWN])
    assert answer.outputs == ["c"]
    assert answer.probabilities is not None and answer.probabilities[0]["c"] > 0.9
    assert native.missing_values()["m0"] == {"strategy": "native"}

    # The same data, the same family, medians in place of the nulls (what every family got
    # before): the record becomes a typical "a" and is answered "a" with confidence.
    imputed = fitted(sensor_spec(native=False), readings)
    wrong = imputed.predict_records([ALL_SENSORS_DOWN])
    assert wrong.outputs == ["a"]
    assert wrong.probabilities is not None and wrong.probabilities[0]["a"] > 0.9
    assert imputed.missing_values()["m0"]["strategy"] == "median"


def test_the_answer_says_which_inputs_were_missing_and_what_replaced_them() -> None:
    readings = sensor_readings(0)
    for spec, family in [
        (sensor_spec(), "lightgbm"),
        (sensor_spec("logistic_regression", numeric="mean"), "logistic_regression"),
    ]:
        predictor = fitted(spec, readings, family)
        X, missing = predictor.encode([ALL_SENSORS_DOWN, {**ALL_SENSORS_DOWN, "m1": 2.5}])
        assert missing is not None
        first, second = missing.per_record()
        assert first is not None and second is not None
        assert first["missing"] == MEASUREMENTS and second["missing"] == ["m0", "m2"]
        if family == "lightgbm":  # nothing was replaced: the model took the nulls as they are
            assert first["imputed"] == {} and np.isnan(X[0, :3]).all()
        else:
            means = readings[MEASUREMENTS].mean()
            assert first["imputed"] == pytest.approx(means.to_dict())
            assert second["imputed"] == pytest.approx(means[["m0", "m2"]].to_dict())
        assert predictor.encode([{"m0": 1.0, "m1": 1.0, "m2": 1.0, "site": "east"}])[1] is None


def test_the_spec_chooses_how_every_other_family_imputes() -> None:
    from sklearn.impute import SimpleImputer

    def blocks(spec: ModelSpec, family: str) -> dict[str, list[Any]]:
        preprocess = build_estimator(spec, family, {}, seed=0).steps[0][1]
        return {name: [s for _, s in block.steps] for name, block, _ in preprocess.transformers}

    native = blocks(sensor_spec(), "lightgbm")
    assert [type(s).__name__ for s in native["numeric"]] == ["StandardScaler"]
    (fill, _) = native["categorical"]
    assert (fill.strategy, fill.fill_value) == ("constant", MISSING_CATEGORY)

    off = blocks(sensor_spec(native=False), "lightgbm")
    assert isinstance(off["numeric"][0], SimpleImputer) and off["numeric"][0].strategy == "median"
    assert off["categorical"][0].strategy == "most_frequent"

    linear = blocks(
        sensor_spec("logistic_regression", numeric="mean", categorical="category"),
        "logistic_regression",
    )
    assert linear["numeric"][0].strategy == "mean"  # `native` concerns LightGBM only
    assert linear["categorical"][0].strategy == "constant"


def test_missing_as_a_category_is_learnt_and_not_listed_as_a_category() -> None:
    readings = sensor_readings(0)
    readings.loc[readings.index[::10], "site"] = None
    predictor = fitted(
        sensor_spec("logistic_regression", categorical="category"), readings, "logistic_regression"
    )

    assert predictor.training_categories()["site"] == ["east", "north", "south"]
    assert predictor.missing_values()["site"] == {"strategy": "category"}
    signature = {i["name"]: i for i in predictor.signature()["inputs"]}
    assert signature["site"]["when_null"] == {"strategy": "category"}
    assert signature["m0"]["when_null"]["strategy"] == "median"
    # A null site sets the learnt "missing" column, which an unseen site does not.
    null_site, unseen_site = predictor.to_matrix(
        [{**ALL_SENSORS_DOWN, "site": None}, {**ALL_SENSORS_DOWN, "site": "west"}]
    )
    assert null_site[3:].sum() == 1.0 and unseen_site[3:].sum() == 0.0


@pytest.mark.parametrize("bad", [{"numeric": "mode"}, {"categorical": "median"}, {"native": 3}])
def test_an_unknown_strategy_is_refused_by_name(bad: dict[str, Any]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="missing"):
        sensor_spec(**bad)
