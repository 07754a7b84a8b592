"""Validation: real GX suites on ingested batches; failures quarantine and explain themselves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from mlaas.data.churn import ChurnDrift, generate_churn
from mlaas.data.housing import load_house_prices
from mlaas.db import datasets, get_engine
from mlaas.ingest import ingest
from mlaas.refs import DatasetRef
from mlaas.specs import ModelSpec, load_spec
from mlaas.storage import get_store, read_parquet
from mlaas.validation import (
    DataValidationError,
    latest_validation,
    validate_dataset,
    validation_history,
)

CHURN = load_spec("churn")
HOUSES = load_spec("house_prices")


def ingest_frame(spec: ModelSpec, frame: pd.DataFrame, tmp_path: Path) -> DatasetRef:
    path = tmp_path / f"{spec.name}-{len(list(tmp_path.iterdir()))}.parquet"
    frame.to_parquet(path, index=False)
    return ingest(spec, source=str(path))


def status_of(ref: DatasetRef) -> str:
    query = select(datasets.c.status).where(datasets.c.content_hash == ref.content_hash)
    with get_engine().connect() as conn:
        return str(conn.execute(query).scalar_one())


def assert_quarantined(ref: DatasetRef) -> None:
    store = get_store()
    key = f"quarantine/{ref.model}/{ref.content_hash}.parquet"
    assert store.get_bytes(key) == store.get_bytes(ref.key)  # copy kept for operators
    assert status_of(ref) == "quarantined"
    result = latest_validation(ref.model)
    assert result is not None
    assert result["success"] is False and result["content_hash"] == ref.content_hash
    assert result["statistics"]["unsuccessful_expectations"] >= 1


@pytest.mark.parametrize(
    ("spec", "frame"),
    [
        (CHURN, generate_churn(400, seed=1)),
        (HOUSES, load_house_prices()),
        (
            CHURN,
            generate_churn(
                400,
                seed=2,
                drift=ChurnDrift(
                    numeric_shift={"age": 2.0, "balance": 2.5, "credit_score": -2.5},
                    category_weights={"country": {"Germany": 5.0}},
                    concept_shift=0.8,
                ),
            ),
        ),
    ],
    ids=["churn", "house_prices", "churn-drifted"],
)
def test_validate_passes_good_data(
    mlaas_home: Path, tmp_path: Path, spec: ModelSpec, frame: pd.DataFrame
) -> None:
    ref = ingest_frame(spec, frame, tmp_path)
    report = validate_dataset(spec, ref)
    assert report.success and report.failures == []
    assert report.evaluated == report.successful > 30
    assert (report.suite, report.content_hash) == (spec.validation_suite, ref.content_hash)
    assert status_of(ref) == "validated"
    assert not get_store().list("quarantine/")
    stored = latest_validation(spec.name, content_hash=ref.content_hash)
    assert stored is not None and stored["success"] is True and stored["failures"] == []


def test_ingest_refuses_a_file_without_a_spec_column(mlaas_home: Path, tmp_path: Path) -> None:
    from mlaas.spec_check import SpecDataMismatch

    with pytest.raises(SpecDataMismatch, match=r"features\[0\].name: feature 'age' is not a"):
        ingest_frame(CHURN, generate_churn(300, seed=3).drop(columns=["age"]), tmp_path)
    assert not get_store().list("datasets/")  # nothing reached the lake


def test_missing_column_is_named_and_quarantined(
    mlaas_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch that reached the lake without the spec check (stored before it existed).
    monkeypatch.setattr("mlaas.ingest.problems_with", lambda *_, **__: [])
    ref = ingest_frame(CHURN, generate_churn(300, seed=3).drop(columns=["age"]), tmp_path)
    with pytest.raises(DataValidationError) as error:
        validate_dataset(CHURN, ref)
    message = str(error.value)
    assert "column 'age' missing" in message
    assert "'churn'" in message and ref.content_hash in message
    assert message.count("column 'age' missing") == 1  # one line, not one per expectation
    failing = {f["expectation"] for f in error.value.report.failures if f["column"] == "age"}
    assert "expect_column_to_exist" in failing and len(failing) >= 3
    # The header counts what it lists, and the line says how many expectations it stands for.
    failed = len(error.value.report.failures)
    assert f"1 problem ({failed} failed expectations):" in message
    assert f"column 'age' missing ({failed} expectations on it failed)" in message
    assert_quarantined(ref)


def test_wrong_type_is_named(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(300, seed=4)
    frame["age"] = frame["age"].astype(str)
    ref = ingest_frame(CHURN, frame, tmp_path)
    with pytest.raises(
        DataValidationError, match=r"age: 300 values of type object not in \[int64"
    ):
        validate_dataset(CHURN, ref)
    assert_quarantined(ref)
    [failure] = [
        f
        for f in latest_validation("churn")["failures"]  # type: ignore[index]
        if f["expectation"] == "expect_column_values_to_be_in_type_list"
    ]
    assert failure["column"] == "age" and failure["unexpected_count"] == 300
    assert len(failure["partial_unexpected_list"]) == 5
    assert all(isinstance(value, str) for value in failure["partial_unexpected_list"])


def test_out_of_range_values_are_counted(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(300, seed=5)
    frame.loc[:11, "age"] = 12
    frame.loc[:2, "credit_score"] = 950
    ref = ingest_frame(CHURN, frame, tmp_path)
    with pytest.raises(DataValidationError) as error:
        validate_dataset(CHURN, ref)
    assert "age: 12 values outside [18, 100]: 12 (row 0), 12 (row 1), 12 (row 2) and 9 more" in (
        str(error.value)
    )
    assert "credit_score: 3 values outside [300, 900]: 950 (row 0)" in str(error.value)
    failures = {f["column"]: f for f in error.value.report.failures}
    assert failures["age"]["unexpected_count"] == 12
    assert failures["age"]["partial_unexpected_list"] == [12] * 5
    assert_quarantined(ref)


def test_missing_values_and_unknown_categories_fail(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(300, seed=6, drift=ChurnDrift(missing_rate=0.05))
    frame.loc[:3, "country"] = "Atlantis"
    frame.loc[:1, "churned"] = 2
    ref = ingest_frame(CHURN, frame, tmp_path)
    with pytest.raises(DataValidationError) as error:
        validate_dataset(CHURN, ref)
    message = str(error.value)
    nulls = int(frame["balance"].isna().sum())
    rows = ", ".join(str(row) for row in frame.index[frame["balance"].isna()][:3])
    assert f"balance: {nulls} null values (rows {rows} and {nulls - 3} more)" in message
    assert "country: 4 values not in ['France', 'Germany', 'Spain']" in message
    assert "churned: 2 values not in [0, 1]" in message
    assert "values of type" not in message  # nullable ints keep their type


def test_house_prices_out_of_range_fails(mlaas_home: Path, tmp_path: Path) -> None:
    frame = load_house_prices()
    frame.loc[:4, "bedrooms"] = 0
    frame.loc[10, "price"] = -1.0
    ref = ingest_frame(HOUSES, frame, tmp_path)
    with pytest.raises(DataValidationError) as error:
        validate_dataset(HOUSES, ref)
    assert "bedrooms: 5 values outside [1, 10]: 0 (row 0), 0 (row 1), 0 (row 2) and 2 more" in (
        str(error.value)
    )
    assert "price: 1 value outside [1000, 10000000]: -1.0 (row 10)" in str(error.value)
    assert_quarantined(ref)


def test_report_without_raising_and_history(mlaas_home: Path, tmp_path: Path) -> None:
    good = ingest_frame(CHURN, generate_churn(200, seed=7), tmp_path)
    bad = ingest_frame(CHURN, generate_churn(50, seed=7), tmp_path)  # below the row minimum
    assert validate_dataset(CHURN, good).success
    report = validate_dataset(CHURN, bad, raise_on_failure=False)
    assert not report.success
    assert [f["reason"] for f in report.failures] == ["table: 50 rows, expected at least 100"]
    history = validation_history("churn")
    assert [row["content_hash"] for row in history] == [bad.content_hash, good.content_hash]
    assert history[0]["created_at"].tzinfo is not None
    assert latest_validation("churn", content_hash=good.content_hash)["success"]  # type: ignore[index]
    assert latest_validation("house_prices") is None
    assert status_of(bad) == "quarantined" and status_of(good) == "validated"
    assert read_parquet(get_store(), bad.key).shape[0] == 50  # the lake object is kept


def test_a_pipeline_run_that_failed_validation_carries_its_failing_expectations(
    mlaas_home: Path, tmp_path: Path
) -> None:
    """What the training API (and the dashboard's Pipelines page) shows for a failed run: the
    platform's validation record of the dataset that run's `ingest` read (its XCom)."""
    from typing import Any

    from mlaas.jobs.views import pipeline_runs

    bad = ingest_frame(HOUSES, load_house_prices().assign(price=-1.0), tmp_path)
    validate_dataset(HOUSES, bad, raise_on_failure=False)

    class Airflow:  # the two calls pipeline_runs makes, answering as Airflow's REST API does
        def runs(self, spec: str, *, limit: int) -> list[dict[str, Any]]:
            tasks = [{"task_id": "ingest", "state": "success"}]
            return [
                {
                    "dag_run_id": "bad",
                    "tasks": [*tasks, {"task_id": "validate", "state": "failed"}],
                },
                {
                    "dag_run_id": "ok",
                    "tasks": [*tasks, {"task_id": "validate", "state": "success"}],
                },
            ]

        def xcom(self, spec: str, run_id: str, task_id: str, *, dag_id: Any = None) -> Any:
            assert (run_id, task_id) == ("bad", "ingest")
            return bad.to_xcom()

    failed, passed = pipeline_runs("house_prices", Airflow(), limit=5)  # type: ignore[arg-type]
    assert failed["failed_tasks"] == ["validate"] and passed["failed_tasks"] == []
    assert "validation" not in passed
    record = failed["validation"]
    assert (record["suite"], record["content_hash"]) == ("house_prices", bad.content_hash)
    assert [f["reason"] for f in record["failures"]] == [
        "price: 546 values outside [1000, 10000000]: -1.0 (row 0), -1.0 (row 1), -1.0 (row 2) "
        "and 543 more"
    ]
