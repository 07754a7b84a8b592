"""Per-row contributions and global importance, per spec feature.

Contributions are computed per encoded column and summed back to spec features (all one-hot
columns of a category count for that category's feature); `_base` is the expected value /
intercept. The contributions plus `_base` add up to the explained output (tested to 1e-6):
- LightGBM: exact TreeSHAP (`pred_contrib`), in log-odds for classifiers;
- linear models: coef * scaled value (exact), `_base` = intercept; log-odds for classifiers;
- random forests: the decision-path decomposition (Saabas): each split's change in the node
  value goes to the split feature; in probability (classifiers) or value (regressors).
Binary classifiers explain the positive class (`classes[1]`), multi-class the predicted class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mlaas.errors import Invalid

if TYPE_CHECKING:
    from mlaas.serving.compiled import CompiledPipeline

BASE = "_base"


class ExplanationUnavailable(Invalid):
    """This kind of model has no explanation method here."""

    code = "explanation_unavailable"


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


def _pick(margin: np.ndarray) -> np.ndarray | None:
    """Class index explained per row (multi-class: the predicted one); None for 1-D outputs."""
    return None if margin.ndim == 1 else np.asarray(margin.argmax(axis=1))


def explained_output(compiled: CompiledPipeline, X: np.ndarray) -> np.ndarray:
    """(n,) the value the contributions of `explain` add up to."""
    margin = compiled.margin(X)
    pick = _pick(margin)
    return margin if pick is None else np.asarray(margin[np.arange(len(X)), pick])


def _forest_paths(compiled: CompiledPipeline) -> tuple[list[Any], np.ndarray]:
    """Per output k: sparse (all nodes x columns) of value changes at each split, and the bases."""
    from scipy import sparse

    cached = compiled.cache.get("forest_paths")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    trees = compiled.estimator.estimators_
    rows, cols, deltas, roots, offset = [], [], [], [], 0
    for tree in (t.tree_ for t in trees):
        value = tree.value[:, 0, :]  # class fractions (classifier) or the mean (regressor)
        parent = np.full(tree.node_count, -1)
        for children in (tree.children_left, tree.children_right):
            has = children >= 0
            parent[children[has]] = np.flatnonzero(has)
        child = np.flatnonzero(parent >= 0)
        rows.append(child + offset)
        cols.append(tree.feature[parent[child]])
        deltas.append(value[child] - value[parent[child]])
        roots.append(value[0])
        offset += tree.node_count
    shape = (offset, compiled.encoding.n_columns)
    row, col, delta = np.concatenate(rows), np.concatenate(cols), np.concatenate(deltas)
    matrices = [
        sparse.csr_matrix((delta[:, k] / len(trees), (row, col)), shape=shape)
        for k in range(delta.shape[1])
    ]
    result = (matrices, np.mean(roots, axis=0))
    compiled.cache["forest_paths"] = result
    return result


def _encoded(compiled: CompiledPipeline, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(contributions (n, encoded columns), base (n,)) of the explained output."""
    n, p = X.shape
    rows = np.arange(n)
    est = compiled.estimator
    if compiled.family == "lightgbm":
        raw = np.asarray(est.booster_.predict(X, pred_contrib=True, num_threads=1))
        if raw.shape[1] == p + 1:
            return raw[:, :p], raw[:, p]
        per_class = raw.reshape(n, -1, p + 1)
        chosen = per_class[rows, _pick(compiled.margin(X))]
        return chosen[:, :p], chosen[:, p]
    if compiled.family in ("logistic_regression", "ridge"):
        coef, intercept = np.atleast_2d(est.coef_), np.atleast_1d(est.intercept_)
        if coef.shape[0] == 1:
            return X * coef[0], np.full(n, float(intercept[0]))
        pick = _pick(compiled.margin(X))
        return X * coef[pick], intercept[pick]
    if compiled.family == "random_forest":
        matrices, bases = _forest_paths(compiled)
        indicator = est.decision_path(X)[0]
        if len(matrices) <= 2:  # regression (one output) or binary: class 1
            k = len(matrices) - 1
            return np.asarray((indicator @ matrices[k]).toarray()), np.full(n, bases[k])
        pick = _pick(compiled.margin(X))
        assert pick is not None
        contrib = np.stack([(indicator @ m).toarray() for m in matrices], axis=1)
        return contrib[rows, pick], bases[pick]
    raise ExplanationUnavailable(f"no explanation method for family {compiled.family!r}")


def explain(
    compiled: CompiledPipeline, X: np.ndarray, feature_names: list[str]
) -> list[dict[str, float]]:
    """Per row: {spec feature: contribution, ..., "_base": base}."""
    contributions, base = _encoded(compiled, X)
    per_feature = contributions @ _owners(compiled, feature_names)
    return [
        {**dict(zip(feature_names, row, strict=True)), BASE: b}
        for row, b in zip(per_feature.tolist(), base.tolist(), strict=True)
    ]


def _encoded_importance(compiled: CompiledPipeline) -> np.ndarray:
    est = compiled.estimator
    if compiled.family == "lightgbm":
        return np.asarray(est.booster_.feature_importance(importance_type="gain"), dtype=float)
    if compiled.family == "random_forest":
        return np.asarray(est.feature_importances_, dtype=float)
    # Linear: spread of each column's contribution. A scaled numeric column has std 1 on the
    # training rows, so |coef|; a category's spread is the std of its one-hot coefficients
    # (equal category weights: the pipeline keeps no category frequencies). Classes averaged.
    coef = np.abs(np.atleast_2d(est.coef_)).mean(axis=0)
    spread = coef.copy()
    signed = np.atleast_2d(est.coef_)
    for columns in compiled.encoding.categorical_columns:
        index = list(columns.values())
        spread[index] = 0.0
        if index:
            spread[index[0]] = float(np.std(signed[:, index], axis=1).mean())
    return np.asarray(spread)


def importance(compiled: CompiledPipeline, feature_names: list[str]) -> dict[str, float]:
    """Global importance per spec feature, summing to 1 (all 0 when the model uses nothing)."""
    per_feature = _encoded_importance(compiled) @ _owners(compiled, feature_names)
    total = float(per_feature.sum())
    if total > 0:
        per_feature = per_feature / total
    return dict(zip(feature_names, per_feature.tolist(), strict=True))
