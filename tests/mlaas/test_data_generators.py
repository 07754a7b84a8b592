"""The shipped datasets: the seeded churn generator (with drift knobs) and real house prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlaas.data.churn import ChurnDrift, generate_churn
from mlaas.data.generate import ensure_dataset, generate_dataset, resolve_source
from mlaas.data.housing import load_house_prices
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec, load_spec
from tests.factories import reset_platform_caches

PANDAS_KIND = {"int": "i", "float": "f", "bool": "b", "category": "O"}
CHURN_FEATURES = load_spec("churn").feature_names


def spec_columns(spec: ModelSpec) -> list[str]:
    return [spec.entity_key, spec.event_timestamp, spec.target, *spec.feature_names]


def assert_matches_spec(frame: pd.DataFrame, spec: ModelSpec) -> None:
    assert sorted(frame.columns) == sorted(spec_columns(spec))
    assert frame[spec.entity_key].is_unique
    assert frame[spec.entity_key].dtype.kind == "i"
    assert str(frame[spec.event_timestamp].dt.tz) == "UTC"
    for feature in spec.features:
        assert frame[feature.name].dtype.kind == PANDAS_KIND[feature.type], feature.name
    assert not frame.isna().any().any()


def test_generate_churn_is_deterministic_for_a_seed() -> None:
    first = generate_churn(500, seed=11)
    pd.testing.assert_frame_equal(first, generate_churn(500, seed=11))
    assert not first.equals(generate_churn(500, seed=12))


def test_generate_churn_matches_the_spec() -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    frame = generate_churn(2000, seed=3, start=start, days=30)
    assert_matches_spec(frame, load_spec("churn"))
    assert frame["event_timestamp"].min() >= start
    assert frame["event_timestamp"].max() < start + timedelta(days=30)
    assert set(frame["country"]) == {"France", "Germany", "Spain"}
    assert set(frame["gender"]) == {"Female", "Male"}
    assert set(frame["churned"]) == {0, 1}
    assert frame["age"].between(18, 100).all()
    assert frame["credit_score"].between(300, 900).all()
    assert (frame["balance"] >= 0).all()


def test_churn_depends_on_features_realistically() -> None:
    frame = generate_churn(20_000, seed=7)
    assert 0.15 < frame["churned"].mean() < 0.27
    rate = frame.groupby("is_active_member")["churned"].mean()
    assert rate[False] > rate[True] + 0.05
    by_country = frame.groupby("country")["churned"].mean()
    assert by_country["Germany"] > by_country["France"] + 0.05
    many_products = frame["num_products"] >= 3
    assert frame.loc[many_products, "churned"].mean() > 0.5
    assert frame.loc[frame["support_calls"] >= 3, "churned"].mean() > frame["churned"].mean()


def test_churn_is_learnable_and_nonlinear() -> None:
    import lightgbm as lgb
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    frame = generate_churn(6000, seed=5)
    x = pd.get_dummies(frame[CHURN_FEATURES], columns=["country", "gender"]).astype(float)
    y = frame["churned"]
    train, test = slice(0, 4500), slice(4500, None)
    scaler = StandardScaler().fit(x[train])
    linear = LogisticRegression(max_iter=1000).fit(scaler.transform(x[train]), y[train])
    linear_auc = roc_auc_score(y[test], linear.predict_proba(scaler.transform(x[test]))[:, 1])
    trees = lgb.LGBMClassifier(n_estimators=150, learning_rate=0.05, num_leaves=15, verbose=-1)
    trees.fit(x[train], y[train])
    trees_auc = roc_auc_score(y[test], np.asarray(trees.predict_proba(x[test]))[:, 1])
    assert 0.8 < trees_auc < 0.92
    assert 0.7 < linear_auc < trees_auc - 0.02


def changed_columns(base: pd.DataFrame, other: pd.DataFrame) -> set[str]:
    return {column for column in base.columns if not base[column].equals(other[column])}


def test_numeric_shift_moves_only_that_feature() -> None:
    base = generate_churn(3000, seed=7)
    drifted = generate_churn(3000, seed=7, drift=ChurnDrift(numeric_shift={"age": 1.0}))
    assert changed_columns(base, drifted) <= {"age", "churned"}
    shift = drifted["age"].mean() - base["age"].mean()
    assert 0.8 * base["age"].std() < shift < 1.1 * base["age"].std()
    assert drifted["age"].max() <= 100


def test_category_weights_change_only_that_mix() -> None:
    base = generate_churn(3000, seed=7)
    drift = ChurnDrift(category_weights={"country": {"Germany": 3.0}})
    drifted = generate_churn(3000, seed=7, drift=drift)
    assert changed_columns(base, drifted) <= {"country", "churned"}
    assert (base["country"] == "Germany").mean() < 0.3
    assert (drifted["country"] == "Germany").mean() > 0.6  # 3 / (0.5 + 3 + 0.25)


def test_concept_shift_changes_only_the_target_relation() -> None:
    base = generate_churn(5000, seed=7)
    drifted = generate_churn(5000, seed=7, drift=ChurnDrift(concept_shift=1.0))
    assert changed_columns(base, drifted) == {"churned"}
    base_corr = base["estimated_salary"].corr(base["churned"])
    drifted_corr = drifted["estimated_salary"].corr(drifted["churned"])
    assert abs(base_corr) < 0.05 < drifted_corr
    assert drifted["age"].corr(drifted["churned"]) < base["age"].corr(base["churned"]) - 0.1


def test_missing_rate_puts_nulls_in_numeric_features_only() -> None:
    frame = generate_churn(4000, seed=7, drift=ChurnDrift(missing_rate=0.1))
    spec = load_spec("churn")
    numeric = [f.name for f in spec.features if f.type in ("int", "float")]
    for column in numeric:
        assert 0.07 < frame[column].isna().mean() < 0.13, column
    others = [c for c in frame.columns if c not in numeric]
    assert not frame[others].isna().any().any()
    assert str(frame["age"].dtype) == "Int64"  # ints stay ints, with <NA>


@pytest.mark.parametrize(
    ("drift", "message"),
    [
        ({"numeric_shift": {"height": 1.0}}, "unknown numeric feature"),
        ({"category_weights": {"city": {"Paris": 1.0}}}, "unknown categorical feature"),
        ({"category_weights": {"country": {"Italy": 1.0}}}, "bad categories"),
        ({"concept_shift": 1.5}, "concept_shift"),
        ({"missing_rate": 1.0}, "missing_rate"),
    ],
)
def test_churn_drift_rejects_bad_knobs(drift: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ChurnDrift(**drift)  # type: ignore[arg-type]


def test_load_house_prices_is_the_real_data() -> None:
    frame = load_house_prices()
    assert_matches_spec(frame, load_spec("house_prices"))
    assert len(frame) == 546
    assert frame["house_id"].tolist() == list(range(1, 547))
    first = frame.iloc[0]
    assert (first["price"], first["lotsize"], first["bedrooms"]) == (42000.0, 5850, 3)
    assert bool(first["driveway"]) and not bool(first["aircon"])
    dates = frame["sale_date"]
    assert dates.is_monotonic_increasing
    assert dates.min() == pd.Timestamp("1987-01-01", tz="UTC")
    assert dates.max() < pd.Timestamp("1988-01-01", tz="UTC")
    pd.testing.assert_frame_equal(frame, load_house_prices())


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_generate_dataset_writes_the_spec_dataset(
    mlaas_home: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / "nested" / f"churn{suffix}"
    path = generate_dataset(load_spec("churn"), rows=300, seed=9, out=out)
    assert path == out
    frame = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert len(frame) == 300
    assert frame["customer_id"].tolist() == generate_churn(300, seed=9)["customer_id"].tolist()


def test_generate_dataset_refuses_drift_for_real_data(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="churn generator only"):
        generate_dataset(load_spec("house_prices"), drift=ChurnDrift(), out=tmp_path / "h.parquet")


def test_resolve_source_anchors_relative_paths_in_the_project(mlaas_home: Path) -> None:
    spec = load_spec("churn")
    project = get_settings().project_dir
    assert resolve_source(spec) == str(project / "data/generated/churn.parquet")
    assert resolve_source(spec, "/abs/file.csv") == "/abs/file.csv"
    assert resolve_source(spec, "s3://lake/in/churn.csv") == "s3://lake/in/churn.csv"


def test_ensure_dataset_generates_a_missing_source_once(
    mlaas_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = load_spec("house_prices")
    monkeypatch.setenv("MLAAS_PROJECT_DIR", str(tmp_path / "project"))
    reset_platform_caches()
    source = Path(ensure_dataset(spec))
    assert source == tmp_path / "project" / "data/generated/house_prices.parquet"
    assert len(pd.read_parquet(source)) == 546
    before = source.stat().st_mtime_ns
    assert ensure_dataset(spec) == str(source)
    assert source.stat().st_mtime_ns == before
    assert np.array_equal(pd.read_parquet(source)["house_id"], np.arange(1, 547))
