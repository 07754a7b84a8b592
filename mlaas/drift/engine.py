"""compute_drift: every feature, the prediction and a joint test in one report.

Columns are independent, so they run on a small thread pool: the heavy steps (sorting,
searchsorted, bincount) are NumPy calls that release the GIL. Each job reads its own column
from the data's source (a frame, or parquet files read column by column) and drops it when
done, so memory holds a few columns at a time, never a second copy of the tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from mlaas.drift.columns import NumericColumn, category_counts, numeric_column
from mlaas.drift.multivariate import domain_classifier_auc, mmd_test
from mlaas.drift.results import ColumnKind, DriftReport, FeatureDrift, MultivariateDrift
from mlaas.drift.sources import ColumnSource, FrameSource, as_source
from mlaas.drift.stats import categorical_stats, numeric_stats
from mlaas.specs import DriftPolicy, ModelSpec

if TYPE_CHECKING:
    import pandas as pd

PREDICTION = "prediction"
PARALLEL_MIN_CELLS = 500_000  # below this many current values, threads cost more than they save
Predictions: TypeAlias = "np.ndarray[Any, Any] | pd.Series | None"
Data: TypeAlias = "pd.DataFrame | ColumnSource"


def _threshold(test: str, policy: DriftPolicy) -> float:
    return {
        "ks": policy.p_value_threshold,
        "chi2": policy.p_value_threshold,
        "wasserstein": policy.wasserstein_threshold,
        "psi": policy.psi_threshold,
        "jensen_shannon": policy.jensen_shannon_threshold,
    }[test]


def _verdict(
    name: str,
    kind: ColumnKind,
    test: str,
    scores: dict[str, float],
    rows: tuple[int, int],
    policy: DriftPolicy,
    enough_data: bool,
) -> FeatureDrift:
    """Read the policy's test out of the scores: p-value tests drift below the threshold,
    distance scores at or above it. Nothing drifts without enough present current values."""
    threshold = _threshold(test, policy)
    testable = min(rows) > 0
    p_value = scores.get(f"{test}_p_value") if testable else None
    statistic = scores.get(test, 0.0) if testable else 0.0
    measured = p_value < threshold if p_value is not None else statistic >= threshold
    return FeatureDrift(
        feature=name,
        kind=kind,
        test=test,
        statistic=statistic,
        p_value=p_value,
        threshold=threshold,
        drifted=testable and enough_data and rows[1] >= policy.min_rows and measured,
        reference_rows=rows[0],
        current_rows=rows[1],
        scores=scores,
    )


def _sorted_column(source: ColumnSource, name: str) -> NumericColumn:
    try:
        values = source.numeric(name)
    except (TypeError, ValueError) as error:  # text in a numeric column, say
        raise ValueError(f"numeric feature {name!r} has non-numeric values: {error}") from None
    return numeric_column(values, in_place=source.fresh_arrays)


def numeric_drift(
    name: str,
    reference: ColumnSource,
    current: ColumnSource,
    policy: DriftPolicy,
    enough_data: bool,
) -> FeatureDrift:
    """One numeric column of each side: read, sorted (the raw column is dropped), tested."""
    ref = _sorted_column(reference, name)
    cur = _sorted_column(current, name)
    scores = {
        "reference_missing_share": ref.missing_share,
        "current_missing_share": cur.missing_share,
    }
    if ref.values.size and cur.values.size:
        found = numeric_stats(ref.values, cur.values)
        scores |= {
            "ks": found.ks,
            "ks_p_value": found.ks_p_value,
            "wasserstein": found.wasserstein_norm,
            "wasserstein_raw": found.wasserstein,
            "psi": found.psi,
        }
    rows = (ref.values.size, cur.values.size)
    return _verdict(name, "numeric", policy.numeric_test, scores, rows, policy, enough_data)


def categorical_drift(
    name: str,
    reference: ColumnSource,
    current: ColumnSource,
    policy: DriftPolicy,
    enough_data: bool,
) -> FeatureDrift:
    counts = category_counts(reference.categorical(name), current.categorical(name))
    scores = {
        "reference_missing_share": counts.reference_missing_share,
        "current_missing_share": counts.current_missing_share,
    }
    rows = (int(counts.reference.sum()), int(counts.current.sum()))
    if min(rows) > 0:
        found = categorical_stats(counts.reference, counts.current)
        unseen = int(counts.current[counts.reference == 0].sum())
        scores |= {
            "chi2": found.chi2,
            "chi2_p_value": found.chi2_p_value,
            "jensen_shannon": found.jensen_shannon,
            "psi": found.psi,
            "unseen_share": unseen / rows[1],
        }
    test = policy.categorical_test
    return _verdict(name, "categorical", test, scores, rows, policy, enough_data)


def _multivariate(
    reference: ColumnSource,
    current: ColumnSource,
    numeric: Sequence[str],
    categorical: Sequence[str],
    policy: DriftPolicy,
    seed: int,
) -> MultivariateDrift | None:
    if policy.multivariate_test == "domain_classifier":
        auc = domain_classifier_auc(
            reference, current, numeric=numeric, categorical=categorical, seed=seed
        )
        if auc is None:
            return None
        threshold = policy.domain_auc_threshold
        return MultivariateDrift(
            test="domain_classifier",
            statistic=auc[0],
            threshold=threshold,
            drifted=auc[0] >= threshold,
            rows=auc[1],
        )
    if policy.multivariate_test == "mmd":
        mmd = mmd_test(reference, current, numeric=numeric, categorical=categorical, seed=seed)
        if mmd is None:
            return None
        threshold = policy.p_value_threshold
        return MultivariateDrift(
            test="mmd",
            statistic=mmd[0],
            p_value=mmd[1],
            threshold=threshold,
            drifted=mmd[1] < threshold,
            rows=mmd[2],
        )
    return None


def _run(jobs: list[Callable[[], FeatureDrift]], *, cells: int) -> list[FeatureDrift]:
    """Run the column jobs, on threads when there is enough work to pay for them."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or cells < PARALLEL_MIN_CELLS:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: job(), jobs))


