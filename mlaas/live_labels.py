"""Labelled live traffic as training rows: what production saw, with the ground truth for it.

A pipeline run adds these rows to the dataset it ingests (mlaas.ingest.assemble) when the spec's
`retrain.live_labels.use` is on: every champion or challenger prediction made in the last
`max_age_days` that has feedback (shadow rows repeat champion inputs and are left out), as one
row each in the source's own columns and dtypes, so the result goes through validation (GX),
the feature store and training like any other data:

- event time = when the prediction was made;
- entity key = one derived from the request id (prediction records carry features, not the
  key): `live:<request id>` for string keys, a negative 63-bit hash of it for integer keys
  (source ids are not negative by convention), so each live row is an entity of its own;
- target = the label (classification, in the source target's type) or value (regression).

Columns of the source that are not the key, the event time, a feature or the target are
missing in live rows (the service never saw them). A labelled prediction that does not fit
the source's schema (a feature the source always fills missing, a number where the source
has integers) is left out and counted, never guessed at.
Fewer than `min_rows` usable rows and none are added: too few to learn from, and the reason is
said in the lineage and the retrain decision.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from mlaas.db import as_utc, utcnow
from mlaas.monitoring.context import Window
from mlaas.monitoring.live import DATA_VARIANTS, labelled_data
from mlaas.refs import DataPart
from mlaas.specs import ModelSpec


@dataclass(frozen=True)
class LiveRows:
    """The usable labelled predictions of a window, as rows like the source's."""

    frame: pd.DataFrame  # the source's columns and dtypes; empty when none are usable
    labelled_at: pd.Series  # per row, when its label was received or last replaced
    window: Window
    left_out: int  # labelled predictions that did not fit the source's schema

    def part(self) -> DataPart:
        return DataPart(
            kind="live",
            rows=len(self.frame),
            window_start=self.window.start,
            window_end=self.window.end,
            labels_until=self.labelled_at.max().to_pydatetime() if len(self.frame) else None,
            left_out=self.left_out,
        )

    def labelled_after(self, moment: datetime | None) -> int:
        """How many of the rows got their label after `moment` (all when None)."""
        if moment is None:
            return len(self.frame)
        return int((self.labelled_at > pd.Timestamp(as_utc(moment))).sum())


def live_window(spec: ModelSpec, now: datetime | None = None) -> Window:
    end = as_utc(now or utcnow())
    return Window(start=end - timedelta(days=spec.retrain.live_labels.max_age_days), end=end)


def live_rows(spec: ModelSpec, like: pd.DataFrame, *, now: datetime | None = None) -> LiveRows:
    """The window's labelled predictions as rows with `like`'s columns and dtypes."""
    window = live_window(spec, now)
    data = labelled_data(spec, window, variants=DATA_VARIANTS)
    meta = data.meta
    columns: dict[str, pd.Series] = {}
    fits = np.ones(len(meta), dtype=bool)

    def add(name: str, values: pd.Series) -> None:
        nonlocal fits
        if name not in like.columns:  # the source lacks it (validation will say so): no row fits
            fits &= False
            return
        converted, ok = conform(values.reset_index(drop=True), like[name])
        columns[name] = converted
        fits &= ok

    add(spec.entity_key, _entity_keys(meta, like[spec.entity_key]))
    columns[spec.event_timestamp] = meta["created_at"].astype(like[spec.event_timestamp].dtype)
    for name in spec.feature_names:
        if name in spec.pii_features:  # logged hashed or not at all: never into training
            add(name, pd.Series([None] * len(meta), dtype=object))
            continue
        add(name, data.features[name].astype(object))
    add(spec.target, meta["label"] if spec.task == "classification" else meta["value"])
    order = [name for name in like.columns if name in columns]
    frame = pd.DataFrame(columns)[order] if len(meta) else like[order].iloc[:0].copy()
    frame = frame[fits].reset_index(drop=True)
    labelled_at = pd.to_datetime(meta["labelled_at"], utc=True)[fits].reset_index(drop=True)
    unique = ~frame.duplicated([spec.entity_key, spec.event_timestamp], keep="last").to_numpy()
    return LiveRows(
        frame=frame[unique].reset_index(drop=True),
        labelled_at=labelled_at[unique].reset_index(drop=True),
        window=window,
        left_out=int((~fits).sum() + (~unique).sum()),
    )


def _entity_keys(meta: pd.DataFrame, like: pd.Series) -> pd.Series:
    """A key per row made from its request id, of the source key's type."""
    if pd.api.types.is_integer_dtype(like):
        return pd.Series([_derived_int(rid) for rid in meta["request_id"]], dtype=object)
    return pd.Series([f"live:{rid}" for rid in meta["request_id"]], dtype=object)


def _derived_int(request_id: str) -> int:
    """A stable negative int64 for a request id."""
    digest = hashlib.sha256(request_id.encode()).digest()
    return -(int.from_bytes(digest[:8], "big") >> 1) - 1


def conform(values: pd.Series, like: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """`values` in `like`'s dtype, and which of them fit it: a missing value only where `like`
    has missing values itself, integers only where they are whole numbers, booleans only from
    true/false/0/1 (labels arrive as text: "1", "True")."""
    dtype = like.dtype
    allow_missing = bool(like.isna().any())
    if pd.api.types.is_bool_dtype(dtype):
        # 1 == 1.0 == True as dict keys, so numbers and bools share the first two entries.
        truth: dict[object, bool] = {True: True, False: False, "True": True, "False": False}
        truth |= {"true": True, "false": False, "1": True, "0": False}
        known = (bool, int, float, str)
        mapped = values.map(lambda v: truth.get(v) if isinstance(v, known) else None)
        ok = mapped.notna().to_numpy()
        return mapped.where(ok, False).astype(dtype), ok
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        present = np.isfinite(numbers.to_numpy())
        if pd.api.types.is_integer_dtype(dtype):
            ok = present & (numbers.fillna(0.5) % 1 == 0).to_numpy()
            if allow_missing and not isinstance(dtype, np.dtype):  # nullable Int64
                ok = ok | values.isna().to_numpy()
                return numbers.where(ok).round().astype(dtype), ok
            return numbers.where(ok, 0).astype(dtype), ok
        ok = present | (values.isna().to_numpy() & allow_missing)
        return numbers.astype(dtype), ok
    present = values.notna().to_numpy()
    text = values.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    ok = present | allow_missing
    return text.where(present, None).astype(dtype), ok
