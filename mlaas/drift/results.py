"""The drift report: pydantic models so services return it as JSON unchanged."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score(self) -> float:
        """One scale for every test, 1 at the threshold and above it when drifted, so scores of
        different tests share a chart: -log10(p) / -log10(threshold) for a p-value test (KS,
        chi-squared; p = 0 counts as 1e-300), statistic / threshold for a distance test."""
        if self.p_value is not None:
            return max(0.0, math.log10(max(self.p_value, 1e-300)) / math.log10(self.threshold))
        return self.statistic / self.threshold if self.threshold > 0 else 0.0


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
