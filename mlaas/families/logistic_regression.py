"""Logistic regression (scikit-learn): L2, or elastic net with `l1_ratio`; warm-startable."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from mlaas.families.base import with_negative_class
from mlaas.families.linear import LinearFamily


class LogisticRegressionFamily(LinearFamily):
    name = "logistic_regression"
    tasks = ("classification",)
    params = frozenset({"C", "l1_ratio", "class_weight"})
    estimator_types = ("LogisticRegression",)
    warm_startable = True

    def build(self, classification: bool, params: dict[str, Any], seed: int) -> Any:
        from sklearn.linear_model import LogisticRegression

        options = dict(params)
        if options.get("l1_ratio"):  # elastic net needs saga; l1_ratio=0 is plain L2 (lbfgs)
            options["solver"] = "saga"
        return LogisticRegression(max_iter=2000, random_state=seed, **options)

    def scores(
        self, model: Any, X: np.ndarray, classification: bool, cache: dict[str, Any]
    ) -> np.ndarray:
        """sklearn's expit (binary) / softmax (multinomial) of the decision values."""
        from scipy.special import expit

        decision = self.margin(model, X, classification)
        if decision.ndim == 1:
            return with_negative_class(np.asarray(expit(decision)))
        shifted = np.exp(decision - decision.max(axis=1, keepdims=True))
        return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))

    def continue_training(
        self, model: Any, X: np.ndarray, y: Any, share: float
    ) -> tuple[Any, dict[str, str]]:
        """The solver starts from the champion's coefficients (warm_start). The loss is convex,
        so this converges to the fit on the new rows; it only gets there sooner."""
        new = copy.deepcopy(model).set_params(warm_start=True)
        new.fit(X, y)
        return new, {"iterations": str(int(max(new.n_iter_)))}


FAMILY = LogisticRegressionFamily()
