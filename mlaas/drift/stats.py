"""Two-sample statistics, vectorised: no Python loop over rows, and agreeing with SciPy.

Numeric columns arrive sorted (the engine sorts each column once) and every numeric statistic is
read off one merge of the two sorted arrays: KS and Wasserstein are both functionals of the two
empirical CDFs on the merged support, so the largest sample is sorted once and never searched
value by value. Categorical columns arrive as aligned count vectors. The tests check every
statistic and p-value against SciPy (`ks_2samp`, `wasserstein_distance`, `chi2_contingency`,
`jensenshannon`) to 1e-9, except the KS p-value of very large samples (see `ks_p_value`).
No SciPy module is imported up front: `scipy.stats` adds ~50 MB of resident memory and is needed
only for the exact KS p-value of small samples, so it is imported there; even `scipy.special`
costs ~29 MB (it pulls in numpy.testing, f2py and array-api-compat) for what is, at integer
degrees of freedom, a closed form (`chi2_sf`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mlaas.drift.kolmogorov import kolmogorov_sf

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

PSI_BINS = 10  # reference-quantile bins: about equal reference mass per bin
PSI_EPSILON = 1e-4  # floor on bin shares so an empty bin gives a large, finite PSI term


@dataclass(frozen=True, slots=True)
class NumericStats:
    ks: float
    ks_p_value: float
    wasserstein: float  # in the column's units
    wasserstein_norm: float  # in reference standard deviations (raw if the reference is constant)
    psi: float


@dataclass(frozen=True, slots=True)
class CategoricalStats:
    chi2: float
    chi2_p_value: float
    jensen_shannon: float  # distance, base 2: 0 identical, 1 disjoint
    psi: float


KS_EXACT_P_MAX_N = 20_000  # effective sample size up to which SciPy's own p-value is used


def ks_p_value(statistic: float, n_reference: int, n_current: int) -> float:
    """Two-sided p-value of the two-sample KS statistic: Smirnov's asymptotic distribution,
    SciPy's `ks_2samp(method="asymp")`, i.e. `kstwo.sf(D, round(n1*n2/(n1+n2)))`.

    Up to an effective size of 20,000 (every window against the profile's 5,000-row sample)
    this calls `kstwo.sf` and equals SciPy exactly; above, where `kstwo.sf` can take a second,
    the Pelz-Good expansion (within 2e-8 of it). SciPy's default `auto` would pick its exact
    method below 10,000 rows per side, an O(n1*n2) recursion; the tests bound the gap."""
    m, n = sorted((float(n_reference), float(n_current)), reverse=True)
    en = float(np.round(m * n / (m + n)))
    if en < 1:  # one row on each side: SciPy returns NaN; no evidence either way
        return 1.0
    if en > KS_EXACT_P_MAX_N:
        return kolmogorov_sf(en, statistic)
    from scipy.stats import kstwo  # ~50 MB resident: only where it is used

    return float(np.clip(kstwo.sf(statistic, en), 0.0, 1.0))


def chi2_sf(dof: int, statistic: float) -> float:
    """P(X >= statistic) for X chi-squared with `dof` (a positive integer) degrees of freedom,
    i.e. SciPy's `chi2.sf` / `special.chdtrc`. It is the regularised upper incomplete gamma
    Q(dof/2, x/2), which at integer and half-integer orders is a finite sum of positive
    terms (Abramowitz & Stegun 6.5.13 and 6.5.18 with 26.2.4): no cancellation, each term
    taken in log space so large statistics underflow to 0 gracefully, as SciPy's do."""
    if statistic <= 0.0:
        return 1.0
    half = statistic / 2.0
    log_half = math.log(half)
    if dof % 2 == 0:  # e^-h * sum_{k < n} h^k / k!
        orders = [float(k) for k in range(dof // 2)]
        base = 0.0
    else:  # erfc(sqrt h) + e^-h * sum_{k < n} h^(k + 1/2) / Gamma(k + 3/2)
        orders = [k + 0.5 for k in range(dof // 2)]
        base = math.erfc(math.sqrt(half))
    terms = (math.exp(-half + order * log_half - math.lgamma(order + 1)) for order in orders)
    return min(base + math.fsum(terms), 1.0)


def _rel_entr_sum(p: FloatArray, m: FloatArray) -> float:
    """sum(p * ln(p / m)) with 0 ln 0 = 0 (SciPy's `rel_entr`; m > 0 wherever p > 0)."""
    present = p > 0
    return float(np.sum(p[present] * np.log(p[present] / m[present])))


MERGE_CHUNK = 1 << 16  # merged positions per step: bounds the temporaries at a few MB


def ks_wasserstein(
    reference: FloatArray, current: FloatArray, chunk: int = MERGE_CHUNK
) -> tuple[float, float]:
    """KS statistic and Wasserstein-1 distance of two sorted samples, read off their merge.

    Both are functionals of F_ref - F_cur on the merged support: KS its largest absolute value
    at the end of each run of ties, Wasserstein the sum of |F_ref - F_cur| times the step to
    the next merged value. The merge is walked in chunks, so beyond the two inputs memory
    stays at a few MB whatever the sizes (a whole-array merge needs ~40 bytes per row, and
    columns run two at a time). ECDFs divide counts by sizes exactly as SciPy does."""
    n_ref, n_cur = reference.size, current.size
    total = n_ref + n_cur
    # Merged position of each reference value; it goes before equal current values: inside
    # a run of ties the order does not matter, only the end of the run is read.
    ref_at = np.searchsorted(current, reference, side="left")
    ref_at += np.arange(n_ref)
    ks, wasserstein = 0.0, 0.0
    for start in range(0, total, chunk):
        stop = min(start + chunk, total)
        end = min(stop + 1, total)  # one value past the chunk: the last step
        first, last = np.searchsorted(ref_at, (start, end))
        from_reference = np.zeros(end - start, dtype=np.bool_)
        from_reference[ref_at[first:last] - start] = True
        merged = np.empty(end - start, dtype=np.float64)
        merged[from_reference] = reference[first:last]
        merged[~from_reference] = current[start - first : end - last]
        steps = np.diff(merged)  # to the next merged value; 0 inside a run of ties
        size = stop - start
        # int32 counts halve the memory traffic (sizes < 2**31).
        counts = np.cumsum(from_reference[:size], dtype=np.int32)
        counts += np.int32(first)  # reference values up to and including each position
        gap = counts / n_ref
        np.subtract(np.arange(start + 1, stop + 1, dtype=np.int32), counts, out=counts)
        gap -= counts / n_cur
        distance = np.abs(gap, out=gap)
        run_end = np.empty(size, dtype=np.bool_)
        np.not_equal(steps[:size], 0.0, out=run_end[: steps.size])
        if stop == total:
            run_end[-1] = True  # the last value closes the last run
        ks = max(ks, float(np.max(distance, where=run_end, initial=0.0)))
        # Inside a run of ties the step is 0, so the gaps read there contribute nothing.
        # einsum, not np.dot: a single-threaded SIMD loop, where BLAS would wake its threads.
        used = min(size, steps.size)
        wasserstein += float(np.einsum("i,i->", distance[:used], steps[:used]))
    return ks, wasserstein


def _psi(reference_counts: IntArray, current_counts: IntArray) -> float:
    """Population stability index, sum((c - r) * ln(c / r)) over bins of shares."""
    r = np.maximum(reference_counts / max(int(reference_counts.sum()), 1), PSI_EPSILON)
    c = np.maximum(current_counts / max(int(current_counts.sum()), 1), PSI_EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


def psi_bin_counts(values_sorted: FloatArray, edges: FloatArray) -> IntArray:
    """Counts in (-inf, e0), [e0, e1), ..., [e_k-1, e_k], (e_k, inf): values outside the
    reference range get bins of their own, so a shift out of range shows in the PSI."""
    lower = edges[:-1] if edges.size > 1 else edges
    cuts = np.concatenate(
        (
            np.searchsorted(values_sorted, lower, side="left"),
            np.searchsorted(values_sorted, edges[-1:], side="right"),
        )
    )
    return np.diff(cuts, prepend=0, append=values_sorted.size).astype(np.int64)


def psi_edges(reference_sorted: FloatArray) -> FloatArray:
    return np.unique(np.quantile(reference_sorted, np.linspace(0.0, 1.0, PSI_BINS + 1)))


def numeric_stats(reference_sorted: FloatArray, current_sorted: FloatArray) -> NumericStats:
    """KS (two-sided), Wasserstein-1 and PSI of two non-empty sorted samples."""
    ks, wasserstein = ks_wasserstein(reference_sorted, current_sorted)
    std = float(np.std(reference_sorted))
    edges = psi_edges(reference_sorted)
    psi = _psi(psi_bin_counts(reference_sorted, edges), psi_bin_counts(current_sorted, edges))
    return NumericStats(
        ks=ks,
        ks_p_value=ks_p_value(ks, reference_sorted.size, current_sorted.size),
        wasserstein=wasserstein,
        wasserstein_norm=wasserstein / std if std > 0 else wasserstein,
        psi=psi,
    )


def categorical_stats(reference_counts: IntArray, current_counts: IntArray) -> CategoricalStats:
    """Chi-squared test of homogeneity on the 2xK table (SciPy `chi2_contingency` without
    Yates' correction: the two samples are both random, so a goodness-of-fit test against
    the reference shares would understate the noise), Jensen-Shannon distance and PSI over
    the union of categories. Categories seen on neither side are dropped."""
    seen = (reference_counts + current_counts) > 0
    table = np.stack((reference_counts[seen], current_counts[seen])).astype(np.float64)
    p = table[0] / table[0].sum()
    q = table[1] / table[1].sum()
    m = (p + q) / 2.0
    js = (_rel_entr_sum(p, m) + _rel_entr_sum(q, m)) / np.log(2.0)
    dof = table.shape[1] - 1
    if dof == 0:
        chi2, chi2_p = 0.0, 1.0
    else:
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
        chi2 = float(np.sum((table - expected) ** 2 / expected))
        chi2_p = chi2_sf(dof, chi2)
    return CategoricalStats(
        chi2=chi2,
        chi2_p_value=chi2_p,
        jensen_shannon=float(np.sqrt(max(js, 0.0) / 2.0)),
        psi=_psi(reference_counts[seen], current_counts[seen]),
    )
