"""The promotion gate: floors in both directions, the paired bootstrap, margins, determinism."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.metrics import mean_squared_error, roc_auc_score

from mlaas.gate import decide, paired_bootstrap_p_value
from mlaas.refs import GateDecision
from mlaas.specs import Gate

Array = NDArray[np.float64]


def roc_auc(y: Array, scores: Array) -> float:
    return float(roc_auc_score(y, scores))


def rmse(y: Array, predictions: Array) -> float:
    return float(np.sqrt(mean_squared_error(y, predictions)))


def classification(n: int, *, seed: int = 0) -> Array:
    return np.random.default_rng(seed).integers(0, 2, n).astype(float)


def noisy_scores(y: Array, noise: float, *, seed: int) -> Array:
    return y + np.random.default_rng(seed).normal(0.0, noise, len(y))


def gate_auc(
    gate: Gate, y: Array, challenger: Array, champion: Array | None, *, seed: int = 0
) -> GateDecision:
    return decide(
        gate,
        metric="roc_auc",
        higher_is_better=True,
        y_true=y,
        challenger_scores=challenger,
        champion_scores=champion,
        champion_version=None if champion is None else "3",
        scorer=roc_auc,
        seed=seed,
    )


def gate_rmse(gate: Gate, y: Array, challenger: Array, champion: Array | None) -> GateDecision:
    return decide(
        gate,
        metric="rmse",
        higher_is_better=False,
        y_true=y,
        challenger_scores=challenger,
        champion_scores=champion,
        champion_version=None if champion is None else "7",
        scorer=rmse,
        seed=0,
    )


def test_fail_gate_below_floor_for_higher_is_better_metric() -> None:
    y = classification(300)
    weak = noisy_scores(y, 2.0, seed=1)
    decision = gate_auc(Gate(min_metric=0.9), y, weak, None)
    assert not decision.passed
    assert decision.challenger_metric == pytest.approx(roc_auc(y, weak))
    assert decision.challenger_metric < 0.9
    assert "fails the floor roc_auc >= 0.9" in decision.reason
    assert decision.p_value is None


def test_fail_gate_above_ceiling_for_lower_is_better_metric() -> None:
    y = np.random.default_rng(0).normal(0.0, 10.0, 300)
    predictions = y + np.random.default_rng(1).normal(0.0, 1.0, 300)
    assert rmse(y, predictions) > 0.5
    decision = gate_rmse(Gate(min_metric=0.5), y, predictions, None)
    assert not decision.passed
    assert "fails the floor rmse <= 0.5" in decision.reason
    assert gate_rmse(Gate(min_metric=2.0), y, predictions, None).passed


def test_pass_gate_without_champion_when_floor_is_met() -> None:
    y = classification(300)
    decision = gate_auc(Gate(min_metric=0.6), y, noisy_scores(y, 0.5, seed=1), None)
    assert decision.passed
    assert "no champion yet" in decision.reason
    assert decision.champion_metric is None
    assert decision.p_value is None


def test_pass_gate_for_clearly_better_challenger() -> None:
    y = classification(400)
    champion = noisy_scores(y, 1.5, seed=1)
    challenger = noisy_scores(y, 0.4, seed=2)
    gate = Gate(significance_level=0.05, bootstrap_samples=300)
    decision = gate_auc(gate, y, challenger, champion)
    assert decision.passed
    assert decision.p_value is not None and decision.p_value < 0.05
    assert decision.champion_metric is not None
    assert decision.challenger_metric > decision.champion_metric
    assert decision.champion_version == "3"
    assert "beats champion v3" in decision.reason


def test_fail_gate_for_identical_models() -> None:
    y = classification(200)
    scores = noisy_scores(y, 0.8, seed=1)
    decision = gate_auc(Gate(bootstrap_samples=200), y, scores, scores.copy())
    assert not decision.passed
    assert decision.p_value == pytest.approx(1.0)
    assert "does not beat" in decision.reason


def test_fail_gate_for_slightly_better_but_noisy_challenger_on_few_rows() -> None:
    y = classification(40, seed=7)
    champion = noisy_scores(y, 1.0, seed=8)
    challenger = champion + np.random.default_rng(9).normal(0.0, 0.3, len(y))
    assert roc_auc(y, challenger) > roc_auc(y, champion)  # better on the whole holdout ...
    decision = gate_auc(Gate(bootstrap_samples=500), y, challenger, champion)
    assert not decision.passed  # ... but not significantly
    assert decision.p_value is not None and decision.p_value > 0.05


def test_respect_the_improvement_margin() -> None:
    y = np.random.default_rng(0).normal(0.0, 10.0, 500)
    champion = y + np.random.default_rng(1).normal(0.0, 1.0, 500)
    challenger = y + 0.99 * (champion - y)  # 1% smaller error on every row: rmse ~0.01 better
    gain = rmse(y, champion) - rmse(y, challenger)
    assert 0.005 < gain < 0.02
    without_margin = gate_rmse(Gate(bootstrap_samples=200), y, challenger, champion)
    assert without_margin.passed
    with_margin = gate_rmse(
        Gate(min_improvement=0.05, bootstrap_samples=200), y, challenger, champion
    )
    assert not with_margin.passed
    assert with_margin.p_value == pytest.approx(1.0)
    assert "by more than 0.05" in with_margin.reason


def test_give_same_p_value_for_same_seed() -> None:
    y = classification(60, seed=8)
    champion = noisy_scores(y, 1.0, seed=9)
    challenger = noisy_scores(y, 0.9, seed=10)

    def p_value(seed: int) -> float:
        return paired_bootstrap_p_value(
            y,
            challenger,
            champion,
            scorer=roc_auc,
            higher_is_better=True,
            margin=0.0,
            samples=100,
            seed=seed,
        )

    assert p_value(1) == p_value(1)
    assert p_value(1) != p_value(2)
    first = gate_auc(Gate(bootstrap_samples=100), y, challenger, champion, seed=4)
    assert gate_auc(Gate(bootstrap_samples=100), y, challenger, champion, seed=4) == first


def test_skip_one_class_resamples_without_counting_them() -> None:
    y = np.array([1.0, 0, 0, 0, 0, 0, 0, 0])  # most resamples of 8 rows hold 0 or 1 positive
    scores = np.linspace(0.9, 0.1, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # undefined resamples must not spray warnings either
        p = paired_bootstrap_p_value(
            y,
            scores,
            scores.copy(),
            scorer=roc_auc,
            higher_is_better=True,
            margin=0.0,
            samples=300,
            seed=0,
        )
    assert p == pytest.approx(1.0)  # identical models: no resample may count as "better"


def test_skip_resamples_whose_scorer_raises() -> None:
    def strict_auc(y: Array, scores: Array) -> float:
        if len(np.unique(y)) < 2:
            raise ValueError("Only one class present in y_true")
        return roc_auc(y, scores)

    y = np.array([1.0, 0, 0, 0, 0, 0, 0, 0])
    better = np.array([0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    worse = np.array([0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    p = paired_bootstrap_p_value(
        y, better, worse, scorer=strict_auc, higher_is_better=True, margin=0.0, samples=300, seed=0
    )
    assert 0.0 < p < 0.05


def test_return_p_value_one_when_no_resample_is_defined() -> None:
    y = np.zeros(10)
    scores = np.linspace(0.0, 1.0, 10)
    p = paired_bootstrap_p_value(
        y, scores, scores[::-1].copy(), scorer=roc_auc, higher_is_better=True, margin=0.0,
        samples=100, seed=0,
    )  # fmt: skip
    assert p == 1.0
