"""Holdout split and the (X, y) view: deterministic, disjoint, time-ordered where asked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlaas.training.split import features_and_target, features_frame, split_holdout
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, house_frame


def test_split_holdout_time_takes_latest_rows() -> None:
    spec = small_spec("churn")  # holdout: time, 0.2
    frame = churn_frame(500)
    train, holdout = split_holdout(spec, frame.sample(frac=1.0, random_state=3))
    assert (len(train), len(holdout)) == (400, 100)
    assert train["event_timestamp"].max() <= holdout["event_timestamp"].min()
    latest = frame.sort_values(["event_timestamp", "customer_id"]).tail(100)
    assert holdout["customer_id"].tolist() == latest["customer_id"].tolist()


def test_split_holdout_is_disjoint_and_complete() -> None:
    for spec, frame, key in [
        (small_spec("churn"), churn_frame(301), "customer_id"),
        (small_spec("house_prices"), house_frame(301), "house_id"),
    ]:
        train, holdout = split_holdout(spec, frame)
        assert not set(train[key]) & set(holdout[key])
        assert set(train[key]) | set(holdout[key]) == set(frame[key])
        assert len(holdout) == round(301 * spec.training.holdout.fraction)


def test_split_holdout_random_is_seeded_and_order_independent() -> None:
    spec = small_spec("house_prices")  # holdout: random, 0.2
    frame = house_frame(400)
    _, first = split_holdout(spec, frame)
    _, shuffled = split_holdout(spec, frame.sample(frac=1.0, random_state=9))
    pd.testing.assert_frame_equal(first, shuffled)
    _, other_seed = split_holdout(small_spec("house_prices", training__seed=7), frame)
    assert set(first["house_id"]) != set(other_seed["house_id"])
    # A random holdout is spread over the whole year, not the latest rows.
    assert first["sale_date"].min() < frame["sale_date"].quantile(0.5)


def test_split_holdout_rejects_frames_without_keys() -> None:
    with pytest.raises(ValueError, match="event_timestamp"):
        split_holdout(small_spec("churn"), churn_frame(50).drop(columns="event_timestamp"))


def test_features_and_target_orders_and_normalises_columns() -> None:
    spec = small_spec("churn")
    frame = churn_frame(50)
    frame["country"] = frame["country"].astype("category")
    frame.loc[0, "country"] = np.nan
    frame = frame[list(reversed(frame.columns))]
    X, y = features_and_target(spec, frame)
    assert list(X.columns) == spec.feature_names
    assert X["age"].dtype == np.float64
    assert X["is_active_member"].dtype == bool
    assert X["country"].dtype == object
    assert np.isnan(X.loc[0, "country"])
    assert isinstance(X.loc[1, "country"], str)
    assert y.dtype == np.int64 and y.name == "churned"


def test_features_and_target_reports_missing_columns_and_targets() -> None:
    spec = small_spec("house_prices")
    with pytest.raises(ValueError, match="lotsize"):
        features_and_target(spec, house_frame(20).drop(columns="lotsize"))
    broken = house_frame(20)
    broken.loc[3, "price"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        features_and_target(spec, broken)


def test_features_frame_accepts_raw_requests() -> None:
    spec = small_spec("churn")
    raw = churn_frame(3)[list(reversed(spec.feature_names))].astype(object)
    raw.loc[0, "support_calls"] = None
    X = features_frame(spec, raw.assign(extra=1))
    assert list(X.columns) == spec.feature_names
    assert X["support_calls"].dtype == np.float64 and np.isnan(X.loc[0, "support_calls"])
    assert X["has_credit_card"].dtype == bool
    with pytest.raises(ValueError, match="gender"):
        features_frame(spec, raw.drop(columns="gender"))
