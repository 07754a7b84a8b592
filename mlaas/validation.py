"""Validate an ingested batch against its Great Expectations suite (expectations/<suite>.json).

A failing batch is copied to `quarantine/<model>/<hash>.parquet` for operators to inspect, its
lineage row is marked 'quarantined', and `DataValidationError` names every failing expectation
with its column and a short reason. The lake object itself is kept: it is content-addressed and
may be referenced by lineage. Every run leaves a row in `validation_results`.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from mlaas.db import datasets, get_engine, new_id, utcnow, validation_results
from mlaas.refs import DatasetRef, ValidationReport
from mlaas.samples import counted, sample_rows, sample_values
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec
from mlaas.storage import get_store, read_parquet

log = logging.getLogger("mlaas.validation")


class DataValidationError(ValueError):
    """The batch failed its suite; `report` holds the details."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


def json_safe(value: Any) -> Any:
    """Plain JSON values (numpy scalars, NaN, timestamps) for the DB and the API."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def load_suite_dict(suite: str) -> dict[str, Any]:
    path: Path = get_settings().expectations_dir / f"{suite}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"expectation suite {suite!r} not found at {path}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"expectation suite {path}: not valid JSON: {error}") from None
    return data


def _num(value: Any) -> str:
    if value is None:
        return "inf"
    return f"{int(value)}" if float(value).is_integer() else f"{value}"


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column] if column in frame.columns else pd.Series(dtype=object)


def _failing(failure: dict[str, Any], frame: pd.DataFrame) -> pd.Series | None:
    """The column's failing values (index = row), recomputed from the frame for the kinds whose
    rule is plain, so a reason can show values with their rows; None for other kinds."""
    kind, column, kw = failure["expectation"], failure["column"], failure["kwargs"]
    if column is None or column not in frame.columns:
        return None
    values = frame[column]
    if kind == "expect_column_values_to_not_be_null":
        return values[values.isna()]
    present = values.dropna()
    if kind == "expect_column_values_to_be_between":
        numbers = pd.to_numeric(present, errors="coerce")
        bad = numbers.isna()
        if kw.get("min_value") is not None:
            bad |= numbers < kw["min_value"]
        if kw.get("max_value") is not None:
            bad |= numbers > kw["max_value"]
        return present[bad]
    if kind == "expect_column_values_to_be_in_set":
        return present[~present.isin(kw["value_set"])]
    if kind == "expect_column_values_to_be_in_type_list":
        return present
    return None


def _reason(failure: dict[str, Any], frame: pd.DataFrame, missing: set[str]) -> str:
    """One line: the column, what failed, how many values and a sample of them with rows."""
    kind, column, kw = failure["expectation"], failure["column"], failure["kwargs"]
    if kind == "expect_column_to_exist" or column in missing:
        return f"column {column!r} missing"
    failing = _failing(failure, frame)
    count = failure.get("unexpected_count")
    if count is None and failing is not None:
        count = len(failing)
    sample = "" if failing is None or failing.empty else f": {sample_values(failing)}"
    if failure.get("exception"):
        numbers = pd.to_numeric(_values(frame, column).dropna(), errors="coerce")
        text = _values(frame, column).dropna()[numbers.isna()]
        if not text.empty:  # the usual cause: text in a numeric column
            return (
                f"{column}: {counted(len(text), 'non-numeric value')}: {sample_values(text)} "
                f"({kind} could not run)"
            )
        values = _values(frame, column).dropna()
        if len(values) and not pd.api.types.is_numeric_dtype(values.dtype):
            return (
                f"{column}: {kind} could not run on values of type {values.dtype} "
                f"(numbers stored as text?): {sample_values(values)}"
            )
        return f"{column}: {kind} could not run: {failure['exception']}"
    if kind == "expect_column_values_to_be_between":
        low = "-inf" if kw.get("min_value") is None else _num(kw["min_value"])
        span = f"[{low}, {_num(kw.get('max_value'))}]"
        return f"{column}: {counted(int(count or 0), 'value')} outside {span}{sample}"
    if kind == "expect_column_values_to_be_in_type_list":
        dtype = frame[column].dtype if column in frame.columns else "?"
        listed = counted(int(count or 0), "value")
        return f"{column}: {listed} of type {dtype} not in [{', '.join(kw['type_list'])}]{sample}"
    if kind == "expect_column_values_to_not_be_null":
        rows = "" if failing is None else f" (rows {sample_rows(failing)})"
        return f"{column}: {counted(int(count or 0), 'null value')}{rows}"
    if kind == "expect_column_values_to_be_in_set":
        return f"{column}: {counted(int(count or 0), 'value')} not in {kw['value_set']}{sample}"
    if kind == "expect_table_row_count_to_be_between":
        return f"table: {failure['observed_value']} rows, expected at least {kw.get('min_value')}"
    if kind == "expect_compound_columns_to_be_unique":
        columns = list(kw["column_list"])
        duplicated = (
            frame[frame.duplicated(columns, keep=False)]
            if set(columns) <= set(frame)
            else frame.iloc[:0]
        )
        rows = f" (rows {sample_rows(duplicated[columns[0]])})" if len(duplicated) else ""
        return f"{'+'.join(columns)}: {counted(int(count or 0), 'duplicate row')}{rows}"
    return f"{column or 'table'}: {kind} failed (observed {failure.get('observed_value')})"


def _exception_message(info: Any) -> str | None:
    """GX puts errors either flat or keyed by metric id; return the first message."""
    if not isinstance(info, dict):
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for item in candidates:
        if item.get("raised_exception") or item.get("exception_message"):
            message = str(item.get("exception_message") or "error")
            return message.strip().splitlines()[-1][:200]
    return None


def run_suite(
    suite: str, frame: pd.DataFrame
) -> tuple[bool, dict[str, Any], list[dict[str, Any]]]:
    """Run a stored suite on a frame in an ephemeral GX context -> success, stats, failures."""
    gx_logger = logging.getLogger("great_expectations")
    if gx_logger.level == logging.NOTSET:  # its INFO lines are import noise, not our progress
        gx_logger.setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    gx_suite = context.suites.add(gx.ExpectationSuite(**load_suite_dict(suite)))
    asset = context.data_sources.add_pandas("mlaas").add_dataframe_asset("batch")
    batch = asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite}-validation", data=batch, suite=gx_suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame})

    failures: list[dict[str, Any]] = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        if config is None:
            continue
        kwargs = {k: v for k, v in dict(config.kwargs).items() if k != "batch_id"}
        details = dict(item.result or {})
        failures.append(
            json_safe(
                {
                    "expectation": config.type,
                    "column": kwargs.get("column"),
                    "kwargs": kwargs,
                    "unexpected_count": details.get("unexpected_count"),
                    "unexpected_percent": details.get("unexpected_percent"),
                    "partial_unexpected_list": list(details.get("partial_unexpected_list", []))[
                        :5
                    ],
                    "observed_value": details.get("observed_value"),
                    "exception": _exception_message(item.exception_info),
                }
            )
        )
    missing = {f["column"] for f in failures if f["expectation"] == "expect_column_to_exist"}
    for failure in failures:
        failure["reason"] = _reason(failure, frame, missing)
    statistics = json_safe(dict(result.statistics))
    return bool(result.success), statistics, failures


def _failure_message(suite: str, content_hash: str, failures: list[dict[str, Any]]) -> str:
    """Each problem once (a missing column fails every expectation on it), with how many
    failed expectations it stands for; the header counts what it lists."""
    counts: dict[str, int] = {}
    for failure in sorted(failures, key=lambda f: not f["reason"].startswith("column ")):
        counts[failure["reason"]] = counts.get(failure["reason"], 0) + 1
    lines = "\n".join(
        f"  - {reason}" + (f" ({n} expectations on it failed)" if n > 1 else "")
        for reason, n in counts.items()
    )
    return (
        f"dataset {content_hash} failed expectation suite {suite!r}: "
        f"{counted(len(counts), 'problem')} ({counted(len(failures), 'failed expectation')}):"
        f"\n{lines}"
    )


def _set_status(model: str, content_hash: str, status: str) -> None:
    where = (datasets.c.model == model) & (datasets.c.content_hash == content_hash)
    with get_engine().begin() as conn:
        conn.execute(datasets.update().where(where).values(status=status))


def validate_dataset(
    spec: ModelSpec, dataset: DatasetRef, *, raise_on_failure: bool = True
) -> ValidationReport:
    """Validate the stored batch; quarantine it and (by default) raise when it fails."""
    suite = spec.validation_suite
    store = get_store()
    frame = read_parquet(store, dataset.key)
    log.info("validate %s: suite %r on %s (%d rows)", spec.name, suite, dataset.key, len(frame))
    success, statistics, failures = run_suite(suite, frame)
    with get_engine().begin() as conn:
        conn.execute(
            validation_results.insert().values(
                id=new_id(),
                model=spec.name,
                content_hash=dataset.content_hash,
                suite=suite,
                success=success,
                statistics=statistics,
                failures=failures,
                created_at=utcnow(),
            )
        )
    report = ValidationReport(
        model=spec.name,
        content_hash=dataset.content_hash,
        suite=suite,
        success=success,
        evaluated=int(statistics.get("evaluated_expectations") or 0),
        successful=int(statistics.get("successful_expectations") or 0),
        failures=failures,
    )
    if success:
        _set_status(spec.name, dataset.content_hash, "validated")
        log.info("validate %s: %s passed (%d expectations)", spec.name, suite, report.evaluated)
        return report
    quarantine_key = f"quarantine/{spec.name}/{dataset.content_hash}.parquet"
    store.put_bytes(quarantine_key, store.get_bytes(dataset.key))
    _set_status(spec.name, dataset.content_hash, "quarantined")
    message = _failure_message(suite, dataset.content_hash, failures)
    log.warning("validate %s: quarantined at %s\n%s", spec.name, quarantine_key, message)
    if raise_on_failure:
        raise DataValidationError(message, report)
    return report


def _row(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    created = data.get("created_at")
    if isinstance(created, datetime) and created.tzinfo is None:
        data["created_at"] = created.replace(tzinfo=UTC)  # SQLite drops the zone
    return data


def validation_history(
    model: str, limit: int = 50, *, content_hash: str | None = None
) -> list[dict[str, Any]]:
    """The model's validation results (optionally of one dataset), newest first."""
    query = select(validation_results).where(validation_results.c.model == model)
    if content_hash:
        query = query.where(validation_results.c.content_hash == content_hash)
    query = query.order_by(validation_results.c.created_at.desc()).limit(limit)
    with get_engine().connect() as conn:
        return [_row(row) for row in conn.execute(query)]


def latest_validation(model: str, *, content_hash: str | None = None) -> dict[str, Any] | None:
    """The model's most recent validation result (optionally of one dataset), or None."""
    history = validation_history(model, limit=1, content_hash=content_hash)
    return history[0] if history else None
