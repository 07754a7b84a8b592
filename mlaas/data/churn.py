"""A seeded synthetic bank-churn table (the columns of specs/churn.yaml), with drift knobs.

Each column draws from its own random stream (children of one seed), so a drift knob that moves
one column leaves every other feature column bit-for-bit identical: tests and demos can tell a
real drift signal from noise. The target follows a logistic model with non-linear effects and
interactions (a hump in age, inactive older members, Germany, 3+ products, support calls, low
balance), so a tree ensemble beats a linear model, and a good model reaches ROC AUC ~0.85.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

COUNTRIES: dict[str, float] = {"France": 0.5, "Germany": 0.25, "Spain": 0.25}
GENDERS: dict[str, float] = {"Female": 0.45, "Male": 0.55}
# Physically plausible limits; values are clipped here, and the GX suite checks the same limits.
LIMITS: dict[str, tuple[float, float]] = {
    "age": (18, 100),
    "tenure_months": (0, 600),
    "balance": (0.0, 5_000_000.0),
    "num_products": (1, 10),
    "credit_score": (300, 900),
    "estimated_salary": (1_000.0, 10_000_000.0),
    "support_calls": (0, 100),
}
INT_COLUMNS = ("age", "tenure_months", "num_products", "credit_score", "support_calls")
NUMERIC_COLUMNS = tuple(LIMITS)
CATEGORIES: dict[str, dict[str, float]] = {"country": COUNTRIES, "gender": GENDERS}

# One customer as a prediction request carries it (API examples, tests, benchmarks).
EXAMPLE_RECORD: dict[str, int | float | bool | str] = {
    "age": 42,
    "tenure_months": 18,
    "balance": 1200.5,
    "num_products": 2,
    "credit_score": 640,
    "estimated_salary": 52000.0,
    "support_calls": 1,
    "has_credit_card": True,
    "is_active_member": False,
    "country": "Germany",
    "gender": "Female",
}
_STREAMS = (
    "timestamp",
    "age",
    "tenure_months",
    "balance",
    "num_products",
    "credit_score",
    "estimated_salary",
    "support_calls",
    "has_credit_card",
    "is_active_member",
    "country",
    "gender",
    "churned",
    "missing",
)


@dataclass(frozen=True)
class ChurnDrift:
    """Knobs that make a batch differ from the reference distribution.

    numeric_shift: feature -> k; adds k standard deviations (of the undrifted column).
    category_weights: feature -> {category: weight}; named categories get new weights.
    concept_shift: 0..1; blends the churn model towards a different one (same features).
    missing_rate: 0..1; share of NaN in each numeric feature (bad data).
    """

    numeric_shift: dict[str, float] = field(default_factory=dict)
    category_weights: dict[str, dict[str, float]] = field(default_factory=dict)
    concept_shift: float = 0.0
    missing_rate: float = 0.0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.numeric_shift) - set(NUMERIC_COLUMNS))
        if unknown:
            raise ValueError(f"numeric_shift: unknown numeric feature(s) {unknown}")
        for column, weights in self.category_weights.items():
            if column not in CATEGORIES:
                raise ValueError(f"category_weights: unknown categorical feature {column!r}")
            bad = sorted(set(weights) - set(CATEGORIES[column]))
            if bad or any(w < 0 for w in weights.values()):
                raise ValueError(f"category_weights[{column!r}]: bad categories or weights")
        if not 0.0 <= self.concept_shift <= 1.0:
            raise ValueError("concept_shift must be within [0, 1]")
        if not 0.0 <= self.missing_rate < 1.0:
            raise ValueError("missing_rate must be within [0, 1)")


def _categorical(rng: np.random.Generator, n: int, weights: dict[str, float]) -> np.ndarray:
    """Inverse-CDF draw: one uniform per row whatever the weights, so streams stay aligned."""
    names = list(weights)
    probs = np.array([weights[name] for name in names], dtype=float)
    if probs.sum() <= 0:
        raise ValueError(f"category weights sum to zero: {weights}")
    cumulative = np.cumsum(probs / probs.sum())
    index = np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(names) - 1)
    return np.array(names, dtype=object)[index]


def _base_features(streams: dict[str, np.random.Generator], n: int) -> dict[str, np.ndarray]:
    s = streams
    zero_balance = s["balance"].random(n) < 0.35
    balance = np.where(zero_balance, 0.0, s["balance"].normal(120_000, 30_000, n))
    return {
        "age": s["age"].normal(39, 10, n),
        "tenure_months": s["tenure_months"].uniform(0, 121, n),
        "balance": balance,
        "num_products": s["num_products"].choice([1, 2, 3, 4], n, p=[0.5, 0.45, 0.04, 0.01]),
        "credit_score": s["credit_score"].normal(650, 95, n),
        "estimated_salary": s["estimated_salary"].uniform(10_000, 200_000, n),
        "support_calls": s["support_calls"].poisson(1.2, n).astype(float),
    }


def _churn_logit(frame: pd.DataFrame, concept_shift: float) -> np.ndarray:
    """Log-odds of churn; `concept_shift` blends in a model driven by other features."""
    z_age = (frame["age"].to_numpy(float) - 40) / 10
    inactive = (~frame["is_active_member"].to_numpy(bool)).astype(float)
    products = frame["num_products"].to_numpy(float)
    calls = np.minimum(frame["support_calls"].to_numpy(float), 6)
    balance = frame["balance"].to_numpy(float)
    main = (
        1.3 * z_age
        - 0.5 * z_age**2
        + 1.1 * inactive
        + 0.7 * inactive * np.clip(z_age, 0, None)
        + 1.0 * (frame["country"].to_numpy() == "Germany")
        + 0.35 * (frame["gender"].to_numpy() == "Female")
        + np.select([products == 1, products == 2], [0.4, -1.0], 3.0)
        + 0.5 * calls
        + 0.6 * (balance < 20_000)
        - 0.2 * (frame["credit_score"].to_numpy(float) - 650) / 95
        - 0.2 * frame["tenure_months"].to_numpy(float) / 60
        - 3.2
    )
    salary = (frame["estimated_salary"].to_numpy(float) - 105_000) / 55_000
    tenure = (frame["tenure_months"].to_numpy(float) - 60) / 35
    other = 1.2 * salary - 0.9 * tenure + 0.6 * frame["has_credit_card"].to_numpy(float) - 1.9
    return np.asarray((1 - concept_shift) * main + concept_shift * other)


def generate_churn(
    n_customers: int = 5000,
    *,
    seed: int = 7,
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    days: int = 365,
    drift: ChurnDrift | None = None,
) -> pd.DataFrame:
    """One row per customer; the same arguments always give the identical frame."""
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    drift = drift or ChurnDrift()
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    streams = {
        name: np.random.default_rng(child) for name, child in zip(_STREAMS, children, strict=True)
    }
    n = n_customers

    numeric = _base_features(streams, n)
    for column, k in drift.numeric_shift.items():
        numeric[column] = numeric[column] + k * float(np.std(numeric[column]))
    for column, (low, high) in LIMITS.items():
        values = np.clip(numeric[column], low, high)
        numeric[column] = np.rint(values) if column in INT_COLUMNS else np.round(values, 2)

    offsets = streams["timestamp"].uniform(0, days * 86_400, n).astype("int64")
    start_utc = (
        pd.Timestamp(start).tz_convert(UTC) if start.tzinfo else pd.Timestamp(start, tz=UTC)
    )
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(100_001, 100_001 + n, dtype="int64"),
            "event_timestamp": start_utc + pd.to_timedelta(offsets, unit="s"),
        }
    )
    for column in NUMERIC_COLUMNS:
        frame[column] = numeric[column].astype("int64" if column in INT_COLUMNS else "float64")
    frame["has_credit_card"] = streams["has_credit_card"].random(n) < 0.7
    frame["is_active_member"] = streams["is_active_member"].random(n) < 0.52
    for column, base in CATEGORIES.items():
        frame[column] = _categorical(
            streams[column], n, {**base, **drift.category_weights.get(column, {})}
        )

    probability = 1 / (1 + np.exp(-_churn_logit(frame, drift.concept_shift)))
    frame["churned"] = (streams["churned"].random(n) < probability).astype("int64")

    if drift.missing_rate > 0:
        for column in NUMERIC_COLUMNS:
            mask = streams["missing"].random(n) < drift.missing_rate
            dtype = "Int64" if column in INT_COLUMNS else "float64"
            frame[column] = frame[column].astype(dtype).mask(mask)
    frame["event_timestamp"] = frame["event_timestamp"].astype("datetime64[ns, UTC]")
    return frame
