"""The drift report: pydantic models so services return it as JSON unchanged."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ColumnKind = Literal["numeric", "categorical"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FeatureDrift(_Frozen):
    """One feature (or the prediction) compared between reference and current.

    `statistic` belongs to `test` (KS D, chi-squared, Wasserstein distance in reference standard
    deviations, PSI, Jensen-Shannon distance in base 2); `scores` carries the other statistics,
    computed at almost no extra cost, plus missing shares, so a reader sees the whole picture.
    Row counts are the present (non-missing, finite) values each test used.
    """

    feature: str
    kind: ColumnKind
    test: str
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool
    reference_rows: int
    current_rows: int
    scores: dict[str, float]


class MultivariateDrift(_Frozen):
    """A joint test over all features: catches shifts in how features relate, which
    per-feature tests cannot see. Domain classifier: cross-validated ROC AUC of telling
    reference rows from current rows (0.5 = indistinguishable). MMD: squared maximum mean
    discrepancy with a permutation p-value; `threshold` is then the p-value threshold."""

    test: str
    statistic: float
    threshold: float
    drifted: bool
    p_value: float | None = None
    rows: int = 0  # rows (both sides) the test was fitted on: it runs on a bounded subsample


class DriftReport(_Frozen):
    features: list[FeatureDrift]
    prediction: FeatureDrift | None
    multivariate: MultivariateDrift | None
    drifted_features: list[str]
    drifted_share: float
    drift_share_threshold: float
    dataset_drift: bool
    enough_data: bool  # False when current rows < policy.min_rows: then nothing is "drifted"
    reference_rows: int
    current_rows: int
