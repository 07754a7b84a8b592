"""compute_drift end to end: known shifts found exactly where injected, no drift between two
samples of one distribution at the nominal rate, joint shifts, predictions and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlaas.drift import DriftReport, compute_drift, drift_for_spec
from mlaas.profiles import build_profile, save_profile
from mlaas.specs import DriftPolicy
from tests.factories import small_spec
from tests.mlaas.training import churn_frame

NUMERIC = [f"x{i}" for i in range(6)]
CATEGORICAL = ["c0", "c1", "c2"]
LEVELS = np.array(["a", "b", "c", "d"])
SHARES = np.array([0.4, 0.3, 0.2, 0.1])
NO_JOINT = DriftPolicy(multivariate_test="none")


def _frame(
    n: int, rng: np.random.Generator, *, shift: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Independent columns; a shifted numeric column moves by 0.8 sd, a shifted categorical
    one has its shares reversed."""
    data: dict[str, object] = {
        name: rng.normal(0.8 if name in shift else 0.0, 1.0, n) for name in NUMERIC
    }
    for name in CATEGORICAL:
        data[name] = rng.choice(LEVELS, n, p=SHARES[::-1] if name in shift else SHARES)
    return pd.DataFrame(data)


def _drift(reference: pd.DataFrame, current: pd.DataFrame, policy: DriftPolicy) -> DriftReport:
    return compute_drift(
        reference, current, numeric=NUMERIC, categorical=CATEGORICAL, policy=policy
    )


@pytest.mark.parametrize(
    "policy",
    [
        DriftPolicy(),
        DriftPolicy(numeric_test="wasserstein", categorical_test="jensen_shannon"),
        DriftPolicy(numeric_test="psi", categorical_test="psi"),
    ],
    ids=["ks-chi2", "wasserstein-js", "psi"],
)
def test_injected_shift_is_found_in_exactly_the_shifted_features(policy: DriftPolicy) -> None:
    rng = np.random.default_rng(42)
    shifted = frozenset({"x1", "x4", "c2"})
    report = _drift(_frame(5_000, rng), _frame(2_000, rng, shift=shifted), policy)
    assert set(report.drifted_features) == shifted
    assert report.drifted_share == pytest.approx(3 / 9)
    assert report.dataset_drift  # 3/9 >= 0.3
    assert report.multivariate is not None and report.multivariate.drifted
    by_name = {feature.feature: feature for feature in report.features}
    assert by_name["x1"].test == policy.numeric_test and by_name["x1"].kind == "numeric"
    assert by_name["c2"].test == policy.categorical_test and by_name["c2"].kind == "categorical"
    assert set(by_name["x0"].scores) >= {"ks", "ks_p_value", "wasserstein", "psi"}
    assert set(by_name["c0"].scores) >= {"chi2", "chi2_p_value", "jensen_shannon", "psi"}


def test_report_statistics_are_scipys() -> None:
    rng = np.random.default_rng(1)
    reference, current = _frame(800, rng), _frame(600, rng, shift=frozenset({"x0", "c0"}))
    report = _drift(reference, current, NO_JOINT)
    x0, c0 = report.features[0], report.features[len(NUMERIC)]
    ks = stats.ks_2samp(reference["x0"], current["x0"], method="asymp")
    assert (x0.statistic, x0.p_value) == pytest.approx((ks.statistic, ks.pvalue), abs=1e-9)
    table = pd.crosstab(
        np.r_[np.zeros(800), np.ones(600)], pd.concat([reference["c0"], current["c0"]])
    )
    chi2 = stats.chi2_contingency(table.to_numpy(), correction=False)
    assert (c0.statistic, c0.p_value) == pytest.approx((chi2.statistic, chi2.pvalue), rel=1e-9)
    assert c0.threshold == 0.01 and c0.drifted and x0.drifted


