"""The vectorised statistics against SciPy on many random inputs (ties, constants, unequal
sizes), to 1e-9; PSI against a direct bin-by-bin count."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlaas.drift.stats import (
    KS_EXACT_P_MAX_N,
    PSI_EPSILON,
    categorical_stats,
    chi2_sf,
    ks_p_value,
    ks_wasserstein,
    numeric_stats,
    psi_edges,
)

TOL = 1e-9


def _numeric_pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    """Continuous, heavily tied, constant, disjoint and tiny samples of unequal sizes."""
    rng = np.random.default_rng(7)
    pairs = []
    for _ in range(40):
        n, m = rng.integers(1, 400, size=2)
        shift = rng.choice([0.0, 0.2, 1.0])
        pairs.append((rng.normal(size=n), rng.normal(shift, rng.uniform(0.5, 2), size=m)))
        pairs.append((rng.integers(0, 5, size=n) * 1.0, rng.integers(0, 7, size=m) * 1.0))
        pairs.append((np.round(rng.exponential(size=n), 1), np.round(rng.exponential(size=m), 1)))
    pairs += [
        (np.full(50, 3.0), np.full(70, 3.0)),  # identical constants
        (np.full(50, 3.0), np.full(70, 4.0)),  # disjoint constants
        (np.full(50, 3.0), rng.normal(3.0, 1.0, 70)),  # constant reference
        (np.array([1.0]), np.array([2.0])),
        (np.arange(100.0), np.arange(100.0) + 1000),  # disjoint ranges
    ]
    return pairs


@pytest.mark.filterwarnings("ignore:divide by zero")  # SciPy's p-value at 1 row per side
@pytest.mark.parametrize("index", range(len(_numeric_pairs())))
def test_numeric_statistics_equal_scipy(index: int) -> None:
    reference, current = _numeric_pairs()[index]
    found = numeric_stats(np.sort(reference), np.sort(current))
    ks = stats.ks_2samp(reference, current, method="asymp")
    assert found.ks == pytest.approx(ks.statistic, abs=TOL)
    expected_p = 1.0 if np.isnan(ks.pvalue) else ks.pvalue  # SciPy: NaN at 1 row per side
    assert found.ks_p_value == pytest.approx(expected_p, abs=TOL, rel=TOL)
    distance = stats.wasserstein_distance(reference, current)
    assert found.wasserstein == pytest.approx(distance, abs=TOL, rel=TOL)
    std = np.std(reference)
    expected_norm = distance / std if std > 0 else distance
    assert found.wasserstein_norm == pytest.approx(expected_norm, abs=TOL, rel=TOL)


def test_statistics_equal_scipy_at_scale() -> None:
    rng = np.random.default_rng(3)
    reference = np.round(rng.normal(size=60_000), 3)  # ties
    current = np.round(rng.normal(0.01, 1.0, size=200_000), 3)
    found = numeric_stats(np.sort(reference), np.sort(current))
    ks = stats.ks_2samp(reference, current, method="asymp")
    assert found.ks == pytest.approx(ks.statistic, abs=TOL)
    assert found.ks_p_value == pytest.approx(ks.pvalue, abs=1e-7)
    assert found.wasserstein == pytest.approx(
        stats.wasserstein_distance(reference, current), rel=TOL
    )


@pytest.mark.parametrize("chunk", [1, 2, 7, 64])
def test_chunked_merge_matches_scipy_across_chunk_boundaries(chunk: int) -> None:
    """The merge is walked in chunks: runs of ties and single values that straddle chunk
    edges still give SciPy's KS and Wasserstein (the default chunk is 65,536 positions)."""
    for reference, current in _numeric_pairs()[::3]:
        ks, wasserstein = ks_wasserstein(np.sort(reference), np.sort(current), chunk=chunk)
        assert ks == pytest.approx(stats.ks_2samp(reference, current).statistic, abs=TOL)
        expected = stats.wasserstein_distance(reference, current)
        assert wasserstein == pytest.approx(expected, abs=TOL, rel=TOL)


@pytest.mark.parametrize("en", [KS_EXACT_P_MAX_N + 1, 90_909])
def test_large_sample_ks_p_value_matches_scipy(en: int) -> None:
    """Above 20,000 the Pelz-Good expansion stands in for SciPy's slow `kstwo.sf` (which
    makes this test take seconds): p from 1 down to 0 (z = sqrt(n) * D)."""
    for z in np.r_[0.02, np.linspace(0.3, 4.0, 12), 8.0, 20.0]:
        d = z / np.sqrt(en)
        expected = stats.kstwo.sf(d, en)
        found = ks_p_value(d, en * 2, en * 2)
        assert found == pytest.approx(expected, abs=5e-8)
        if expected > 1e-6:
            assert found == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(("n", "m"), [(100, 150), (300, 300), (1000, 5000), (5000, 5000)])
