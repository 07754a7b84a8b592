"""Records decoded into the model's typed struct encode exactly like dict records, and anything
the struct path cannot vouch for falls back to the validator that names the problem."""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pytest

from mlaas.serving.schema import InputError
from mlaas.serving.typed import TypedRecords, as_dicts
from tests.mlaas.serving.test_predictor import fitted_predictor, records_of, spec_for


def typed(predictor: Any, records: list[dict[str, Any]]) -> TypedRecords:
    schema = predictor.record_schema
    rows = msgspec.json.decode(msgspec.json.encode(records), type=list[schema.struct])
    return TypedRecords(schema, rows)


def test_typed_records_encode_like_dict_records() -> None:
    predictor, test = fitted_predictor(spec_for("churn"), "lightgbm")
    records = records_of(predictor.spec, test)  # ~10% nulls, unseen categories
    batch = typed(predictor, records)

    np.testing.assert_array_equal(predictor.to_matrix(batch), predictor.to_matrix(records))
    assert as_dicts(batch) == records
    assert [msgspec.json.encode(r) for r in batch] == [msgspec.json.encode(r) for r in records]


def test_the_struct_refuses_what_the_validator_would() -> None:
    predictor, test = fitted_predictor(spec_for("churn"), "lightgbm")
    record = records_of(predictor.spec, test.head(1))[0]
    struct = predictor.record_schema.struct
    numeric = next(f.name for f in predictor.spec.features if f.type == "float")
    category = next(f.name for f in predictor.spec.features if f.type == "category")
    for bad in (
        {**record, "colour": "red"},  # unknown field
        {k: v for k, v in record.items() if k != numeric},  # missing field
        {**record, numeric: "12"},  # text for a number
        {**record, numeric: True},  # a boolean is not a number
        {**record, category: 3},  # a number for a category
    ):
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(msgspec.json.encode(bad), type=struct)


def test_an_infinite_number_falls_back_to_the_validator_naming_it() -> None:
    predictor, test = fitted_predictor(spec_for("churn"), "lightgbm")
    records = records_of(predictor.spec, test.head(40))
    numeric = next(f.name for f in predictor.spec.features if f.type == "float")
    rows = typed(predictor, records).rows
    setattr(rows[3], numeric, float("inf"))  # what `1e999` in a body decodes to
    with pytest.raises(InputError) as error:
        predictor.to_matrix(TypedRecords(predictor.record_schema, rows))
    assert [p.field for p in error.value.problems] == [f"records[3].{numeric}"]
    assert "infinity" in error.value.problems[0].problem


def test_records_of_another_schema_are_checked_as_dicts() -> None:
    churn, test = fitted_predictor(spec_for("churn"), "lightgbm")
    house, _ = fitted_predictor(spec_for("house_prices"), "lightgbm")
    batch = typed(churn, records_of(churn.spec, test.head(40)))
    with pytest.raises(InputError) as error:
        house.to_matrix(batch)
    assert any("unknown field" in p.problem for p in error.value.problems)
