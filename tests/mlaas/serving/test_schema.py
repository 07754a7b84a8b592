"""Request validation names every problem by field; the encoding equals the ColumnTransformer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlaas.serving.compiled import compile_encoding
from mlaas.serving.schema import (
    FieldProblem,
    InputError,
    RecordSchema,
    check_records,
    encode_records,
    records_are_clean,
    validate_records,
)
from mlaas.training.families import build_estimator
from mlaas.training.split import features_and_target, features_frame
from tests.factories import small_spec
from tests.mlaas.training import churn_frame

SPEC = small_spec("churn")
SCHEMA = RecordSchema.from_spec(SPEC)


def good_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "age": 42,
        "tenure_months": 12,
        "balance": 1500.5,
        "num_products": 2,
        "credit_score": 640,
        "estimated_salary": 52000.0,
        "support_calls": 1,
        "has_credit_card": True,
        "is_active_member": False,
        "country": "France",
        "gender": "Female",
    }
    record.update(changes)
    return record


def problems_of(records: Any) -> list[FieldProblem]:
    with pytest.raises(InputError) as raised:
        validate_records(SCHEMA, records)
    return raised.value.problems


def test_validate_records_accepts_numbers_bools_strings_and_nulls() -> None:
    nulls = dict.fromkeys(SPEC.feature_names)
    validate_records(SCHEMA, [good_record(), nulls, good_record(age=42.0, balance=10, country="")])
    validate_records(SCHEMA, [good_record(age=np.int64(3), balance=np.float64(2.5))])


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("age", "42", "expected a number, got string"),
        ("age", True, "expected a number, got boolean"),
        ("balance", [1.0], "expected a number, got array"),
        ("balance", float("nan"), "NaN is not allowed (send null to have the value imputed)"),
        ("balance", float("inf"), "infinity is not allowed"),
        ("credit_score", -float("inf"), "infinity is not allowed"),
        ("credit_score", 10**400, "number out of range"),
        ("has_credit_card", 1, "expected true or false, got number"),
        ("has_credit_card", "true", "expected true or false, got string"),
        ("country", 3, "expected a string, got number"),
        ("country", {"name": "France"}, "expected a string, got object"),
    ],
)
def test_validate_records_names_the_field_and_problem(
    field: str, value: Any, problem: str
) -> None:
    records = [good_record(), good_record(**{field: value})]
    assert problems_of(records) == [FieldProblem(f"records[1].{field}", problem)]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("age", "42", "expected a number, got string"),
        ("age", True, "expected a number, got boolean"),
        ("balance", float("nan"), "NaN is not allowed (send null to have the value imputed)"),
        ("credit_score", -float("inf"), "infinity is not allowed"),
        ("credit_score", 10**400, "number out of range"),
        ("has_credit_card", 1, "expected true or false, got number"),
        ("country", 3, "expected a string, got number"),
    ],
)
def test_large_batches_name_the_same_problems_as_small_ones(
    field: str, value: Any, problem: str
) -> None:
    records = [good_record(age=i, balance=None if i % 7 else 1.5) for i in range(100)]
    records[60] = good_record(**{field: value})
    assert not records_are_clean(SCHEMA, records)
    with pytest.raises(InputError) as raised:
        check_records(SCHEMA, records)
    assert raised.value.problems == [FieldProblem(f"records[60].{field}", problem)]


def test_large_batches_with_missing_or_extra_fields_are_refused_by_name() -> None:
    records = [good_record() for _ in range(64)]
    del records[3]["age"]
    records[9]["colour"] = "red"
    with pytest.raises(InputError) as raised:
        check_records(SCHEMA, records)
    assert [p.field for p in raised.value.problems] == ["records[3].age", "records[9].colour"]


def test_validate_records_collects_all_problems_of_all_records() -> None:
    missing = good_record(extra_field=1)
    del missing["age"]
    records = [missing, good_record(), "not a record", good_record(gender=None, country=7)]

    assert problems_of(records) == [
        FieldProblem("records[0].age", "missing (send null to have the value imputed)"),
        FieldProblem("records[0].extra_field", "unknown field for this model"),
        FieldProblem("records[2]", "expected an object, got string"),
        FieldProblem("records[3].country", "expected a string, got number"),
    ]


def test_validate_records_refuses_a_non_list_or_empty_batch() -> None:
    assert problems_of({"age": 1}) == [FieldProblem("records", "expected a list of objects")]
    assert problems_of([]) == [FieldProblem("records", "expected at least one record")]


def test_input_error_message_is_readable_and_bounded() -> None:
    error = InputError([FieldProblem(f"records[{i}].age", "missing") for i in range(12)])
    text = str(error)
    assert text.startswith("invalid input (12 problems): records[0].age: missing; ")
    assert text.endswith("records[9].age: missing; and 2 more")
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("family", "missing"),
    [
        ("logistic_regression", {}),
        ("logistic_regression", {"numeric": "mean", "categorical": "category"}),
        ("lightgbm", {}),  # native: numeric nulls stay NaN, a null category is its own
    ],
)
def test_encode_records_equals_the_fitted_column_transformer(
    family: str, missing: dict[str, str]
) -> None:
    training = SPEC.training.model_copy(
        update={
            "families": {family: {}},
            "missing": SPEC.training.missing.model_copy(update=missing),
        }
    )
    spec = SPEC.model_copy(update={"training": training})
    train = churn_frame(300)
    train.loc[::7, "balance"] = np.nan
    train.loc[::5, "country"] = None
    X, y = features_and_target(spec, train)
    pipeline = build_estimator(spec, family, {}, seed=1).fit(X, y)
    preprocess = pipeline.named_steps["preprocess"]
    encoding = compile_encoding(spec, preprocess)
    records = [
        good_record(),
        dict.fromkeys(spec.feature_names),
        good_record(country="Atlantis", balance=None, has_credit_card=None),
    ]
    frame = features_frame(spec, pd.DataFrame(records))

    matrix, nulls = encode_records(encoding, records)
    np.testing.assert_array_equal(matrix, preprocess.transform(frame))
    assert matrix.dtype == np.float64
    countries = 3 if encoding.categorical_strategy == "most_frequent" else 4  # + "missing"
    assert encoding.column_features()[-countries - 2 :] == ["country"] * countries + ["gender"] * 2
    assert matrix[2, -countries - 2 : -2].tolist() == [0.0] * countries  # unseen: all zeros
    assert nulls is not None
    items = nulls.per_record()
    assert items[0] is None
    assert items[1] is not None and sorted(items[1]["missing"]) == sorted(spec.feature_names)
    assert items[2] is not None and sorted(items[2]["missing"]) == ["balance", "has_credit_card"]
    when_null = encoding.missing_values()
    imputed = {name: how["value"] for name, how in when_null.items() if "value" in how}
    assert items[1]["imputed"] == imputed
    if family == "lightgbm":
        assert when_null["balance"] == {"strategy": "native"}
        assert when_null["country"] == {"strategy": "category"}
        assert "balance" not in items[2]["imputed"] and np.isnan(matrix[1]).any()
    else:
        strategy = missing.get("numeric", "median")
        statistic = getattr(np, f"nan{strategy}")(train["balance"].astype(float))
        assert when_null["balance"] == {"strategy": strategy, "value": pytest.approx(statistic)}
        assert items[2]["imputed"]["balance"] == pytest.approx(statistic)
        assert not np.isnan(matrix).any()


def test_large_batches_encode_exactly_like_single_records() -> None:
    X, y = features_and_target(SPEC, churn_frame(300))
    pipeline = build_estimator(SPEC, "logistic_regression", {}, seed=1).fit(X, y)
    encoding = compile_encoding(SPEC, pipeline.named_steps["preprocess"])
    rng = np.random.default_rng(7)
    records = []
    for i in range(200):
        record = good_record(age=int(rng.integers(18, 90)), balance=float(rng.normal(1e3, 50)))
        record["country"] = ["France", "Germany", "Spain", "Atlantis", None][i % 5]
        record[SPEC.feature_names[i % len(SPEC.feature_names)]] = None
        records.append(record)

    assert records_are_clean(SCHEMA, records)
    singles = [encode_records(encoding, [r]) for r in records]
    matrix, nulls = encode_records(encoding, records)
    np.testing.assert_array_equal(matrix, np.vstack([X for X, _ in singles]))
    assert nulls is not None
    assert nulls.per_record() == [n.per_record()[0] if n else None for _, n in singles]