def test_false_positive_rate_is_within_the_nominal_level() -> None:
    """200 seeds x 9 features, same distribution on both sides: KS and chi-squared at
    alpha = 0.01 flag no more features than a 99.9% binomial bound allows."""
    policy = NO_JOINT
    flagged = trials = datasets = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        report = _drift(_frame(400, rng), _frame(300, rng), policy)
        flagged += len(report.drifted_features)
        trials += len(report.features)
        datasets += report.dataset_drift
    bound = stats.binom.ppf(0.999, trials, policy.p_value_threshold)
    assert flagged <= bound, f"{flagged} false positives in {trials} tests (bound {bound})"
    assert datasets <= stats.binom.ppf(0.999, 200, 0.01)  # 3 of 9 features at once: rare


def test_joint_shift_invisible_per_feature_is_caught_by_both_joint_tests() -> None:
    """The correlation of x0 and x1 flips sign; every marginal stays the same."""
    rng = np.random.default_rng(5)

    def correlated(n: int, rho: float) -> pd.DataFrame:
        frame = _frame(n, rng)
        frame[["x0", "x1"]] = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
        return frame

    reference, current = correlated(3_000, 0.9), correlated(3_000, -0.9)
    for test in ("domain_classifier", "mmd"):
        report = _drift(reference, current, DriftPolicy(multivariate_test=test))
        assert report.drifted_features == []
        assert report.multivariate is not None and report.multivariate.test == test
        assert report.multivariate.drifted and report.dataset_drift
        calm = _drift(reference, correlated(3_000, 0.9), DriftPolicy(multivariate_test=test))
        assert calm.multivariate is not None and not calm.multivariate.drifted
        assert not calm.dataset_drift
    assert calm.multivariate.p_value is not None and calm.multivariate.p_value > 0.01


def test_domain_classifier_reports_an_honest_auc() -> None:
    rng = np.random.default_rng(9)
    same = _drift(_frame(4_000, rng), _frame(4_000, rng), DriftPolicy())
    assert same.multivariate is not None
    assert 0.45 < same.multivariate.statistic < 0.55  # out-of-fold: no overfitting to 1
    assert same.multivariate.rows == 8_000


@pytest.mark.parametrize("kind", ["numeric", "categorical"])
def test_prediction_drift_uses_the_same_tests(kind: str) -> None:
    rng = np.random.default_rng(3)
    reference, current = _frame(1_000, rng), _frame(1_000, rng)
    if kind == "numeric":
        ref_pred, cur_pred = rng.uniform(size=1_000), rng.uniform(size=1_000) ** 2
    else:
        ref_pred = rng.choice([0, 1], 1_000, p=[0.8, 0.2])
        cur_pred = rng.choice([0, 1], 1_000, p=[0.6, 0.4])
    report = compute_drift(
        reference,
        current,
        numeric=NUMERIC,
        categorical=CATEGORICAL,
        policy=NO_JOINT,
        reference_predictions=ref_pred,
        current_predictions=pd.Series(cur_pred),
        prediction_kind=kind,  # type: ignore[arg-type]
    )
    assert report.prediction is not None
    assert report.prediction.feature == "prediction" and report.prediction.kind == kind
    assert report.prediction.test == ("ks" if kind == "numeric" else "chi2")
    assert report.prediction.drifted
    assert "prediction" not in report.drifted_features and len(report.features) == 9


def test_predictions_alone_skip_the_joint_test() -> None:
    rng = np.random.default_rng(8)
    empty = pd.DataFrame(index=range(500))
    report = compute_drift(
        empty,
        empty,
        numeric=[],
        categorical=[],
        policy=DriftPolicy(),
        reference_predictions=rng.normal(size=500),
        current_predictions=rng.normal(1.0, 1.0, size=500),
    )
    assert report.prediction is not None and report.prediction.drifted
    assert report.features == [] and report.multivariate is None and not report.dataset_drift


