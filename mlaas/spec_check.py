"""A spec checked against its data and its expectation suite before a run does any work.

A typo in a column name used to pass `mlaas specs validate` and the suite, and to fail in the
features step with a bare `"['livingAera'] not in index"` after the lake and Feast had been
written. Here, before ingest stores anything: every column the spec names exists in the source
(else the nearest column names are suggested), holds values of the spec's type (else a sample of
the values that do not fit, with their rows, and how many there are), the target has no nulls,
and the suite has an expectation on every spec column. Every problem names the spec file and
field; all of them are reported at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from mlaas.errors import Invalid
from mlaas.samples import counted, sample_rows, sample_values
from mlaas.specs import ModelSpec


class SpecDataMismatch(Invalid):
    """The spec names columns the data lacks, or types its values do not have."""

    code = "spec_data_mismatch"

    def __init__(self, problems: list[str]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        super().__init__(f"the spec does not match its data ({count}): " + "; ".join(problems))
        self.problems = problems


def shown(path: Path | str) -> str:
    """`path` relative to the working folder when it is inside it (as a user typed it)."""
    if str(path).startswith("s3://"):
        return str(path)
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def spec_file(spec: ModelSpec) -> str:
    """The file a problem points at: the one the spec was loaded from, else the specs
    folder's `<name>.yaml`."""
    from mlaas.settings import get_settings

    return shown(spec.source_file or get_settings().specs_dir / f"{spec.name}.yaml")