def _predictions(values: Any) -> ColumnSource:
    import pandas as pd

    column = pd.Series(values).reset_index(drop=True)
    return FrameSource(column.to_frame(PREDICTION))


def compute_drift(
    reference: Data,
    current: Data,
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    policy: DriftPolicy,
    reference_predictions: Predictions = None,
    current_predictions: Predictions = None,
    prediction_kind: Literal["numeric", "categorical"] = "numeric",
    seed: int = 0,
) -> DriftReport:
    """Compare `current` with `reference` feature by feature (the policy's test per type),
    on the predictions when both are given, and jointly (the policy's multivariate test).

    Either side is a pandas frame or a `ColumnSource` (say `ParquetSource` over the files):
    columns are read one at a time inside their job, so a source never has the whole table
    in memory. The dataset drifts when the share of drifted features reaches
    `policy.drift_share` or the joint test drifts. With fewer than `policy.min_rows` current
    rows every statistic is still reported, but nothing is called drifted and the joint test
    is skipped.
    """
    ref, cur = as_source(reference), as_source(current)
    for source, side in ((ref, "reference"), (cur, "current")):
        source.require([*numeric, *categorical], side)
    enough_data = cur.rows >= policy.min_rows
    jobs: list[Callable[[], FeatureDrift]] = [
        *(partial(numeric_drift, name, ref, cur, policy, enough_data) for name in numeric),
        *(partial(categorical_drift, name, ref, cur, policy, enough_data) for name in categorical),
    ]
    if reference_predictions is not None and current_predictions is not None:
        drift = numeric_drift if prediction_kind == "numeric" else categorical_drift
        ref_pred, cur_pred = _predictions(reference_predictions), _predictions(current_predictions)
        jobs.append(partial(drift, PREDICTION, ref_pred, cur_pred, policy, enough_data))
    results = _run(jobs, cells=cur.rows * len(jobs))
    prediction = results.pop() if len(results) > len(numeric) + len(categorical) else None
    multivariate = (
        _multivariate(ref, cur, numeric, categorical, policy, seed)
        if enough_data and ref.rows > 0 and (numeric or categorical)
        else None
    )
    drifted = [feature.feature for feature in results if feature.drifted]
    share = len(drifted) / len(results) if results else 0.0
    joint = multivariate is not None and multivariate.drifted
    return DriftReport(
        features=results,
        prediction=prediction,
        multivariate=multivariate,
        drifted_features=drifted,
        drifted_share=share,
        drift_share_threshold=policy.drift_share,
        dataset_drift=enough_data and (share >= policy.drift_share or joint),
        enough_data=enough_data,
        reference_rows=ref.rows,
        current_rows=cur.rows,
    )


def drift_for_spec(
    spec: ModelSpec,
    profile: dict[str, Any],
    current: Data,
    *,
    reference_predictions: Predictions = None,
    current_predictions: Predictions = None,
    prediction_kind: Literal["numeric", "categorical"] = "numeric",
    seed: int = 0,
) -> DriftReport:
    """Drift of live rows against the raw sample stored with the model's profile, with the
    spec's feature types and drift policy. The sample is read from the lake column by
    column: only the spec's features, and no frame of it."""
    from mlaas.profiles import sample_source

    return compute_drift(
        sample_source(profile),
        current,
        numeric=spec.numeric_features,
        categorical=spec.categorical_features,
        policy=spec.drift,
        reference_predictions=reference_predictions,
        current_predictions=current_predictions,
        prediction_kind=prediction_kind,
        seed=seed,
    )
