"""`mlaas init`: a spec and an expectation suite drafted from a data file.

Writing a suite by hand was most of the work of adding a model (71 expectations for one
19-column table). From the file and the names of the target, the entity key and the event
timestamp, this infers each column's type, the task, numeric ranges (with a margin), category
sets, null rates and row-count bounds, and writes `specs/<name>.yaml` (commented: what was
inferred and what to review) and `expectations/<name>.json` (each expectation's `meta.notes`
says where its bounds came from). The draft passes `mlaas specs validate` and trains as is.

A table without an entity key or timestamp column (most public tables) gets them: a row number
and one timestamp for every row, in a prepared copy of the data that the spec points at. The
copy is also where a column whose name cannot be a feature name (`Sepal.Length`) is renamed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mlaas.errors import Invalid
from mlaas.specs import FeatureType, parse_spec

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_CATEGORIES = 100  # more distinct values than this (and most rows distinct): an id or text
CLASSIFICATION_MAX_CLASSES = 20  # an integer target with at most this many values: classes
TYPE_LISTS: dict[str, list[str]] = {
    "int": ["int64", "int32", "Int64Dtype", "Int32Dtype"],
    "float": ["float64", "float32", "Float64Dtype", "int64", "Int64Dtype"],
    "bool": ["bool", "BooleanDtype"],
    "category": ["str", "StringDtype"],
}


class DraftError(Invalid):
    """The file or the names given cannot make a spec; the message says which and why."""

    code = "draft_invalid"


@dataclass
class Column:
    name: str  # as in the prepared data (a valid feature name)
    original: str  # as in the file
    kind: FeatureType | None  # None: left out of the features
    note: str = ""


@dataclass
class Draft:
    name: str
    spec_text: str
    suite: dict[str, Any]
    source: str  # what the spec's dataset.source says
    prepared: pd.DataFrame | None  # a copy of the data to write at `source`, when one is needed
    notes: list[str] = field(default_factory=list)  # what to review, for the command's output


def _feature_name(column: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", column.strip())
    return name if NAME.match(name) else f"c_{name}"


def _integral(values: pd.Series) -> bool:
    return bool(len(values)) and bool((values % 1 == 0).all())


def _sequence(values: pd.Series) -> bool:
    return bool(values.is_monotonic_increasing or values.is_monotonic_decreasing)


def infer_kind(series: pd.Series) -> tuple[FeatureType | None, str]:
    """The spec type of a column and a note on anything to review (None: not a feature)."""
    values = series.dropna()
    distinct = values.nunique()
    if values.empty:
        return None, "every value is missing: left out"
    if pd.api.types.is_bool_dtype(series.dtype):
        return "bool", ""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return None, "a date/time: left out (derive features such as the month in the data)"
    if pd.api.types.is_numeric_dtype(series.dtype):
        if _integral(values) and distinct == len(series) > 20 and _sequence(values):
            return None, "a distinct, ordered integer per row: a row number or id? left out"
        if _integral(values):
            if distinct == 2 and set(values.unique().tolist()) == {0, 1}:
                return "int", "only 0 and 1: could be declared bool"
            return "int", ""
        return "float", ""
    text = values.astype(str)
    if distinct > MAX_CATEGORIES and distinct > len(values) / 2:
        return (
            None,
            f"{distinct} distinct values in {len(values)} rows: an id or free text? left out",
        )
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().mean() > 0.95:
        return "category", "text that is almost all numbers: fix the file to make it a number?"
    return "category", ""


def infer_task(target: pd.Series) -> tuple[str, FeatureType, str]:
    """(task, target_type, why) from the target's values."""
    values = target.dropna()
    distinct = values.nunique()
    if pd.api.types.is_bool_dtype(target.dtype):
        return "classification", "bool", "true/false values"
    if pd.api.types.is_numeric_dtype(target.dtype):
        if _integral(values) and distinct <= CLASSIFICATION_MAX_CLASSES:
            return "classification", "int", f"{distinct} integer values: classes"
        kind: FeatureType = "int" if _integral(values) else "float"
        return "regression", kind, f"{distinct} distinct numbers: a quantity"
    return "classification", "category", f"{distinct} text values: classes"


def _number(value: float, integral: bool) -> int | float:
    if integral:
        return int(value)
    return float(f"{value:.6g}")


def _range(values: pd.Series, integral: bool) -> tuple[int | float, int | float, str]:
    """Observed range widened by 10% of its width on each side (never below 0 for data that
    has no negative value): new data a little outside passes, impossible values fail."""
    low, high = float(values.min()), float(values.max())
    margin = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    lower = low - margin
    if low >= 0:
        lower = max(0.0, lower)
    upper = high + margin
    if integral:
        lower, upper = math.floor(lower), math.ceil(upper)
    note = f"observed [{_number(low, integral)}, {_number(high, integral)}], widened by 10%"
    return _number(lower, integral), _number(upper, integral), note


