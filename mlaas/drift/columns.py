"""Turning one column of each frame into what the statistics need, without per-row Python.

Missing values (NaN, None, and infinities for numeric columns) are dropped before testing; the
missing shares are reported next to the statistics instead, so a column that starts arriving
empty is visible without distorting the distribution test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mlaas.drift.stats import FloatArray, IntArray

COUNT_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class NumericColumn:
    values: FloatArray  # present values, sorted
    missing_share: float


@dataclass(frozen=True, slots=True)
class CategoryCounts:
    labels: list[str]  # union of categories: the reference's first, then unseen ones
    reference: IntArray
    current: IntArray
    reference_missing_share: float
    current_missing_share: float


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def numeric_column(series: pd.Series) -> NumericColumn:
    """Present values of a numeric (or bool) column as sorted float64: the one sort per
    column and side that every numeric statistic reuses."""
    ordered = np.sort(series.to_numpy(dtype=np.float64, na_value=np.nan))
    # The sort puts -inf first and +inf, then NaN, last: the finite values are one slice.
    start = int(np.searchsorted(ordered, -np.inf, side="right"))
    stop = int(np.searchsorted(ordered, np.inf, side="left"))
    return NumericColumn(ordered[start:stop], _share(ordered.size - (stop - start), ordered.size))


def _counts(codes: npt.NDArray[np.integer[Any]], size: int) -> IntArray:
    """Rows per code (negative codes are missing), a chunk at a time: `np.bincount` casts its
    input to int64, which for a million int8 category codes would be an 8 MB temporary."""
    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, codes.size, COUNT_CHUNK):
        part = codes[start : start + COUNT_CHUNK]
        counts += np.bincount(part[part >= 0], minlength=size)
    return counts


def _codes(series: pd.Series) -> tuple[IntArray, list[str]]:
    """Counts per distinct value and the values as text. Labels compare as text because the
    reference comes from parquet and live rows from JSON (1 vs "1" is one category). A
    `category` column is counted on its own codes; other columns are factorized first."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return _counts(codes, len(uniques)), [str(value) for value in uniques]


def category_counts(reference: pd.Series, current: pd.Series) -> CategoryCounts:
    """Counts of both sides over the union of their categories. Only the distinct values go
    through Python (to align labels); rows are counted by factorize + bincount."""
    ref_counts, ref_labels = _codes(reference)
    cur_counts, cur_labels = _codes(current)
    labels = list(dict.fromkeys(ref_labels + cur_labels))
    index = {label: i for i, label in enumerate(labels)}
    ref_at = np.array([index[label] for label in ref_labels], dtype=np.int64)
    cur_at = np.array([index[label] for label in cur_labels], dtype=np.int64)
    aligned_ref = np.bincount(ref_at, weights=ref_counts, minlength=len(labels))
    aligned_cur = np.bincount(cur_at, weights=cur_counts, minlength=len(labels))
    return CategoryCounts(
        labels=labels,
        reference=aligned_ref.astype(np.int64),
        current=aligned_cur.astype(np.int64),
        reference_missing_share=_share(len(reference) - int(ref_counts.sum()), len(reference)),
        current_missing_share=_share(len(current) - int(cur_counts.sum()), len(current)),
    )
