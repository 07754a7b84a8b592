"""Random forests (scikit-learn): explained by decision paths; more trees on new rows."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from mlaas.families.base import Family, picked


class RandomForestFamily(Family):
    name = "random_forest"
    tasks = ("classification", "regression")
    params = frozenset(
        {"n_estimators", "max_depth", "min_samples_leaf", "max_features", "class_weight"}
    )
    estimator_types = ("RandomForestClassifier", "RandomForestRegressor")
    trusted_types = ("sklearn.tree._tree.Tree",)
    warm_startable = True

    def build(self, classification: bool, params: dict[str, Any], seed: int) -> Any:
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        forest = RandomForestClassifier if classification else RandomForestRegressor
        return forest(n_jobs=1, random_state=seed, **params)

    def margin(self, model: Any, X: np.ndarray, classification: bool) -> np.ndarray:
        """Probabilities (the positive class's for binary) or values: what paths add up to."""
        if not classification:
            return np.asarray(model.predict(X))
        proba = np.asarray(model.predict_proba(X))
        return proba[:, 1] if proba.shape[1] == 2 else proba

    def scores(
        self, model: Any, X: np.ndarray, classification: bool, cache: dict[str, Any]
    ) -> np.ndarray:
        return np.asarray(model.predict_proba(X) if classification else model.predict(X))

    def contributions(
        self, model: Any, X: np.ndarray, margin: np.ndarray, cache: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The decision-path decomposition (Saabas): each split's change in the node value
        goes to the split feature; in probability (classifiers) or value (regressors)."""
        n = X.shape[0]
        matrices, bases = _paths(model, X.shape[1], cache)
        indicator = model.decision_path(X)[0]
        if len(matrices) <= 2:  # regression (one output) or binary: class 1
            k = len(matrices) - 1
            return np.asarray((indicator @ matrices[k]).toarray()), np.full(n, bases[k])
        pick = picked(margin)
        assert pick is not None
        contrib = np.stack([(indicator @ m).toarray() for m in matrices], axis=1)
        return contrib[np.arange(n), pick], bases[pick]

    def importance(self, model: Any, categorical_columns: list[list[int]]) -> np.ndarray:
        return np.asarray(model.feature_importances_, dtype=float)

    def continue_training(
        self, model: Any, X: np.ndarray, y: Any, share: float
    ) -> tuple[Any, dict[str, str]]:
        """More trees (warm_start), grown on the new rows only."""
        before = len(model.estimators_)
        added = max(1, round(before * share))
        new = copy.deepcopy(model).set_params(warm_start=True, n_estimators=before + added)
        new.fit(X, y)
        return new, {"trees_before": str(before), "trees_added": str(added)}


def _paths(model: Any, n_columns: int, cache: dict[str, Any]) -> tuple[list[Any], np.ndarray]:
    """Per output k: sparse (all nodes x columns) of value changes at each split, and the bases."""
    from scipy import sparse

    cached = cache.get("forest_paths")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    trees = model.estimators_
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
    shape = (offset, n_columns)
    row, col, delta = np.concatenate(rows), np.concatenate(cols), np.concatenate(deltas)
    matrices = [
        sparse.csr_matrix((delta[:, k] / len(trees), (row, col)), shape=shape)
        for k in range(delta.shape[1])
    ]
    result = (matrices, np.mean(roots, axis=0))
    cache["forest_paths"] = result
    return result


FAMILY = RandomForestFamily()