def _expect(kind: str, note: str = "", **kwargs: Any) -> dict[str, Any]:
    return {"type": f"expect_{kind}", "kwargs": kwargs, "meta": {"notes": note} if note else {}}


def _column_suite(name: str, series: pd.Series, kind: str) -> list[dict[str, Any]]:
    values = series.dropna()
    nulls = float(series.isna().mean())
    out: list[dict[str, Any]] = []
    if nulls == 0:
        out.append(_expect("column_values_to_not_be_null", column=name))
    else:
        mostly = max(0.0, math.floor((1 - 2 * nulls - 0.01) * 100) / 100)
        note = f"{nulls:.1%} missing in the draft's data; at most about twice that passes"
        out.append(_expect("column_values_to_not_be_null", note, column=name, mostly=mostly))
    if kind in ("int", "float"):
        integral = kind == "int"
        # An integer column with a null is stored as floats (numpy has no integer NaN).
        types = TYPE_LISTS["float" if integral and nulls else kind]
        out.append(_expect("column_values_to_be_in_type_list", column=name, type_list=types))
        low, high, note = _range(values, integral)
        out.append(
            _expect(
                "column_values_to_be_between", note, column=name, min_value=low, max_value=high
            )
        )
    elif kind == "bool":
        out.append(
            _expect("column_values_to_be_in_type_list", column=name, type_list=TYPE_LISTS["bool"])
        )
    else:
        types = TYPE_LISTS["category"]
        out.append(_expect("column_values_to_be_in_type_list", column=name, type_list=types))
        seen = sorted(values.astype(str).unique().tolist())
        note = "the values seen in the draft's data: a new one fails validation (review)"
        out.append(_expect("column_values_to_be_in_set", note, column=name, value_set=seen))
    return out


