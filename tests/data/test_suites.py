"""Each GX suite in expectations/ on a passing and a failing frame (no stores involved)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import pytest

from mlaas.data.churn import ChurnDrift, generate_churn
from mlaas.data.housing import load_house_prices
from mlaas.data.storms import load_storms
from mlaas.settings import get_settings
from mlaas.specs import load_spec
from mlaas.validation import run_suite


def broken_churn() -> pd.DataFrame:
    frame = generate_churn(300, seed=21)
    frame.loc[:2, "age"] = 130
    frame.loc[3:4, "country"] = "Italy"
    frame.loc[5, "churned"] = 3
    frame["balance"] = frame["balance"].astype(str)
    return frame.drop(columns=["gender"])


def broken_houses() -> pd.DataFrame:
    frame = load_house_prices()
    frame.loc[:1, "lotsize"] = 0
    frame.loc[2, "bedrooms"] = 25
    frame["aircon"] = frame["aircon"].map({True: "yes", False: "no"})
    return frame.drop(columns=["prefer"])


def broken_storms() -> pd.DataFrame:
    frame = load_storms()
    frame.loc[:2, "wind"] = 400
    frame.loc[3, "status"] = "typhoon"
    frame["pressure"] = frame["pressure"].astype(str)
    return frame.drop(columns=["lat"])


SUITES: dict[str, tuple[Callable[[], pd.DataFrame], Callable[[], pd.DataFrame], set[str]]] = {
    "churn": (
        lambda: generate_churn(1000, seed=20),
        broken_churn,
        {
            "column 'gender' missing",
            "age: 3 values outside [18, 100]: 130 (row 0), 130 (row 1), 130 (row 2)",
            "churned: 1 value not in [0, 1]: 3 (row 5)",
            "balance: 300 values of type object not in [float64, float32, Float64Dtype, int64, "
            "Int64Dtype]: '0.0' (row 0), '0.0' (row 1), '63073.46' (row 2) and 297 more",
            "country: 2 values not in ['France', 'Germany', 'Spain']: 'Italy' (row 3), "
            "'Italy' (row 4)",
        },
    ),
    "house_prices": (
        load_house_prices,
        broken_houses,
        {
            "column 'prefer' missing",
            "lotsize: 2 values outside [1, 1000000]: 0 (row 0), 0 (row 1)",
            "bedrooms: 1 value outside [1, 10]: 25 (row 2)",
            "aircon: 546 values of type object not in [bool, BooleanDtype]: 'no' (row 0), "
            "'no' (row 1), 'no' (row 2) and 543 more",
        },
    ),
    "storms": (
        load_storms,  # the wind-field diameters are missing before 2004: allowed
        broken_storms,
        {
            "column 'lat' missing",
            "wind: 3 values outside [0, 250]: 400 (row 0), 400 (row 1), 400 (row 2)",
            "status: 1 value not in ['disturbance', 'extratropical', 'hurricane', "
            "'other low', 'subtropical depression', 'subtropical storm', "
            "'tropical depression', 'tropical storm', 'tropical wave']: 'typhoon' (row 3)",
            "pressure: expect_column_values_to_be_between could not run on values of type "
            "object (numbers stored as text?): '1013' (row 0), '1013' (row 1), '1013' (row 2) "
            "and 19534 more",
        },
    ),
}


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_suite_covers_every_spec_column(suite: str) -> None:
    spec = load_spec(suite)
    data = json.loads((get_settings().expectations_dir / f"{suite}.json").read_text())
    assert data["name"] == spec.validation_suite
    existing = {
        e["kwargs"]["column"]
        for e in data["expectations"]
        if e["type"] == "expect_column_to_exist"
    }
    wanted = {spec.entity_key, spec.event_timestamp, spec.target, *spec.feature_names}
    assert existing == wanted
    typed = {
        e["kwargs"]["column"]
        for e in data["expectations"]
        if e["type"] == "expect_column_values_to_be_in_type_list"
    }
    assert typed >= set(spec.feature_names) | {spec.target}


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_suite_passes_good_data(suite: str) -> None:
    good, _, _ = SUITES[suite]
    success, statistics, failures = run_suite(suite, good())
    assert failures == []
    assert success and statistics["success_percent"] == 100.0


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_suite_fails_bad_data_with_reasons(suite: str) -> None:
    _, bad, reasons = SUITES[suite]
    success, statistics, failures = run_suite(suite, bad())
    assert not success
    assert reasons <= {f["reason"] for f in failures}
    assert statistics["unsuccessful_expectations"] == len(failures)


def test_text_in_a_numeric_column_is_named_with_its_rows() -> None:
    frame = generate_churn(300, seed=22)
    frame["age"] = frame["age"].astype(object)
    frame.loc[[4, 9], "age"] = "n/a"
    _, _, failures = run_suite("churn", frame)
    assert (
        "age: 2 non-numeric values: 'n/a' (row 4), 'n/a' (row 9) "
        "(expect_column_values_to_be_between could not run)"
    ) in {f["reason"] for f in failures}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_churn_suite_accepts_moderately_drifted_data(seed: int) -> None:
    drift = ChurnDrift(
        numeric_shift={"age": 3.0, "support_calls": 3.0, "tenure_months": -2.0, "balance": -2.0},
        category_weights={"gender": {"Female": 0.9}},
    )
    success, _, failures = run_suite("churn", generate_churn(2000, seed=seed, drift=drift))
    assert success, failures


def test_churn_suite_rejects_missing_values() -> None:
    frame = generate_churn(500, seed=4, drift=ChurnDrift(missing_rate=0.1))
    success, _, failures = run_suite("churn", frame)
    assert not success
    null_columns = {
        f["column"] for f in failures if f["expectation"] == "expect_column_values_to_not_be_null"
    }
    assert null_columns == {
        "age",
        "tenure_months",
        "balance",
        "num_products",
        "credit_score",
        "estimated_salary",
        "support_calls",
    }
