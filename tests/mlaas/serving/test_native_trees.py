"""LightGBM trees compiled to machine code (lleaves) score exactly like the booster, are cached
per model on disk, and never stand in the way when they cannot be built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlaas.serving import native_trees
from tests.mlaas.serving.test_predictor import (
    expected_outputs,
    fitted_predictor,
    records_of,
    spec_for,
)


@pytest.mark.parametrize(
    ("name", "labels"),
    [("churn", None), ("churn", ["gold", "silver", "bronze"]), ("house_prices", None)],
)
def test_compiled_trees_equal_the_booster(
    tmp_path: Path, name: str, labels: list[str] | None
) -> None:
    target = None
    if labels is not None:  # multiclass: one tree per class and iteration, softmax on top
        target = pd.Series(np.random.default_rng(4).choice(labels, 400))
    predictor, test = fitted_predictor(spec_for(name), "lightgbm", target=target)
    compiled = predictor.compiled
    assert compiled is not None
    records = records_of(predictor.spec, test)
    X = predictor.to_matrix(records)

    assert compiled.compile_native(tmp_path / "trees")
    booster = compiled.estimator.booster_
    native = compiled.cache["native"].predict(X)
    # same trees and comparisons; only the order of the float sum may differ (1 ulp)
    np.testing.assert_allclose(native, booster.predict(X), rtol=1e-12, atol=1e-12)
    # the whole predictor, now scoring batches natively, still equals the sklearn pipeline
    scores = compiled.scores(X)
    expected = expected_outputs(predictor, test)
    np.testing.assert_allclose(scores.reshape(expected.shape), expected, rtol=0, atol=1e-9)


def test_compiled_trees_are_cached_per_model_and_cpu(tmp_path: Path) -> None:
    predictor, test = fitted_predictor(spec_for("churn"), "lightgbm")
    assert predictor.compiled is not None
    booster = predictor.compiled.estimator.booster_
    cache = tmp_path / "trees"
    first = native_trees.compile_booster(booster, cache)
    objects = sorted(cache.glob("*.o"))
    assert first is not None and len(objects) == 1

    stored = objects[0].stat()
    again = native_trees.compile_booster(booster, cache)  # another process, same model
    assert again is not None
    assert sorted(cache.glob("*.o")) == objects
    after = objects[0].stat()  # loaded, not compiled: a compile publishes a new file
    assert (after.st_ino, after.st_mtime_ns) == (stored.st_ino, stored.st_mtime_ns)
    X = predictor.to_matrix(records_of(predictor.spec, test))
    np.testing.assert_array_equal(again.predict(X), first.predict(X))

    other, _ = fitted_predictor(spec_for("house_prices"), "lightgbm")
    assert other.compiled is not None
    native_trees.compile_booster(other.compiled.estimator.booster_, cache)
    assert len(list(cache.glob("*.o"))) == 2  # a different model has its own object code


def test_a_failed_compilation_leaves_the_booster_scoring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    predictor, test = fitted_predictor(spec_for("churn"), "lightgbm")
    assert predictor.compiled is not None
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")

    assert not predictor.compiled.compile_native(blocked / "trees")
    assert predictor.compiled.cache["native"] is None
    records = records_of(predictor.spec, test)
    expected = expected_outputs(predictor, test)
    prediction = predictor.predict_records(records)
    assert prediction.probabilities is not None
    scores = np.array([[p[c] for c in predictor.classes] for p in prediction.probabilities])
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-9)


def test_warm_compiles_only_when_given_a_cache(tmp_path: Path) -> None:
    predictor, _ = fitted_predictor(spec_for("churn"), "lightgbm")
    assert predictor.compiled is not None
    predictor.warm()
    assert "native" not in predictor.compiled.cache
    predictor.warm(native_cache=tmp_path / "trees")
    assert predictor.compiled.cache["native"] is not None
    linear, _ = fitted_predictor(spec_for("churn"), "logistic_regression")
    linear.warm(native_cache=tmp_path / "trees")  # nothing to compile for a linear model
    assert linear.compiled is not None and "native" not in linear.compiled.cache
