"""Reference profiles: exact statistics on a known frame, JSON-safe, stored with a sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlaas.profiles import (
    OTHER,
    build_profile,
    categorical_summary,
    load_profile,
    load_sample,
    numeric_summary,
    save_profile,
)
from mlaas.storage import get_store
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, house_frame


def test_numeric_summary_on_known_values() -> None:
    values = pd.Series([*range(1, 101), None], dtype="float64")  # 1..100 and one null
    summary = numeric_summary(values)
    assert summary["count"] == 100
    assert summary["null_share"] == pytest.approx(1 / 101)
    assert summary["mean"] == pytest.approx(50.5)
    assert summary["std"] == pytest.approx(np.std(np.arange(1, 101), ddof=1))
    assert (summary["min"], summary["max"]) == (1.0, 100.0)
    assert summary["quantiles"]["0.5"] == pytest.approx(50.5)
    assert summary["quantiles"]["0.01"] == pytest.approx(1.99)
    edges, counts = summary["histogram"]["edges"], summary["histogram"]["counts"]
    assert len(edges) == 11 and edges[0] == 1.0 and edges[-1] == 100.0
    assert counts == [10] * 10


def test_numeric_summary_handles_bools_and_constants() -> None:
    flags = numeric_summary(pd.Series([True, False, True, True]))
    assert flags["mean"] == pytest.approx(0.75)
    assert sum(flags["histogram"]["counts"]) == 4
    constant = numeric_summary(pd.Series([5.0, 5.0, 5.0]))
    assert constant["histogram"] == {"edges": [5.0, 5.0], "counts": [3]}
    empty = numeric_summary(pd.Series([None, None], dtype="float64"))
    assert empty["count"] == 0 and empty["null_share"] == 1.0 and empty["mean"] is None


def test_categorical_summary_pools_rare_values() -> None:
    values = pd.Series([f"v{i:02d}" for i in range(60) for _ in range(60 - i)] + [None])
    summary = categorical_summary(values)
    assert summary["n_unique"] == 60
    assert len(summary["counts"]) == 51
    assert summary["counts"]["v00"] == 60
    assert summary["counts"][OTHER] == sum(60 - i for i in range(50, 60))
    assert sum(summary["frequencies"].values()) == pytest.approx(1.0)
    assert summary["null_share"] == pytest.approx(1 / len(values))


def test_build_profile_covers_features_and_target() -> None:
    spec = small_spec("churn")
    frame = churn_frame(200)
    profile = build_profile(spec, frame)
    assert profile["rows"] == 200 and profile["spec_hash"] == spec.spec_hash
    assert set(profile["numeric"]) == set(spec.numeric_features)
    assert set(profile["categorical"]) == {"country", "gender"}
    assert profile["numeric"]["age"]["mean"] == pytest.approx(frame["age"].mean())
    gender = profile["categorical"]["gender"]["counts"]
    assert gender == frame["gender"].value_counts().to_dict()
    target = profile["target"]
    assert target["type"] == "categorical"
    assert target["counts"]["1"] == int(frame["churned"].sum())
    json.dumps(profile, allow_nan=False)

    house = build_profile(small_spec("house_prices"), house_frame(100))
    assert house["target"]["type"] == "numeric"
    assert house["target"]["mean"] == pytest.approx(house_frame(100)["price"].mean())


def test_save_profile_stores_json_and_seeded_sample(mlaas_home: Path) -> None:
    spec = small_spec("churn")
    frame = churn_frame(6_000)
    profile = build_profile(spec, frame)
    key = save_profile(spec, "abc123", profile, frame=frame)
    assert key == f"profiles/churn/abc123-{spec.spec_hash[:12]}.json"
    assert get_store().exists(f"profiles/churn/abc123-{spec.spec_hash[:12]}-sample.parquet")
    other = small_spec("churn", training__seed=1)  # another spec, same data: its own profile
    assert save_profile(other, "abc123", profile) != key
    loaded = load_profile(key)
    assert loaded["numeric"] == json.loads(json.dumps(profile))["numeric"]
    sample = load_sample(loaded)
    assert len(sample) == 5_000
    assert list(sample.columns) == [*spec.feature_names, "churned"]
    again = save_profile(spec, "abc124", profile, frame=frame)
    pd.testing.assert_frame_equal(load_sample(load_profile(again)), sample)