def test_empty_current_is_not_enough_data() -> None:
    rng = np.random.default_rng(0)
    reference = _frame(500, rng)
    report = _drift(reference, reference.iloc[:0], DriftPolicy())
    assert not report.enough_data and not report.dataset_drift
    assert report.current_rows == 0 and report.multivariate is None
    assert report.drifted_features == [] and len(report.features) == 9
    assert all(f.p_value is None and f.current_rows == 0 for f in report.features)


def test_few_rows_report_statistics_without_a_verdict() -> None:
    rng = np.random.default_rng(0)
    current = _frame(90, rng, shift=frozenset(NUMERIC))
    report = _drift(_frame(500, rng), current, DriftPolicy(min_rows=100))
    assert not report.enough_data and report.drifted_features == []
    assert not report.dataset_drift and report.multivariate is None
    p_values = [f.p_value for f in report.features[:6]]
    assert all(p is not None and p < 0.01 for p in p_values)


def test_missing_values_are_dropped_and_their_share_reported() -> None:
    rng = np.random.default_rng(2)
    reference, current = _frame(1_000, rng), _frame(1_000, rng)
    current.loc[:199, "x0"] = np.nan
    current.loc[200:224, "x0"] = np.inf
    current.loc[225:249, "x0"] = -np.inf
    current.loc[:99, "c0"] = None
    current["x5"] = np.nan  # a column that arrives empty
    report = _drift(reference, current, NO_JOINT)
    by_name = {feature.feature: feature for feature in report.features}
    x0, c0, x5 = by_name["x0"], by_name["c0"], by_name["x5"]
    assert x0.current_rows == 750 and x0.scores["current_missing_share"] == 0.25
    kept = current["x0"].to_numpy()[250:]
    assert x0.statistic == pytest.approx(stats.ks_2samp(reference["x0"], kept).statistic)
    assert c0.current_rows == 900 and c0.scores["current_missing_share"] == pytest.approx(0.1)
    assert x5.current_rows == 0 and x5.p_value is None and not x5.drifted
    assert x5.scores["current_missing_share"] == 1.0
    assert report.enough_data and report.drifted_features == []


def test_single_and_unseen_categories() -> None:
    reference = pd.DataFrame({"c": ["a"] * 500})
    same = compute_drift(reference, reference, numeric=[], categorical=["c"], policy=DriftPolicy())
    assert same.features[0].statistic == 0.0 and same.features[0].p_value == 1.0
    current = pd.DataFrame({"c": ["a"] * 400 + ["new"] * 100})
    report = compute_drift(reference, current, numeric=[], categorical=["c"], policy=DriftPolicy())
    feature = report.features[0]
    assert feature.drifted and feature.scores["unseen_share"] == pytest.approx(0.2)
    assert report.dataset_drift


def test_labels_compare_as_text_and_bools_as_numbers() -> None:
    reference = pd.DataFrame({"c": [1, 2] * 300, "flag": [True, False, False] * 200})
    current = pd.DataFrame({"c": ["1", "2"] * 300, "flag": [1.0, 0.0, 0.0] * 200})
    report = compute_drift(
        reference, current, numeric=["flag"], categorical=["c"], policy=NO_JOINT
    )
    assert [f.statistic for f in report.features] == [0.0, 0.0]
    assert report.features[1].scores["unseen_share"] == 0.0


def test_category_dtype_gives_the_same_report_as_text() -> None:
    """A `category` column is counted on its codes (unused categories, missing codes and a
    different category order included) with the same result as the same labels as text."""
    rng = np.random.default_rng(5)
    reference = pd.Series(rng.choice(["a", "b", "c", None], 3_000, p=[0.5, 0.3, 0.15, 0.05]))
    current = pd.Series(rng.choice(["c", "b", "a", "new"], 2_000, p=[0.4, 0.3, 0.2, 0.1]))
    text = compute_drift(
        reference.to_frame("c"),
        current.to_frame("c"),
        numeric=[],
        categorical=["c"],
        policy=NO_JOINT,
    )
    typed = compute_drift(
        reference.astype(pd.CategoricalDtype(["unused", "c", "b", "a"])).to_frame("c"),
        current.astype("category").to_frame("c"),
        numeric=[],
        categorical=["c"],
        policy=NO_JOINT,
    )
    expected, found = text.features[0], typed.features[0]
    assert found.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert found.scores == pytest.approx(expected.scores, rel=1e-12)
    assert found.scores["unseen_share"] == pytest.approx(0.1, abs=0.02)
    assert found.scores["reference_missing_share"] == pytest.approx(0.05, abs=0.01)


