"""Tiny seeded training frames for both shipped specs (shared by the training and model tests)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from mlaas.refs import FrameRef
from mlaas.specs import ModelSpec
from mlaas.storage import get_store, write_parquet


def _timestamps(rng: np.random.Generator, n: int) -> pd.Series:
    start = pd.Timestamp("2025-01-01", tz="UTC")
    seconds = np.sort(rng.integers(0, 365 * 24 * 3600, n))
    return pd.Series(start + pd.to_timedelta(seconds, unit="s"))


def churn_frame(n: int = 600, *, seed: int = 0) -> pd.DataFrame:
    """Churn rises with support calls and inactivity; gender plays no part at all."""
    rng = np.random.default_rng(seed)
    support_calls = rng.poisson(1.5, n)
    active = rng.random(n) < 0.5
    age = rng.integers(18, 80, n)
    products = rng.integers(1, 5, n)
    country = rng.choice(["France", "Germany", "Spain"], n, p=[0.5, 0.25, 0.25])
    logit = (
        -1.6
        + 0.9 * support_calls
        - 1.8 * active
        + 0.03 * (age - 45)
        + 0.8 * (products >= 3)
        + 0.6 * (country == "Germany")
    )
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype("int64")
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype="int64"),
            "event_timestamp": _timestamps(rng, n),
            "age": age,
            "tenure_months": rng.integers(0, 240, n),
            "balance": rng.gamma(2.0, 30_000.0, n).round(2),
            "num_products": products,
            "credit_score": rng.integers(350, 850, n),
            "estimated_salary": rng.uniform(10_000, 200_000, n).round(2),
            "support_calls": support_calls,
            "has_credit_card": rng.random(n) < 0.7,
            "is_active_member": active,
            "country": country,
            "gender": rng.choice(["Female", "Male"], n),
            "churned": churned,
        }
    )


def house_frame(n: int = 400, *, seed: int = 0) -> pd.DataFrame:
    """Prices linear in lot size and amenities, plus noise."""
    rng = np.random.default_rng(seed)
    flags = {
        name: rng.random(n) < p
        for name, p in [
            ("driveway", 0.85),
            ("recreation", 0.2),
            ("fullbase", 0.35),
            ("gasheat", 0.05),
            ("aircon", 0.3),
            ("prefer", 0.25),
        ]
    }
    lotsize = rng.integers(1_500, 12_000, n)
    bedrooms = rng.integers(1, 6, n)
    bathrooms = rng.integers(1, 4, n)
    stories = rng.integers(1, 4, n)
    garage = rng.integers(0, 3, n)
    price = (
        10_000
        + 4.0 * lotsize
        + 3_000 * bedrooms
        + 12_000 * bathrooms
        + 6_000 * stories
        + 4_000 * garage
        + 9_000 * flags["aircon"]
        + 8_000 * flags["prefer"]
        + rng.normal(0, 6_000, n)
    )
    return pd.DataFrame(
        {
            "house_id": np.arange(1, n + 1, dtype="int64"),
            "sale_date": _timestamps(rng, n),
            "lotsize": lotsize,
            "bedrooms": bedrooms,
            "bathrooms": bathrooms,
            "stories": stories,
            "garage": garage,
            **flags,
            "price": price.round(0),
        }
    )


def store_frame(spec: ModelSpec, frame: pd.DataFrame) -> FrameRef:
    """Write a training frame where the pipeline would, keyed by its content hash."""
    content_hash = hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()
    key = f"training/{spec.name}/{content_hash}.parquet"
    write_parquet(get_store(), key, frame)
    return FrameRef(
        model=spec.name,
        content_hash=content_hash,
        key=key,
        rows=len(frame),
        materialized_entities=int(frame[spec.entity_key].nunique()),
    )