def test_asymptotic_p_value_is_close_to_scipys_exact_default(n: int, m: int) -> None:
    """SciPy's `auto` picks its exact method at these sizes; ours stays asymptotic: close
    everywhere and very close where a verdict is decided (small p)."""
    rng = np.random.default_rng(n + m)
    for shift in np.linspace(0.0, 0.4, 9):
        reference, current = rng.normal(size=n), rng.normal(shift, size=m)
        exact = stats.ks_2samp(reference, current, method="exact").pvalue
        found = ks_p_value(stats.ks_2samp(reference, current).statistic, n, m)
        assert found == pytest.approx(exact, abs=0.03)
        if exact < 0.05:
            assert found == pytest.approx(exact, abs=0.005)


def _count_pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(11)
    pairs = []
    for _ in range(60):
        k = int(rng.integers(2, 30))
        shares = rng.dirichlet(np.ones(k))
        reference = rng.multinomial(int(rng.integers(20, 5000)), shares)
        current = rng.multinomial(int(rng.integers(20, 5000)), rng.dirichlet(shares * 50 + 0.1))
        pairs.append((reference, current))
    pairs += [
        (np.array([10, 0, 5]), np.array([3, 4, 0])),  # unseen in current, vanished category
        (np.array([10, 20, 0]), np.array([0, 20, 30])),  # unseen in reference
        (np.array([7, 0]), np.array([9, 0])),  # a single category on both sides
        (np.array([7, 0]), np.array([0, 9])),  # disjoint
    ]
    return pairs


@pytest.mark.parametrize("index", range(len(_count_pairs())))
def test_categorical_statistics_equal_scipy(index: int) -> None:
    reference, current = _count_pairs()[index]
    found = categorical_stats(reference, current)
    seen = (reference + current) > 0
    table = np.stack((reference[seen], current[seen]))
    if table.shape[1] > 1:
        chi2 = stats.chi2_contingency(table, correction=False)
        assert found.chi2 == pytest.approx(chi2.statistic, rel=TOL, abs=TOL)
        assert found.chi2_p_value == pytest.approx(chi2.pvalue, rel=TOL, abs=TOL)
    else:  # one category: nothing can differ
        assert (found.chi2, found.chi2_p_value) == (0.0, 1.0)
    assert found.jensen_shannon == pytest.approx(
        jensenshannon(reference, current, base=2), rel=TOL, abs=TOL
    )


def _naive_psi(reference: np.ndarray, current: np.ndarray, edges: np.ndarray) -> float:
    bins = [(-np.inf, edges[0], "[)")]
    if edges.size == 1:
        bins.append((edges[0], edges[0], "[]"))
    else:
        bins += [(lo, hi, "[)") for lo, hi in zip(edges[:-2], edges[1:-1], strict=True)]
        bins.append((edges[-2], edges[-1], "[]"))
    bins.append((edges[-1], np.inf, "()"))

    def share(values: np.ndarray, lo: float, hi: float, closed: str) -> float:
        above = values > lo if closed == "()" else values >= lo
        below = values <= hi if closed in ("[]", "()") else values < hi
        return max(float(np.mean(above & below)), PSI_EPSILON)

    total = 0.0
    for lo, hi, closed in bins:
        r, c = share(reference, lo, hi, closed), share(current, lo, hi, closed)
        total += (c - r) * np.log(c / r)
    return total


@pytest.mark.parametrize("index", range(len(_numeric_pairs())))
def test_numeric_psi_equals_a_direct_count(index: int) -> None:
    reference, current = _numeric_pairs()[index]
    reference, current = np.sort(reference), np.sort(current)
    expected = _naive_psi(reference, current, psi_edges(reference))
    assert numeric_stats(reference, current).psi == pytest.approx(expected, rel=TOL, abs=TOL)


def test_categorical_psi_uses_floored_shares() -> None:
    found = categorical_stats(np.array([50, 50, 0]), np.array([25, 50, 25]))
    r = np.array([0.5, 0.5, PSI_EPSILON])
    c = np.array([0.25, 0.5, 0.25])
    assert found.psi == pytest.approx(float(np.sum((c - r) * np.log(c / r))), rel=TOL)


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 7, 10, 49, 50, 301, 1000])
def test_chi2_survival_equals_scipy(dof: int) -> None:
    """The closed form against SciPy from p ~ 1 to p far below 1e-100 (relative 1e-9)."""
    for statistic in [1e-8, 0.01, 0.5, 1.0, dof / 2, dof, dof + 3 * np.sqrt(2 * dof), 4 * dof]:
        for x in (statistic, statistic + 50.0, statistic * 10 + 200.0, statistic * 40 + 900):
            expected = float(stats.chi2.sf(x, dof))
            assert chi2_sf(dof, x) == pytest.approx(expected, rel=TOL, abs=1e-300), (dof, x)
    assert chi2_sf(dof, 0.0) == 1.0
