"""Joint drift tests over all features, on a bounded subsample so they cost the same on a
thousand rows or a billion: a domain classifier (can a model tell reference rows from current
rows?) and a kernel two-sample test (MMD with a permutation p-value). Only the sampled rows
of the features are ever taken from the sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mlaas.drift.sources import ColumnSource
from mlaas.drift.stats import FloatArray

if TYPE_CHECKING:
    import pandas as pd

DOMAIN_SAMPLE_ROWS = 5_000  # per side: the AUC standard error is then about 0.006
DOMAIN_FOLDS = 3
MMD_SAMPLE_ROWS = 1_000  # per side; the kernel matrix is (2 * rows)^2
MMD_PERMUTATIONS = 200
DOMAIN_BINS = 63  # histogram bins per feature: coarse is enough to see a shift, and cheap
DOMAIN_TREES = 30


def _subsample(
    source: ColumnSource, names: Sequence[str], rows: int, rng: np.random.Generator
) -> pd.DataFrame:
    """`names` at `rows` seeded random rows of the source (all of them if it has fewer)."""
    if source.rows <= rows:
        return source.take(names, None)
    return source.take(names, np.sort(rng.choice(source.rows, size=rows, replace=False)))


def _stacked(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
) -> tuple[FloatArray, FloatArray, list[pd.Series]]:
    """Numeric block (float64, non-finite as NaN) and categorical columns (text labels,
    missing kept) of reference rows then current rows."""
    import pandas as pd

    both = pd.concat([reference, current], ignore_index=True)
    block = both[list(numeric)].to_numpy(dtype=np.float64, na_value=np.nan)
    block[~np.isfinite(block)] = np.nan
    labels = [both[name].where(both[name].isna(), both[name].astype(str)) for name in categorical]
    target = np.r_[np.zeros(len(reference)), np.ones(len(current))]
    return block.reshape(len(both), len(numeric)), target, labels


def domain_classifier_auc(
    reference: ColumnSource,
    current: ColumnSource,
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    seed: int,
    rows: int = DOMAIN_SAMPLE_ROWS,
) -> tuple[float, int] | None:
    """Cross-validated ROC AUC of a small gradient-boosted model telling current rows from
    reference rows, and the rows it used; None when a side is too small to cross-validate.
    Out-of-fold scores keep the AUC honest (an overfitted model scores 0.5, not 1).
    LightGBM on one thread: no process-wide OpenMP pool to fight the caller's threads."""
    import pandas as pd
    from lightgbm import LGBMClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    if min(reference.rows, current.rows) < DOMAIN_FOLDS:
        return None
    rng = np.random.default_rng(seed)
    names = [*numeric, *categorical]
    ref, cur = _subsample(reference, names, rows, rng), _subsample(current, names, rows, rng)
    block, target, labels = _stacked(ref, cur, numeric, categorical)
    codes = [pd.factorize(column)[0].astype(np.float64) for column in labels]
    for code in codes:
        code[code < 0] = np.nan  # missing stays missing
    features = np.column_stack([block, *codes]) if codes else block
    categories = list(range(block.shape[1], features.shape[1]))
    scores = np.empty(len(target))
    folds = StratifiedKFold(DOMAIN_FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(features, target):  # folds, not rows
        model = LGBMClassifier(
            n_estimators=DOMAIN_TREES,
            learning_rate=0.2,
            num_leaves=15,
            max_bin=DOMAIN_BINS,
            min_child_samples=20,
            n_jobs=1,
            random_state=seed,
            verbose=-1,
        )
        model.fit(features[train], target[train], categorical_feature=categories)
        probabilities = np.asarray(model.predict_proba(features[test]))
        scores[test] = probabilities[:, 1]
    return float(roc_auc_score(target, scores)), len(target)


def mmd_test(
    reference: ColumnSource,
    current: ColumnSource,
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    seed: int,
    rows: int = MMD_SAMPLE_ROWS,
    permutations: int = MMD_PERMUTATIONS,
) -> tuple[float, float, int] | None:
    """Squared MMD (biased estimate) with a Gaussian kernel at the median-distance bandwidth,
    its permutation p-value, and the rows used; None when a side has fewer than 2 rows.
    Numeric columns are standardised on the reference (missing -> the reference mean),
    categorical ones one-hot encoded. All permutations run as one matrix product."""
    import pandas as pd

    if min(reference.rows, current.rows) < 2:
        return None
    rng = np.random.default_rng(seed)
    names = [*numeric, *categorical]
    ref, cur = _subsample(reference, names, rows, rng), _subsample(current, names, rows, rng)
    block, target, labels = _stacked(ref, cur, numeric, categorical)
    n_ref = len(ref)
    mean = np.nanmean(block[:n_ref], axis=0) if n_ref and block.size else 0.0
    std = np.nanstd(block[:n_ref], axis=0) if n_ref and block.size else 1.0
    scaled = np.nan_to_num((block - mean) / np.where(std > 0, std, 1.0))
    dummies = [pd.get_dummies(column, dtype=np.float64).to_numpy() for column in labels]
    points = np.column_stack([scaled, *dummies]) if dummies else scaled
    squared = np.sum(points**2, axis=1)
    distances = np.maximum(squared[:, None] + squared[None, :] - 2.0 * points @ points.T, 0.0)
    positive = distances[distances > 0]
    bandwidth = float(np.median(positive)) if positive.size else 1.0
    kernel = np.exp(-distances / bandwidth)
    n_cur = len(target) - n_ref
    observed = np.where(target == 0, 1.0 / n_ref, -1.0 / n_cur)
    # Column 0 is the observed split, the others independent shuffles of it.
    signs = rng.permuted(np.repeat(observed[:, None], permutations + 1, axis=1), axis=0)
    signs[:, 0] = observed
    mmd2 = np.einsum("ij,ij->j", signs, kernel @ signs)
    p_value = (1.0 + np.sum(mmd2[1:] >= mmd2[0])) / (1.0 + permutations)
    return float(mmd2[0]), float(p_value), len(target)
