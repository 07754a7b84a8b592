"""The promotion gate: may a challenger replace the champion?

Both models are scored on the challenger's holdout (the same rows), then a one-sided paired
bootstrap asks whether the challenger beats the champion by at least the spec's margin. Resampling
rows keeps the pairing (both models see the same resample), and works for any metric, including
ones that do not decompose per row, like ROC AUC.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from mlaas.refs import GateDecision
from mlaas.specs import Gate
from mlaas.training.metrics import MetricUndefined

Scorer = Callable[[NDArray[np.float64], NDArray[np.float64]], float]


def paired_bootstrap_p_value(
    y_true: NDArray[np.float64],
    challenger: NDArray[np.float64],
    champion: NDArray[np.float64],
    *,
    scorer: Scorer,
    higher_is_better: bool,
    margin: float,
    samples: int,
    seed: int,
) -> float:
    """P(challenger's improvement <= margin) under the paired bootstrap; small means 'better'."""
    rng = np.random.default_rng(seed)
    n = len(y_true)
    sign = 1.0 if higher_is_better else -1.0
    not_better = 0
    evaluated = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns on every undefined resample
        for _ in range(samples):
            idx = rng.integers(0, n, n)
            y = y_true[idx]
            try:
                diff = sign * (scorer(y, challenger[idx]) - scorer(y, champion[idx]))
            except ValueError:  # e.g. a resample with one class only: ROC AUC is undefined
                continue
            if not math.isfinite(diff):  # sklearn >= 1.8 returns nan there instead of raising
                continue
            evaluated += 1
            if diff <= margin:
                not_better += 1
    return (not_better + 1) / (evaluated + 1)


def meets_floor(value: float, floor: float | None, *, higher_is_better: bool) -> bool:
    if floor is None:
        return True
    return value >= floor if higher_is_better else value <= floor


def decide(
    gate: Gate,
    *,
    metric: str,
    higher_is_better: bool,
    y_true: NDArray[np.float64],
    challenger_scores: NDArray[np.float64],
    champion_scores: NDArray[np.float64] | None,
    champion_version: str | None,
    scorer: Scorer,
    seed: int,
) -> GateDecision:
    """Apply the spec's gate; the reason is written so an operator can act on it."""
    try:
        challenger_value = scorer(y_true, challenger_scores)
        champion_value = None if champion_scores is None else scorer(y_true, champion_scores)
    except MetricUndefined as undefined:
        return GateDecision(
            passed=False,
            reason=f"{metric} cannot be computed on the {len(y_true)} evaluation rows "
            f"({undefined}): no fair comparison, not promoted. Hold out more rows (a larger "
            "training.holdout.fraction), use training.holdout.strategy: random (stratified), "
            "or choose a primary metric defined on these rows (accuracy, log_loss)",
            champion_version=champion_version,
        )
    if not meets_floor(challenger_value, gate.min_metric, higher_is_better=higher_is_better):
        bound = ">=" if higher_is_better else "<="
        return GateDecision(
            passed=False,
            reason=f"{metric}={challenger_value:.6g} fails the floor {metric} {bound} "
            f"{gate.min_metric}",
            challenger_metric=challenger_value,
        )
    if champion_scores is None:
        return GateDecision(
            passed=True,
            reason=f"no champion yet; {metric}={challenger_value:.6g} meets the floor",
            challenger_metric=challenger_value,
        )
    assert champion_value is not None
    p_value = paired_bootstrap_p_value(
        y_true,
        challenger_scores,
        champion_scores,
        scorer=scorer,
        higher_is_better=higher_is_better,
        margin=gate.min_improvement,
        samples=gate.bootstrap_samples,
        seed=seed,
    )
    improvement = (challenger_value - champion_value) * (1 if higher_is_better else -1)
    passed = improvement > gate.min_improvement and p_value < gate.significance_level
    verdict = "beats" if passed else "does not beat"
    return GateDecision(
        passed=passed,
        reason=f"challenger {metric}={challenger_value:.6g} {verdict} champion "
        f"v{champion_version} {metric}={champion_value:.6g} on the same holdout "
        f"by more than {gate.min_improvement} "
        f"(paired bootstrap p={p_value:.4f}, alpha={gate.significance_level})",
        challenger_metric=challenger_value,
        champion_metric=champion_value,
        champion_version=champion_version,
        p_value=p_value,
    )