def nearest(name: str, columns: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest column name, '' when none is close."""
    columns = [str(c) for c in columns]
    folded = {c.lower(): c for c in columns}
    if name.lower() in folded:
        return f"; did you mean {folded[name.lower()]!r}?"
    close = difflib.get_close_matches(name, columns, n=2, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def _type_problem(series: pd.Series, kind: str) -> str | None:
    """Why a column's values are not of the spec's type `kind` (None: they are)."""
    values = series.dropna()
    if kind == "category":
        return None  # any value can be a category (numbers are sent and kept as their text)
    if pd.api.types.is_bool_dtype(series.dtype):
        if kind == "bool":
            return None
        return "holds true/false values, not numbers (declare it bool)"
    if kind == "bool":
        if pd.api.types.is_numeric_dtype(series.dtype):
            bad = values[~values.isin([0, 1])]
            if bad.empty:
                return None
            return f"{counted(len(bad), 'value')} not 0/1 or true/false: {sample_values(bad)}"
        return f"holds {series.dtype} values, not true/false: {sample_values(values)}"
    numbers = pd.to_numeric(values, errors="coerce")
    not_numbers = values[numbers.isna()]
    if not not_numbers.empty:
        return f"{counted(len(not_numbers), 'non-numeric value')}: {sample_values(not_numbers)}"
    if kind == "int":
        fractions = values[(numbers % 1 != 0).to_numpy()]
        if not fractions.empty:
            return (
                f"{counted(len(fractions), 'fractional value')} in an int feature: "
                f"{sample_values(fractions)} (declare it float)"
            )
    return None


def check_data(spec: ModelSpec, frame: pd.DataFrame, *, where: str, source: str) -> list[str]:
    """Problems of `frame` (the source `source`) for `spec` (loaded from `where`)."""
    columns = list(frame.columns)
    problems: list[str] = []

    def absent(field: str, name: str, role: str) -> bool:
        if name in frame.columns:
            return False
        problems.append(
            f"{where}: {field}: {role} {name!r} is not a column of {shown(source)}"
            f"{nearest(name, columns)}"
        )
        return True

    absent("entity_key", spec.entity_key, "entity key")
    absent("event_timestamp", spec.event_timestamp, "event timestamp")
    for index, feature in enumerate(spec.features):
        field = f"features[{index}].name"
        if absent(field, feature.name, "feature"):
            continue
        problem = _type_problem(frame[feature.name], feature.type)
        if problem:
            problems.append(
                f"{where}: features[{index}].type: {feature.name!r} is {feature.type} but "
                f"the column {problem}"
            )
    if not absent("target", spec.target, "target"):
        target = frame[spec.target]
        nulls = target[target.isna()]
        if not nulls.empty:
            problems.append(
                f"{where}: target: {spec.target!r} has {counted(len(nulls), 'null')} "
                f"(rows {sample_rows(nulls)}); every training row needs a label"
            )
        problems += _decision_problems(spec, target.dropna(), where)
        kind = spec.target_type or ("float" if spec.task == "regression" else "category")
        problem = _type_problem(target, kind)
        if problem:
            problems.append(
                f"{where}: target: {spec.target!r} of a {spec.task} model is {kind} but the "
                f"column {problem}"
            )
    return problems


def _decision_problems(spec: ModelSpec, labels: pd.Series, where: str) -> list[str]:
    """A binary target's positive class: required for text labels (which class is "positive"
    cannot be guessed), and one of the labels when given."""
    if spec.task != "classification":
        return []
    values = sorted(labels.unique().tolist(), key=str)
    wanted = spec.decision.positive_class
    if wanted is not None:
        if str(wanted) not in {str(v) for v in values} and len(values) <= 2:
            return [
                f"{where}: decision.positive_class: {wanted!r} is not a label of "
                f"{spec.target!r}: {values}"
            ]
        return []
    textual = pd.api.types.is_object_dtype(labels.dtype) or pd.api.types.is_string_dtype(
        labels.dtype
    )
    if len(values) == 2 and textual:
        return [
            f"{where}: decision.positive_class: required for the text labels {values} of "
            f"{spec.target!r} (the class the score, the threshold and precision/recall are "
            "about; e.g. the rarer one)"
        ]
    return []


def _suite_columns(suite: dict[str, Any]) -> set[str]:
    covered: set[str] = set()
    for expectation in suite.get("expectations", []):
        kwargs = expectation.get("kwargs", {})
        if isinstance(kwargs.get("column"), str):
            covered.add(kwargs["column"])
        for key in ("column_list", "column_A", "column_B"):
            value = kwargs.get(key)
            covered.update([value] if isinstance(value, str) else value or [])
    return covered


def check_suite(spec: ModelSpec, *, where: str, among: Iterable[str] | None = None) -> list[str]:
    """Spec columns no expectation of the model's suite covers (the suite file is named);
    only those `among` the given columns when given."""
    from mlaas.settings import get_settings
    from mlaas.validation import load_suite_dict

    suite_file = shown(get_settings().expectations_dir / f"{spec.validation_suite}.json")
    try:
        suite = load_suite_dict(spec.validation_suite)
    except ValueError as error:
        return [f"{where}: validation_suite: {error}"]
    covered = _suite_columns(suite)
    named = [spec.entity_key, spec.event_timestamp, *spec.feature_names, spec.target]
    present = None if among is None else set(among)
    uncovered = [n for n in named if n not in covered and (present is None or n in present)]
    if not uncovered:
        return []
    return [
        f"{suite_file}: no expectation on {', '.join(repr(n) for n in uncovered)} "
        f"(spec {where} names {'it' if len(uncovered) == 1 else 'them'}); add one per column, "
        "at least expect_column_to_exist (`mlaas init` drafts a whole suite)"
    ]


def problems_with(spec: ModelSpec, frame: pd.DataFrame, *, source: str) -> list[str]:
    """Every problem of the spec against one source file's `frame` and against its suite
    (the suite's gaps only for columns the data has: a typo is reported once, as a typo)."""
    where = spec_file(spec)
    problems = check_data(spec, frame, where=where, source=source)
    return problems + check_suite(spec, where=where, among=frame.columns if problems else None)


def check_spec_data(spec: ModelSpec) -> str:
    """What `mlaas specs validate` says of the data: SpecDataMismatch on a problem, else
    ', data <source> checked' or why it was not (a source not made yet)."""
    from mlaas.data.generate import resolve_source
    from mlaas.ingest import IngestError, read_source

    source = resolve_source(spec)
    if not source.startswith("s3://") and not Path(source).is_file():
        how = " (`mlaas data generate` makes it)" if spec.dataset.generator else ""
        return f"; data not checked: {shown(source)} is not there yet{how}"
    try:
        frame = read_source(source)
    except IngestError as error:
        raise SpecDataMismatch([f"{spec_file(spec)}: dataset.source: {error}"]) from None
    problems = problems_with(spec, frame, source=source)
    if problems:
        raise SpecDataMismatch(problems)
    return f"; data {shown(source)} checked: {len(frame)} rows"


__all__ = [
    "SpecDataMismatch",
    "check_data",
    "check_spec_data",
    "check_suite",
    "nearest",
    "problems_with",
]
