"""Reference profiles: what the training data looked like, saved next to every trained model.

Monitoring compares live traffic against this profile (drift tests, PSI on the stored bins) and
against a seeded raw sample, so it needs neither the lake nor the training frame at run time.
Profiles are plain JSON (NaN written as null).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlaas.specs import ModelSpec
from mlaas.storage import get_store, read_parquet, write_parquet

if TYPE_CHECKING:
    from mlaas.drift.sources import ParquetSource

QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
HISTOGRAM_BINS = 10  # quantile-based: about the same mass per bin (fewer when values repeat)
TOP_CATEGORIES = 50
OTHER = "__other__"
SAMPLE_ROWS = 5_000


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def numeric_summary(series: pd.Series) -> dict[str, Any]:
    """Count, null share, moments, quantiles and a quantile-edged histogram of one column."""
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    present = values[~np.isnan(values)]
    total = len(values)
    summary: dict[str, Any] = {
        "count": int(present.size),
        "null_share": float(1 - present.size / total) if total else 0.0,
    }
    if present.size == 0:
        return summary | {"mean": None, "std": None, "min": None, "max": None, "quantiles": {}}
    edges = np.unique(np.quantile(present, np.linspace(0.0, 1.0, HISTOGRAM_BINS + 1)))
    if edges.size == 1:  # a constant column: one bin around the value
        edges = np.array([edges[0], edges[0]])
    counts, _ = np.histogram(present, bins=edges)
    return summary | {
        "mean": _number(present.mean()),
        "std": _number(present.std(ddof=1)) if present.size > 1 else 0.0,
        "min": _number(present.min()),
        "max": _number(present.max()),
        "quantiles": {
            str(q): _number(v)
            for q, v in zip(QUANTILES, np.quantile(present, QUANTILES), strict=True)
        },
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def categorical_summary(series: pd.Series) -> dict[str, Any]:
    """Shares of the most frequent values (top 50), the rest pooled as `__other__`."""
    total = len(series)
    present = series.dropna().astype(str)
    counts = present.value_counts(sort=True)
    ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
    top = dict(ordered[:TOP_CATEGORIES])
    rest = int(sum(int(c) for _, c in ordered[TOP_CATEGORIES:]))
    frequencies = {str(k): int(v) for k, v in top.items()}
    if rest:
        frequencies[OTHER] = rest
    n_present = max(len(present), 1)
    return {
        "count": len(present),
        "null_share": float(1 - len(present) / total) if total else 0.0,
        "n_unique": int(counts.size),
        "counts": frequencies,
        "frequencies": {k: v / n_present for k, v in frequencies.items()},
    }


def build_profile(spec: ModelSpec, frame: pd.DataFrame) -> dict[str, Any]:
    """Compact JSON-ready profile of the spec's features and target in `frame`."""
    target = frame[spec.target]
    if spec.task == "classification":
        target_profile = {"type": "categorical", **categorical_summary(target)}
    else:
        target_profile = {"type": "numeric", **numeric_summary(target)}
    return {
        "model": spec.name,
        "spec_hash": spec.spec_hash,
        "task": spec.task,
        "created_at": datetime.now(UTC).isoformat(),
        "rows": len(frame),
        "numeric": {name: numeric_summary(frame[name]) for name in spec.numeric_features},
        "categorical": {
            name: categorical_summary(frame[name]) for name in spec.categorical_features
        },
        "target": {"name": spec.target, **target_profile},
    }


def _stem(spec: ModelSpec, content_hash: str) -> str:
    # The training rows depend on the data and on the spec (features, holdout split): two
    # versions trained from different specs on the same data keep separate profiles.
    return f"profiles/{spec.name}/{content_hash}-{spec.spec_hash[:12]}"


def profile_key(spec: ModelSpec, content_hash: str) -> str:
    return f"{_stem(spec, content_hash)}.json"


def sample_key(spec: ModelSpec, content_hash: str) -> str:
    return f"{_stem(spec, content_hash)}-sample.parquet"


def save_profile(
    spec: ModelSpec,
    content_hash: str,
    profile: dict[str, Any],
    *,
    frame: pd.DataFrame | None = None,
) -> str:
    """Store the profile (and, given the frame, a seeded raw sample of it); returns the key."""
    store = get_store()
    body = dict(profile)
    if frame is not None:
        rows = min(len(frame), SAMPLE_ROWS)
        sample = frame.sample(n=rows, random_state=spec.training.seed).sort_index()
        columns = [c for c in [*spec.feature_names, spec.target] if c in sample.columns]
        body["sample_key"] = sample_key(spec, content_hash)
        write_parquet(store, body["sample_key"], sample[columns].reset_index(drop=True))
    key = profile_key(spec, content_hash)
    store.put_bytes(key, json.dumps(body, indent=1, allow_nan=False).encode())
    return key


def load_profile(key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(get_store().get_bytes(key))
    return data


def load_sample(profile: dict[str, Any]) -> pd.DataFrame:
    """The raw reference sample a profile points to (raises KeyError when it has none)."""
    return read_parquet(get_store(), profile["sample_key"])


def sample_source(profile: dict[str, Any]) -> ParquetSource:
    """The same sample as a drift source: its parquet read one column at a time, only the
    columns asked for and never as a frame (raises KeyError when the profile has none)."""
    from mlaas.drift.sources import ParquetSource

    return ParquetSource(get_store().get_bytes(profile["sample_key"]))
