"""Deterministic train/holdout split and the (X, y) view of a training frame.

Rows are put in a canonical order first (event timestamp, entity key), so the split depends on the
data only, never on the order the feature store happened to return it in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from mlaas.errors import Invalid
from mlaas.specs import ModelSpec


class ClassCoverageError(Invalid):
    """A classification split leaves a class without enough rows in training or holdout."""

    code = "class_coverage"


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
    """(train, holdout): "time" holds out the latest rows, "random" a seeded sample —
    stratified for classification, so every class with two rows or more is in both parts."""
    ordered = _canonical(spec, frame)
    n_holdout = holdout_size(spec, len(ordered))
    if spec.training.holdout.strategy == "time":
        cut = len(ordered) - n_holdout
        return ordered.iloc[:cut].reset_index(drop=True), ordered.iloc[cut:].reset_index(drop=True)
    rng = np.random.default_rng(spec.training.seed)
    if spec.task == "classification":
        holdout_rows = _stratified_holdout(
            ordered[spec.target], spec.training.holdout.fraction, rng
        )
        train_rows = np.setdiff1d(np.arange(len(ordered)), holdout_rows)
        if len(holdout_rows) and len(train_rows):
            return (
                ordered.iloc[train_rows].reset_index(drop=True),
                ordered.iloc[holdout_rows].reset_index(drop=True),
            )
    order = rng.permutation(len(ordered))
    holdout_rows = np.sort(order[:n_holdout])
    train_rows = np.sort(order[n_holdout:])
    return (
        ordered.iloc[train_rows].reset_index(drop=True),
        ordered.iloc[holdout_rows].reset_index(drop=True),
    )


def _stratified_holdout(
    target: pd.Series, fraction: float, rng: np.random.Generator
) -> np.ndarray:
    """Row positions of a seeded holdout holding `fraction` of each class (rounded; at least
    one row of a class with two or more, never a class's every row)."""
    chosen: list[np.ndarray] = []
    codes, _ = pd.factorize(target, sort=True)
    for code in range(codes.max() + 1 if len(codes) else 0):
        rows = np.flatnonzero(codes == code)
        if len(rows) < 2:
            continue  # a single row trains: a holdout row of a class never trained on says little
        take = min(len(rows) - 1, max(1, round(len(rows) * fraction)))
        chosen.append(rng.permutation(rows)[:take])
    return np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=int)


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


def check_class_coverage(
    spec: ModelSpec, frame: pd.DataFrame, *, classes: Iterable[Any] = (), selected: str = ""
) -> None:
    """Before any tuning: every class must have `training.holdout.min_class_rows` rows in the
    holdout and in training (and one per CV fold there), or the metrics that average over the
    classes have no honest value and a class unseen in training cannot even be scored. The
    error names each short class with its counts, the spec fields and the ways out.

    `frame` is what the run trains on; `classes` adds the labels it must know although the
    frame may lack them (a retrain mode's selection of the dataset, named by `selected`)."""
    if spec.task != "classification":
        return
    train, holdout = split_holdout(spec, frame)
    need_holdout = spec.training.holdout.min_class_rows
    need_train = max(need_holdout, spec.training.cv_folds)
    in_train = train[spec.target].value_counts()
    in_holdout = holdout[spec.target].value_counts()
    short = []
    labels = set(in_train.index) | set(in_holdout.index) | set(classes)
    for label in sorted(labels, key=str):
        n_train, n_holdout = int(in_train.get(label, 0)), int(in_holdout.get(label, 0))
        if n_train < need_train or n_holdout < need_holdout:
            short.append(f"{label!r}: {n_train} in training, {n_holdout} in the holdout")
    if not short:
        return
    holdout_cfg = spec.training.holdout
    how = (
        f"the latest {holdout_cfg.fraction:.0%} of rows by {spec.event_timestamp}"
        if holdout_cfg.strategy == "time"
        else f"a stratified random {holdout_cfg.fraction:.0%}"
    )
    ways = ["add rows of these classes", "merge rare classes in the data"]
    if holdout_cfg.strategy == "time":
        ways.insert(
            0, "set training.holdout.strategy: random (stratified: every class in both parts)"
        )
    if selected:
        ways[:0] = ["retrain in another mode (full)", "widen the selection"]
    ways_out = ", ".join(ways[:-1]) + f" or {ways[-1]}"
    raise ClassCoverageError(
        f"{spec.name}: the holdout ({how}{selected}) leaves classes short of rows — "
        + "; ".join(short)
        + f". Each class needs {need_holdout} in the holdout (training.holdout.min_class_rows) "
        f"and {need_train} in training (also one per fold, training.cv_folds = "
        f"{spec.training.cv_folds}). Checked before tuning: {ways_out}"
    )