def test_a_missing_column_is_named() -> None:
    frame = pd.DataFrame({"x0": [1.0, 2.0]})
    with pytest.raises(KeyError, match=r"current frame has no column\(s\) \['x0'\]"):
        compute_drift(
            frame, frame.drop(columns="x0"), numeric=["x0"], categorical=[], policy=NO_JOINT
        )
    with pytest.raises(KeyError, match="reference frame has no column.*'c9'"):
        compute_drift(frame, frame, numeric=["x0"], categorical=["c9"], policy=NO_JOINT)


def test_text_in_a_numeric_feature_is_named() -> None:
    reference = pd.DataFrame({"x0": [1.0, 2.0, 3.0]})
    current = pd.DataFrame({"x0": ["1.5", "oops", None]})
    with pytest.raises(ValueError, match="numeric feature 'x0' has non-numeric values"):
        compute_drift(reference, current, numeric=["x0"], categorical=[], policy=NO_JOINT)


def test_report_round_trips_through_json() -> None:
    rng = np.random.default_rng(4)
    report = _drift(_frame(500, rng), _frame(300, rng, shift=frozenset({"x2"})), DriftPolicy())
    assert DriftReport.model_validate_json(report.model_dump_json()) == report


def test_drift_for_spec_uses_the_profile_sample_and_the_spec(mlaas_home: Path) -> None:
    spec = small_spec("churn", drift={"numeric_test": "ks", "multivariate_test": "none"})
    frame = churn_frame(3_000)
    key = save_profile(spec, "abc123", build_profile(spec, frame), frame=frame)
    from mlaas.profiles import load_profile

    live = churn_frame(1_000, seed=1)
    live["age"] = live["age"] + 15
    live["country"] = "Spain"
    report = drift_for_spec(spec, load_profile(key), live)
    assert report.reference_rows == 3_000 and report.current_rows == 1_000
    assert [f.feature for f in report.features] == [
        *spec.numeric_features,
        *spec.categorical_features,
    ]
    assert set(report.drifted_features) == {"age", "country"}
    assert report.multivariate is None


def test_every_test_shares_one_drift_score_where_1_is_the_threshold() -> None:
    from mlaas.drift.results import FeatureDrift

    def feature(test: str, statistic: float, p: float | None, threshold: float) -> FeatureDrift:
        drifted = p < threshold if p is not None else statistic > threshold
        return FeatureDrift(
            feature="x",
            kind="numeric",
            test=test,
            statistic=statistic,
            p_value=p,
            threshold=threshold,
            drifted=drifted,
            reference_rows=100,
            current_rows=100,
            scores={},
        )

    assert feature("ks", 0.3, 0.01, 0.01).score == pytest.approx(1.0)
    assert feature("ks", 0.5, 1e-4, 0.01).score == pytest.approx(2.0)
    assert feature("chi2", 9.0, 1.0, 0.01).score == 0.0
    assert feature("chi2", 4000.0, 0.0, 0.01).score == pytest.approx(150.0)  # p = 0 is capped
    assert feature("psi", 0.5, None, 0.2).score == pytest.approx(2.5)
    assert feature("wasserstein", 0.05, None, 0.1).score == pytest.approx(0.5)
    for f in (feature("ks", 0.1, 0.2, 0.01), feature("psi", 0.3, None, 0.2)):
        assert (f.score > 1) == f.drifted
        assert f.model_dump()["score"] == f.score  # stored and served with the report
