"""Live traffic from the prediction log, as frames: one SQL query per question, no ORM objects.

`live_data` reads what a model saw and answered in a window (for drift); `labelled_data` joins the
same log with the feedback table (for performance). Inputs and outputs are the JSON the
prediction service logged: `inputs` is the request record, `outputs` is
`{"output": label-or-value, "probabilities": {class: p} | null}`. Record i of a batch request is
`<request id>:<index>`, which is also the id feedback must use; large batches are stored as one
block row each and expanded here (mlaas.monitoring.logged), so a frame has one row per record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, func, select

from mlaas.db import get_engine, prediction_log
from mlaas.monitoring.context import Window
from mlaas.monitoring.logged import block_rows, split_id
from mlaas.monitoring.tables import feedback
from mlaas.specs import ModelSpec
from mlaas.training.metrics import positive_index

MAX_LIVE_ROWS = 500_000  # newest rows kept when a window holds more (drift needs no more)
DATA_VARIANTS = ("champion", "challenger")  # shadow rows repeat champion inputs


@dataclass(frozen=True)
class LiveData:
    """Rows of one window: `meta` (request_id, created_at, version, variant, output and, when
    labelled, label/value), the request `features` (spec features, typed), and per row the
    class probabilities the model answered (None for regression)."""

    meta: pd.DataFrame
    features: pd.DataFrame
    probabilities: list[dict[str, float] | None]

    def __len__(self) -> int:
        return len(self.meta)

    def subset(self, mask: np.ndarray) -> LiveData:
        index = np.flatnonzero(mask)
        return LiveData(
            meta=self.meta.iloc[index].reset_index(drop=True),
            features=self.features.iloc[index].reset_index(drop=True),
            probabilities=[self.probabilities[i] for i in index.tolist()],
        )


def _base_query(model: str, window: Window, variants: Sequence[str] | None) -> Select[Any]:
    log = prediction_log.c
    query = select(
        log.request_id, log.created_at, log.version, log.variant, log.inputs, log.outputs
    ).where(log.model == model, log.created_at >= window.start, log.created_at < window.end)
    if variants is not None:
        query = query.where(log.variant.in_(list(variants)))
    return query


def typed_features(spec: ModelSpec, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Spec features as drift statistics want them: float64 numbers (bools as 0/1, anything
    unparsable as NaN) and str categories (None when missing)."""
    raw = pd.DataFrame.from_records(records, columns=spec.feature_names)
    columns: dict[str, pd.Series] = {}
    for feature in spec.features:
        series = raw[feature.name]
        if feature.type == "category":
            present = series.notna()
            columns[feature.name] = series.where(~present, series.astype(str)).where(present, None)
        else:
            columns[feature.name] = pd.to_numeric(series, errors="coerce").astype("float64")
    return pd.DataFrame(columns, index=raw.index)


def _frame(spec: ModelSpec, rows: Sequence[Any], extra: Sequence[str] = ()) -> LiveData:
    """`extra`: row attributes copied into `meta`."""
    outputs = [row.outputs or {} for row in rows]
    records = [row.inputs or {} for row in rows]
    meta = pd.DataFrame(
        {
            "request_id": [row.request_id for row in rows],
            "created_at": pd.to_datetime([row.created_at for row in rows], utc=True),
            "version": [str(row.version) for row in rows],
            "variant": [row.variant for row in rows],
            "output": pd.Series([out.get("output") for out in outputs], dtype=object),
            **{name: [getattr(row, name) for row in rows] for name in extra},
        }
    )
    return LiveData(
        meta=meta,
        features=typed_features(spec, records),
        probabilities=[out.get("probabilities") for out in outputs],
    )


