"""Turning one column of each side into what the statistics need, without per-row Python.

Missing values (NaN, None, and infinities for numeric columns) are dropped before testing; the
missing shares are reported next to the statistics instead, so a column that starts arriving
empty is visible without distorting the distribution test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mlaas.drift.sources import CategoryCodes
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


def numeric_column(values: FloatArray, *, in_place: bool = False) -> NumericColumn:
    """Present values of a numeric column (float64, missing as NaN) sorted: the one sort per
    column and side that every numeric statistic reuses. `in_place` sorts an array nobody
    else holds without a copy."""
    if in_place and values.flags.writeable:
        values.sort()
        ordered = values
    else:
        ordered = np.sort(values)
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


def category_counts(reference: CategoryCodes, current: CategoryCodes) -> CategoryCounts:
    """Counts of both sides over the union of their categories. Only the distinct values go
    through Python (to align labels); rows are counted by bincount on the codes."""
    ref_counts = _counts(reference.codes, len(reference.labels))
    cur_counts = _counts(current.codes, len(current.labels))
    labels = list(dict.fromkeys(reference.labels + current.labels))
    index = {label: i for i, label in enumerate(labels)}
    ref_at = np.array([index[label] for label in reference.labels], dtype=np.int64)
    cur_at = np.array([index[label] for label in current.labels], dtype=np.int64)
    aligned_ref = np.bincount(ref_at, weights=ref_counts, minlength=len(labels))
    aligned_cur = np.bincount(cur_at, weights=cur_counts, minlength=len(labels))
    ref_rows, cur_rows = reference.codes.size, current.codes.size
    return CategoryCounts(
        labels=labels,
        reference=aligned_ref.astype(np.int64),
        current=aligned_cur.astype(np.int64),
        reference_missing_share=_share(ref_rows - int(ref_counts.sum()), ref_rows),
        current_missing_share=_share(cur_rows - int(cur_counts.sum()), cur_rows),
    )
