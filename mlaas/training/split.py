"""Deterministic train/holdout split and the (X, y) view of a training frame.

Rows are put in a canonical order first (event timestamp, entity key), so the split depends on the
data only, never on the order the feature store happened to return it in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlaas.specs import ModelSpec


def _canonical(spec: ModelSpec, frame: pd.DataFrame) -> pd.DataFrame:
    keys = [spec.event_timestamp, spec.entity_key]
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise ValueError(f"training frame of {spec.name!r} lacks column(s) {missing}")
    return frame.sort_values(keys, kind="mergesort").reset_index(drop=True)


def holdout_size(spec: ModelSpec, rows: int) -> int:
    if rows < 2:
        raise ValueError(f"cannot split {rows} row(s) into train and holdout")
    return min(rows - 1, max(1, round(rows * spec.training.holdout.fraction)))


def split_holdout(spec: ModelSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout): "time" holds out the latest rows, "random" a seeded sample."""
    ordered = _canonical(spec, frame)
    n_holdout = holdout_size(spec, len(ordered))
    if spec.training.holdout.strategy == "time":
        cut = len(ordered) - n_holdout
        return ordered.iloc[:cut].reset_index(drop=True), ordered.iloc[cut:].reset_index(drop=True)
    order = np.random.default_rng(spec.training.seed).permutation(len(ordered))
    holdout_rows = np.sort(order[:n_holdout])
    train_rows = np.sort(order[n_holdout:])
    return (
        ordered.iloc[train_rows].reset_index(drop=True),
        ordered.iloc[holdout_rows].reset_index(drop=True),
    )


def load_split(spec: ModelSpec, frame_key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) of the training frame stored at `frame_key` in the object store."""
    from mlaas.storage import get_store, read_parquet

    return split_holdout(spec, read_parquet(get_store(), frame_key))


def _feature_column(series: pd.Series, kind: str) -> pd.Series:
    if kind == "category":
        # Strings with NaN for missing (the imputer does not see None as missing).
        values = series.astype(object)
        present = values.notna()
        return values.where(~present, values.astype(str)).where(present, np.nan)
    if kind == "bool":
        if series.isna().any():
            return series.astype("boolean")
        return series.astype(bool)
    # Numbers (ints too) as float64: the logged signature then accepts missing values, which
    # the pipeline imputes, and MLflow still accepts integer input for these columns.
    return series.astype("float64")


def features_frame(spec: ModelSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Model input: spec features in spec order; float64 numbers, bools, str categories.

    Training and serving both pass inputs through here, so they match the logged signature.
    """
    missing = [c for c in spec.feature_names if c not in frame.columns]
    if missing:
        raise ValueError(f"input for {spec.name!r} lacks feature column(s) {missing}")
    kinds = {f.name: f.type for f in spec.features}
    return pd.DataFrame(
        {name: _feature_column(frame[name], kinds[name]) for name in spec.feature_names},
        index=frame.index,
    )


def features_and_target(spec: ModelSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """(X, y) of a training frame: `features_frame` and the target (no missing values)."""
    X = features_frame(spec, frame)
    if spec.target not in frame.columns:
        raise ValueError(f"training frame of {spec.name!r} lacks target column {spec.target!r}")
    y = frame[spec.target]
    if y.isna().any():
        raise ValueError(f"target {spec.target!r} has {int(y.isna().sum())} missing value(s)")
    if spec.task == "regression":
        y = y.astype("float64")
    elif y.dtype == bool:
        y = y.astype("int64")
    return X, y.rename(spec.target)