def live_data(
    spec: ModelSpec,
    window: Window,
    *,
    variants: Sequence[str] | None = DATA_VARIANTS,
    limit: int = MAX_LIVE_ROWS,
) -> LiveData:
    """The model's logged predictions in the window (newest `limit` rows), oldest first."""
    query = (
        _base_query(spec.name, window, variants)
        .order_by(prediction_log.c.created_at.desc())
        .limit(limit)
    )
    with get_engine().connect() as conn:
        rows: list[Any] = list(reversed(conn.execute(query).all()))
        rows += block_rows(conn, spec.name, window, variants=variants, newest=limit)
    rows.sort(key=lambda row: row.created_at)
    return _frame(spec, rows[-limit:])


LABEL_COLUMNS = ("label", "value", "labelled_at")


def labelled_data(
    spec: ModelSpec,
    window: Window,
    *,
    variants: Sequence[str] | None = None,
) -> LiveData:
    """Logged predictions made in the window that have ground truth, with the feedback's
    `label`, `value` and `labelled_at` (when it was received or last replaced) in `meta`.
    Bucketed by prediction time, so late feedback lands where the prediction was made.

    Two reads, whatever the size: one join of the row log with the feedback, and for records
    of large batches (block rows) one read of the model's feedback received since the window
    began (a label always comes after its prediction) matched in memory."""
    labelled_at = func.coalesce(feedback.c.updated_at, feedback.c.received_at)
    query = (
        _base_query(spec.name, window, variants)
        .add_columns(feedback.c.label, feedback.c.value, labelled_at.label("labelled_at"))
        .join(feedback, feedback.c.request_id == prediction_log.c.request_id)
        .order_by(prediction_log.c.created_at)
    )
    with get_engine().connect() as conn:
        rows: list[Any] = list(conn.execute(query).all())
        rows += _labelled_block_rows(conn, spec.name, window, variants)
    rows.sort(key=lambda row: row.created_at)
    return _frame(spec, rows, extra=LABEL_COLUMNS)


class _Labelled(NamedTuple):
    request_id: str
    created_at: Any
    version: str
    variant: str
    inputs: Any
    outputs: Any
    label: str | None
    value: float | None
    labelled_at: Any


def _labelled_block_rows(
    conn: Connection, model: str, window: Window, variants: Sequence[str] | None
) -> list[_Labelled]:
    """Records of large batch requests in the window that have feedback, with it."""
    labelled_at = func.coalesce(feedback.c.updated_at, feedback.c.received_at)
    query = select(feedback.c.request_id, feedback.c.label, feedback.c.value, labelled_at).where(
        feedback.c.model == model, feedback.c.received_at >= window.start
    )
    labels = {
        request_id: (label, value, at)
        for request_id, label, value, at in conn.execute(query)
        if split_id(request_id) is not None
    }
    if not labels:
        return []
    return [
        _Labelled(
            row.request_id,
            row.created_at,
            row.version,
            row.variant,
            row.inputs,
            row.outputs,
            *labels[row.request_id],
        )
        for row in block_rows(conn, model, window, variants=variants, only=labels)
    ]


def class_order(probabilities: Sequence[dict[str, float] | None]) -> list[str]:
    """The class names in the model's order (the order its probabilities were logged in)."""
    return next((list(p) for p in probabilities if p), [])


def positive_scores(
    probabilities: Sequence[dict[str, float] | None], classes: list[str]
) -> np.ndarray:
    """Rows x classes probability matrix (NaN where a row lacks a class)."""
    matrix = np.full((len(probabilities), len(classes)), np.nan)
    for row, proba in enumerate(probabilities):
        if proba:
            matrix[row] = [proba.get(name, np.nan) for name in classes]
    return matrix


def prediction_values(spec: ModelSpec, data: LiveData) -> tuple[np.ndarray, str]:
    """What prediction drift compares, and its kind: the value (regression), P(positive class)
    (binary classification) or the predicted label (multi-class)."""
    if spec.task == "regression":
        return pd.to_numeric(data.meta["output"], errors="coerce").to_numpy("float64"), "numeric"
    classes = class_order(data.probabilities)
    if len(classes) == 2:
        positive = positive_index(spec, classes)
        return positive_scores(data.probabilities, classes)[:, positive], "numeric"
    return data.meta["output"].astype(str).to_numpy(object), "categorical"