def draft_suite(
    name: str,
    frame: pd.DataFrame,
    columns: list[Column],
    *,
    key: str,
    timestamp: str,
    target: str,
    target_type: str,
) -> dict[str, Any]:
    """The expectation suite of the prepared `frame`."""
    rows = len(frame)
    least = max(1, rows // 2)
    expectations = [
        _expect(
            "table_row_count_to_be_between",
            f"the draft's data has {rows} rows: a batch of fewer than half fails",
            min_value=least,
        )
    ]
    named = [key, timestamp, target, *(c.name for c in columns if c.kind)]
    expectations += [_expect("column_to_exist", column=column) for column in named]
    key_kind = "int" if pd.api.types.is_integer_dtype(frame[key].dtype) else "category"
    expectations += [
        _expect("column_values_to_not_be_null", column=key),
        _expect("column_values_to_be_in_type_list", column=key, type_list=TYPE_LISTS[key_kind]),
        _expect("column_values_to_not_be_null", column=timestamp),
        _expect("compound_columns_to_be_unique", column_list=[key, timestamp]),
    ]
    expectations += _column_suite(target, frame[target], target_type)
    for column in columns:
        if column.kind:
            expectations += _column_suite(column.name, frame[column.name], column.kind)
    notes = (
        f"Drafted by `mlaas init` from {rows} rows on {datetime.now(UTC):%Y-%m-%d}. Ranges are "
        "the observed ones widened by 10%; category sets are the values seen. Review them: "
        "set physically plausible limits and the categories you expect."
    )
    return {"name": name, "expectations": expectations, "meta": {"notes": notes}}


def _yaml(value: Any) -> str:
    return json.dumps(value)  # JSON scalars and lists are YAML too


def _search_space(task: str) -> list[str]:
    linear = (
        ["    logistic_regression:", "      C: {type: float, low: 0.001, high: 100.0, log: true}"]
        if task == "classification"
        else ["    ridge:", "      alpha: {type: float, low: 0.001, high: 100.0, log: true}"]
    )
    return [
        *linear,
        "    lightgbm:",
        "      n_estimators: {type: int, low: 50, high: 300}",
        "      learning_rate: {type: float, low: 0.01, high: 0.3, log: true}",
        "      num_leaves: {type: int, low: 8, high: 64}",
        "      min_child_samples: {type: int, low: 5, high: 100}",
    ]


def _training(task: str, target: pd.Series, *, timed: bool) -> tuple[list[str], list[str]]:
    """The spec's training section and the review notes it raises (`timed`: the rows have
    real event times, so a regression can be scored on its latest rows)."""
    notes: list[str] = []
    lines = ["training:"]
    if task == "classification":
        counts = target.value_counts()
        smallest = int(counts.min())
        if len(counts) == 2:
            share = smallest / len(target)
            metric, why = "roc_auc", "two classes: ranks positives above negatives"
            if share < 0.1:
                why += (
                    f"; the rarer class is {share:.1%} of rows: roc_auc stays high while few "
                    "positives are found (see docs/specs.md on rare positives)"
                )
                notes.append(f"the rarer class is {share:.1%} of the rows: review primary_metric")
        else:
            metric, why = "f1", f"{len(counts)} classes: macro F1 weighs each class alike"
        min_rows = max(1, min(10, smallest // 5))
        lines += [
            f"  primary_metric: {metric}  # {why}",
            "  # Random, hence stratified: every class in both parts, in proportion (the "
            f"rarest has {smallest} rows).",
            f"  holdout: {{strategy: random, fraction: 0.2, min_class_rows: {min_rows}}}",
        ]
    elif timed:
        lines += [
            "  primary_metric: rmse  # in the target's unit; r2 and mae are logged too",
            "  # The latest 20% of rows by event time: scored on what comes after training.",
            "  holdout: {strategy: time, fraction: 0.2}",
        ]
    else:
        lines += [
            "  primary_metric: rmse  # in the target's unit; r2 and mae are logged too",
            "  # Random: the rows have no real event times (a time holdout would be the last rows",
            "  # of the file, often one group of them).",
            "  holdout: {strategy: random, fraction: 0.2}",
        ]
    lines += [
        "  trials: 20",
        "  timeout_seconds: 600",
        "  cv_folds: 3",
        "  seed: 42",
        "  families:",
        *_search_space(task),
    ]
    return lines, notes


def _prepare(
    frame: pd.DataFrame, key: str | None, timestamp: str | None
) -> tuple[pd.DataFrame, str, str, list[Column], list[str]]:
    """(data with valid names and the key/timestamp columns, key, timestamp, columns, notes)."""
    notes: list[str] = []
    renamed = {c: _feature_name(str(c)) for c in frame.columns}
    clashes = [n for n in set(renamed.values()) if list(renamed.values()).count(n) > 1]
    if clashes:
        raise DraftError(f"columns would share the feature name(s) {sorted(clashes)} once renamed")
    changed = {c: n for c, n in renamed.items() if c != n}
    if changed:
        notes.append(f"renamed column(s) to valid feature names: {changed}")
        frame = frame.rename(columns=changed)
    if key is None:
        key = "row_id"
        frame.insert(0, key, range(len(frame)))
        notes.append("no entity key given: added `row_id`, the row number")
    else:
        key = changed.get(key, key)
    if timestamp is None:
        timestamp = "recorded_at"
        when = datetime.now(UTC).replace(microsecond=0)
        frame.insert(1, timestamp, pd.Timestamp(when))
        notes.append(
            f"no event timestamp given: added `{timestamp}` = {when.isoformat()} on every row "
            "(so the holdout is random)"
        )
    else:
        timestamp = changed.get(timestamp, timestamp)
    columns = [Column(name=renamed[c], original=str(c), kind=None) for c in renamed]
    return frame, key, timestamp, columns, notes


def _relative(path: Path, project_dir: Path | None) -> str:
    """`path` as the spec's source: relative to the project folder when inside it."""
    if project_dir is None:
        from mlaas.settings import get_settings

        project_dir = get_settings().project_dir
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(path.resolve())


def draft(
    path: Path,
    *,
    target: str,
    entity_key: str | None = None,
    timestamp: str | None = None,
    name: str | None = None,
    project_dir: Path | None = None,
) -> Draft:
    """Draft a spec and a suite for the table at `path` (csv or parquet); a prepared copy of
    the data, when one is needed, goes to `data/<name>.parquet` in the project folder."""
    from mlaas.ingest import normalize_frame, read_source
    from mlaas.spec_check import nearest

    frame = read_source(str(path))
    name = name or re.sub(r"[^a-z0-9_]", "_", path.stem.lower()).strip("_")
    if not re.match(r"^[a-z][a-z0-9_]{1,62}$", name):
        raise DraftError(f"{name!r} cannot name a model: use --name with a-z, 0-9 and _")
    for role, given in (("target", target), ("entity key", entity_key), ("timestamp", timestamp)):
        if given is not None and given not in frame.columns:
            raise DraftError(
                f"{path}: {role} {given!r} is not a column{nearest(given, frame.columns)}"
            )
    if frame[target].isna().any():
        raise DraftError(f"{path}: target {target!r} has {int(frame[target].isna().sum())} nulls")
    prepared, key, timestamp, columns, notes = _prepare(frame.copy(), entity_key, timestamp)
    target = next(c.name for c in columns if c.original == target)
    prepared = normalize_frame(prepared, timestamp=timestamp, source=str(path))
    if prepared.duplicated([key, timestamp]).any():
        raise DraftError(f"{path}: ({key}, {timestamp}) is not unique: it cannot key the rows")
    for column in columns:
        if column.name in (key, timestamp, target):
            continue
        column.kind, column.note = infer_kind(prepared[column.name])
    task, target_type, why = infer_task(prepared[target])
    needs_copy = prepared.columns.tolist() != frame.columns.tolist()
    source = f"data/{name}.parquet" if needs_copy else _relative(path, project_dir)
    timed = prepared[timestamp].nunique() > 1
    training, training_notes = _training(task, prepared[target], timed=timed)
    features = [c for c in columns if c.kind]
    if not features:
        raise DraftError(f"{path}: no column can be a feature (every one was left out)")
    shown = ", ".join(c.name for c in features[:4]) + (", ..." if len(features) > 4 else "")
    description = f"Predicts {target} from {shown}"
    header = [f"# {note}" for note in notes]  # the data-wide ones (columns note inline)
    spec_lines = [
        f"# Drafted by `mlaas init` from {path.name} ({len(prepared)} rows) on "
        f"{datetime.now(UTC):%Y-%m-%d}.",
        *header,
        "# Review every line marked REVIEW, then: mlaas specs validate && mlaas run " + name,
        f"name: {name}",
        f"description: {_yaml(description)}  # REVIEW",
        "owner: unknown  # REVIEW: the team that answers for this model",
        f"task: {task}  # inferred: {why}",
        "",
        "dataset:",
        f"  source: {_yaml(source)}"
        + (f"  # {path.name}, prepared (see the notes above)" if needs_copy else ""),
        "",
        f"entity_key: {key}",
        f"event_timestamp: {timestamp}",
        f"target: {target}",
        f"target_type: {target_type}",
        "",
        "features:",
    ]
    for column in columns:
        if column.name in (key, timestamp, target):
            continue
        if column.kind is None:
            spec_lines.append(f"  # left out: {column.name} ({column.note})")
            continue
        review = f"  # REVIEW: {column.note}" if column.note else ""
        spec_lines.append(f"  - {{name: {column.name}, type: {column.kind}}}{review}")
    decision: list[str] = []
    if task == "classification" and prepared[target].nunique() == 2:
        counts = prepared[target].value_counts()
        rarer = counts.index[-1]
        rarer = rarer.item() if hasattr(rarer, "item") else rarer
        decision = [
            "",
            "decision:",
            f"  positive_class: {_yaml(rarer)}  # REVIEW: the class the score is about "
            f"(inferred: the rarer, {int(counts.iloc[-1])} of {len(prepared)} rows)",
            "  threshold: 0.5  # or tune it: tune_threshold: f1 (or recall, with min_recall)",
        ]
    spec_lines += [
        *decision,
        "",
        f"feature_view: {name}_features",
        f"validation_suite: {name}",
        "",
        *training,
        "",
        "gate:",
        "  min_metric: null  # REVIEW: the floor a champion must reach on the holdout",
        "  min_improvement: 0.0",
        "",
        "retrain:",
        "  mode: full",
        "",
    ]
    spec_text = "\n".join(spec_lines)
    notes += training_notes
    notes += [f"{c.name}: {c.note}" for c in columns if c.note]
    import yaml

    parse_spec(yaml.safe_load(spec_text), source=f"draft of {name}")  # the draft is valid
    suite = draft_suite(
        name,
        prepared,
        [c for c in columns if c.name not in (key, timestamp, target)],
        key=key,
        timestamp=timestamp,
        target=target,
        target_type=target_type,
    )
    return Draft(
        name=name,
        spec_text=spec_text,
        suite=suite,
        source=source,
        prepared=prepared if needs_copy else None,
        notes=notes,
    )


def write_draft(
    result: Draft,
    *,
    specs_dir: Path,
    expectations_dir: Path,
    project_dir: Path,
    force: bool = False,
) -> list[Path]:
    """Write the spec, the suite and the prepared data; refuse to overwrite unless `force`."""
    spec_path = specs_dir / f"{result.name}.yaml"
    suite_path = expectations_dir / f"{result.name}.json"
    data_path = project_dir / result.source if result.prepared is not None else None
    targets = [p for p in (spec_path, suite_path, data_path) if p is not None]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise DraftError(f"{', '.join(existing)} already exist(s); --force overwrites")
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(result.spec_text)
    suite_path.write_text(json.dumps(result.suite, indent=2) + "\n")
    if data_path is not None and result.prepared is not None:
        result.prepared.to_parquet(data_path, index=False)
    return targets
