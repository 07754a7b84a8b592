"""Per-row contributions and global importance, per spec feature.

Contributions are computed per encoded column and summed back to spec features (all one-hot
columns of a category count for that category's feature); `_base` is the expected value /
intercept. The contributions plus `_base` add up to the explained output (tested to 1e-6);
each family computes its own (`mlaas.families`):
- LightGBM: exact TreeSHAP (`pred_contrib`), in log-odds for classifiers;
- linear models: coef * scaled value (exact), `_base` = intercept; log-odds for classifiers;
- random forests: the decision-path decomposition (Saabas): each split's change in the node
  value goes to the split feature; in probability (classifiers) or value (regressors).
Binary classifiers explain the positive class (`classes[1]`), multi-class the predicted class;
`class_index` asks for another class (binary: class 0 is the positive class's log-odds negated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlaas.families import ExplanationUnavailable
from mlaas.families.base import picked

if TYPE_CHECKING:
    from mlaas.serving.compiled import CompiledPipeline

BASE = "_base"
__all__ = ["BASE", "ExplanationUnavailable", "explain", "explained_output", "importance"]


def _owners(compiled: CompiledPipeline, feature_names: list[str]) -> np.ndarray:
    """(encoded columns x spec features) 0/1 matrix: which feature each column belongs to."""
    cached = compiled.cache.get("owners")
    if cached is None:
        index = {name: i for i, name in enumerate(feature_names)}
        cached = np.zeros((compiled.encoding.n_columns, len(feature_names)))
        for column, owner in enumerate(compiled.encoding.column_features()):
            if owner:
                cached[column, index[owner]] = 1.0
        compiled.cache["owners"] = cached
    return np.asarray(cached)


def _aimed(margin: np.ndarray, class_index: int | None) -> np.ndarray:
    """What the families read the explained class from (`picked`): the margin itself, or a
    one-hot on `class_index` for a multi-class model."""
    if class_index is None or margin.ndim == 1:
        return margin
    aimed = np.zeros_like(margin)
    aimed[:, class_index] = 1.0
    return aimed


def _negated(margin: np.ndarray, class_index: int | None) -> bool:
    """A binary model asked for class 0: its 1-D output is class 1's; class 0's is minus it."""
    return margin.ndim == 1 and class_index == 0


def explained_output(
    compiled: CompiledPipeline, X: np.ndarray, class_index: int | None = None
) -> np.ndarray:
    """(n,) the value the contributions of `explain` add up to."""
    margin = compiled.margin(X)
    if _negated(margin, class_index):
        return -margin
    pick = picked(_aimed(margin, class_index))
    return margin if pick is None else np.asarray(margin[np.arange(len(X)), pick])


def _encoded(
    compiled: CompiledPipeline, X: np.ndarray, class_index: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(contributions (n, encoded columns), base (n,)) of the explained output."""
    margin = compiled.margin(X)
    contributions, base = compiled.kind.contributions(
        compiled.estimator, X, _aimed(margin, class_index), compiled.cache
    )
    if _negated(margin, class_index):
        return -contributions, -base
    return contributions, base


def explain(
    compiled: CompiledPipeline,
    X: np.ndarray,
    feature_names: list[str],
    class_index: int | None = None,
) -> list[dict[str, float]]:
    """Per row: {spec feature: contribution, ..., "_base": base}."""
    contributions, base = _encoded(compiled, X, class_index)
    per_feature = contributions @ _owners(compiled, feature_names)
    return [
        {**dict(zip(feature_names, row, strict=True)), BASE: b}
        for row, b in zip(per_feature.tolist(), base.tolist(), strict=True)
    ]


def _encoded_importance(compiled: CompiledPipeline) -> np.ndarray:
    columns = [list(c.values()) for c in compiled.encoding.categorical_columns]
    return compiled.kind.importance(compiled.estimator, columns)


def importance(compiled: CompiledPipeline, feature_names: list[str]) -> dict[str, float]:
    """Global importance per spec feature, summing to 1 (all 0 when the model uses nothing)."""
    per_feature = _encoded_importance(compiled) @ _owners(compiled, feature_names)
    total = float(per_feature.sum())
    if total > 0:
        per_feature = per_feature / total
    return dict(zip(feature_names, per_feature.tolist(), strict=True))
