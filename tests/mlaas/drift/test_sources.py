"""Parquet sources give the same report as the same data in frames, column by column."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlaas.drift import DriftReport, compute_drift
from mlaas.drift.sources import FrameSource, ParquetSource
from mlaas.specs import DriftPolicy

NUMERIC = ["x0", "x1", "n_int", "flag"]
CATEGORICAL = ["c0", "c1", "code"]
NO_JOINT = DriftPolicy(multivariate_test="none")


def _frame(n: int, rng: np.random.Generator, *, shift: bool = False) -> pd.DataFrame:
    """Every awkward case at once: NaN, +-inf and nulls in numeric columns, an integer column
    with nulls, booleans, text categories with nulls and (when shifted) an unseen category,
    a `category` column and integer codes used as categories."""
    x0 = rng.normal(0.5 if shift else 0.0, 1.0, n)
    x0[rng.random(n) < 0.05] = np.nan
    x0[rng.random(n) < 0.01] = np.inf
    x0[rng.random(n) < 0.01] = -np.inf
    x1 = np.round(rng.normal(0.0, 1.0, n), 1).astype(object)  # ties, and None as missing
    x1[rng.random(n) < 0.03] = None
    levels = ["a", "b", "c", "new"] if shift else ["a", "b", "c"]
    c0 = rng.choice(levels, n).astype(object)
    c0[rng.random(n) < 0.04] = None
    return pd.DataFrame(
        {
            "x0": x0,
            "x1": pd.array(x1, dtype="Float64"),
            "n_int": pd.Series(rng.integers(0, 50, n), dtype="Int64").mask(rng.random(n) < 0.02),
            "flag": rng.random(n) < (0.6 if shift else 0.5),
            "c0": c0,
            "c1": pd.Categorical(rng.choice(["p", "q"], n), categories=["q", "p", "unused"]),
            "code": rng.integers(0, 4, n),
        }
    )


def _parquet(frame: pd.DataFrame, path: Path, *, row_group_size: int = 700) -> Path:
    """Written by pyarrow with several row groups (text columns dictionary-encoded)."""
    frame.to_parquet(path, index=False, row_group_size=row_group_size)
    return path


def _report(reference: object, current: object, policy: DriftPolicy = NO_JOINT) -> DriftReport:
    return compute_drift(
        reference,  # type: ignore[arg-type]
        current,  # type: ignore[arg-type]
        numeric=NUMERIC,
        categorical=CATEGORICAL,
        policy=policy,
    )


def _assert_same(found: DriftReport, expected: DriftReport) -> None:
    assert found.drifted_features == expected.drifted_features
    assert found.dataset_drift == expected.dataset_drift
    assert (found.reference_rows, found.current_rows) == (
        expected.reference_rows,
        expected.current_rows,
    )
    for mine, theirs in zip(found.features, expected.features, strict=True):
        assert (mine.feature, mine.test, mine.drifted) == (
            theirs.feature,
            theirs.test,
            theirs.drifted,
        )
        assert (mine.reference_rows, mine.current_rows) == (
            theirs.reference_rows,
            theirs.current_rows,
        )
        assert mine.statistic == pytest.approx(theirs.statistic, rel=1e-12, abs=1e-12)
        assert mine.scores == pytest.approx(theirs.scores, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    "policy",
    [NO_JOINT, DriftPolicy(numeric_test="wasserstein", categorical_test="jensen_shannon")],
    ids=["ks-chi2", "wasserstein-js-domain-classifier"],
)
def test_parquet_report_equals_the_frame_report(tmp_path: Path, policy: DriftPolicy) -> None:
    rng = np.random.default_rng(7)
    reference, current = _frame(3_000, rng), _frame(5_000, rng, shift=True)
    expected = _report(reference, current, policy)
    found = _report(
        ParquetSource(_parquet(reference, tmp_path / "ref.parquet")),
        ParquetSource(_parquet(current, tmp_path / "cur.parquet")),
        policy,
    )
    _assert_same(found, expected)
    assert {"x0", "c0", "flag"} <= set(found.drifted_features)
    by_name = {feature.feature: feature for feature in found.features}
    assert by_name["c0"].scores["unseen_share"] > 0.15
    assert by_name["x0"].scores["current_missing_share"] > 0.05
    if policy.multivariate_test == "domain_classifier":
        assert found.multivariate is not None and expected.multivariate is not None
        assert found.multivariate.statistic == pytest.approx(expected.multivariate.statistic)


def test_several_files_and_bytes_read_as_one_table(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    reference, current = _frame(2_000, rng), _frame(3_000, rng, shift=True)
    parts = [
        _parquet(current.iloc[start : start + 1_000], tmp_path / f"cur-{start}.parquet")
        for start in range(0, 3_000, 1_000)
    ]
    buffer = io.BytesIO()
    reference.to_parquet(buffer, index=False)
    found = _report(ParquetSource(buffer.getvalue()), ParquetSource(parts))
    _assert_same(found, _report(reference, current))


def test_plain_string_columns_are_read_as_codes(tmp_path: Path) -> None:
    """Text written without a dictionary (pyarrow, use_dictionary=False) is still read as
    codes and labels, and the labels match the frame's."""
    rng = np.random.default_rng(9)
    reference, current = _frame(1_500, rng), _frame(1_500, rng, shift=True)
    paths = []
    for frame, name in ((reference, "ref"), (current, "cur")):
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, tmp_path / f"{name}.parquet", use_dictionary=False)
        paths.append(tmp_path / f"{name}.parquet")
    source = ParquetSource(paths[1])
    column = source.categorical("c0")
    assert column.codes.dtype.kind == "i" and sorted(column.labels) == ["a", "b", "c", "new"]
    assert int((column.codes < 0).sum()) == int(current["c0"].isna().sum())
    _assert_same(_report(ParquetSource(paths[0]), source), _report(reference, current))


def test_numeric_values_match_the_frame(tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    frame = _frame(1_000, rng)
    source = ParquetSource(_parquet(frame, tmp_path / "data.parquet"))
    for name in NUMERIC:
        np.testing.assert_array_equal(source.numeric(name), FrameSource(frame).numeric(name))
    assert source.rows == 1_000 and source.columns == list(frame.columns)


def test_a_column_missing_from_a_file_is_named(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    frame = _frame(500, rng)
    path = _parquet(frame.drop(columns=["c1"]), tmp_path / "current.parquet")
    with pytest.raises(KeyError, match=r"current parquet file .*current\.parquet has no "):
        _report(frame, ParquetSource(path))
    with pytest.raises(KeyError, match=r"\['c1'\]"):
        _report(frame, ParquetSource(path))
    with pytest.raises(KeyError, match="has no column 'c1'"):
        ParquetSource(path).categorical("c1")


def test_files_with_different_columns_are_refused(tmp_path: Path) -> None:
    frame = _frame(200, np.random.default_rng(12))
    one = _parquet(frame, tmp_path / "one.parquet")
    two = _parquet(frame.drop(columns=["x1"]), tmp_path / "two.parquet")
    with pytest.raises(ValueError, match=r"differs in columns \['x1'\]"):
        ParquetSource([one, two])


def test_text_in_a_numeric_column_is_named(tmp_path: Path) -> None:
    reference = pd.DataFrame({"x0": [1.0, 2.0, 3.0]})
    path = _parquet(pd.DataFrame({"x0": ["1.5", "oops", None]}), tmp_path / "cur.parquet")
    with pytest.raises(ValueError, match="numeric feature 'x0' has non-numeric values"):
        compute_drift(
            reference, ParquetSource(path), numeric=["x0"], categorical=[], policy=NO_JOINT
        )


def test_parquet_drift_needs_no_pandas(tmp_path: Path) -> None:
    """A report from parquet on both sides never imports pandas (~45 MB resident)."""
    frame = _frame(1_000, np.random.default_rng(13))
    path = _parquet(frame, tmp_path / "data.parquet")
    script = (
        "import sys\n"
        "from mlaas.drift import compute_drift\n"
        "from mlaas.drift.sources import ParquetSource\n"
        "from mlaas.specs import DriftPolicy\n"
        f"source = ParquetSource({str(path)!r})\n"
        f"report = compute_drift(source, source, numeric={NUMERIC!r}, "
        f"categorical={CATEGORICAL!r}, policy=DriftPolicy(multivariate_test='none'))\n"
        "assert report.drifted_features == [], report.drifted_features\n"
        "print('pandas' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, check=True
    )
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("offset", [0, 3, 8, 13])
def test_arrow_buffers_copy_with_offsets_and_nulls(offset: int) -> None:
    """Slices of arrow arrays start inside their buffers (and their validity bitmaps)."""
    from mlaas.drift.sources import _copy_fixed_width

    values = [float(i) if i % 3 else None for i in range(40)]
    array = pa.array(values, type=pa.float64()).slice(offset, 20)
    out = np.empty(20)
    _copy_fixed_width(array, out, missing=np.nan)
    expected = np.array([np.nan if v is None else v for v in values[offset : offset + 20]])
    np.testing.assert_array_equal(out, expected)
    codes = np.empty(20, dtype=np.int32)
    _copy_fixed_width(pa.array(range(40), type=pa.int32()).slice(offset, 20), codes, missing=-1)
    np.testing.assert_array_equal(codes, np.arange(offset, offset + 20))


def test_drift_for_spec_streams_the_sample_with_the_frame_result(mlaas_home: Path) -> None:
    """The profile's sample read column by column from the lake gives the report of the same
    sample loaded as a frame (the churn table: text, integer and float features)."""
    from mlaas.drift import drift_for_spec
    from mlaas.profiles import build_profile, load_profile, load_sample, save_profile
    from tests.factories import small_spec
    from tests.mlaas.training import churn_frame

    spec = small_spec("churn", drift={"multivariate_test": "none"})
    frame = churn_frame(2_000)
    profile = load_profile(save_profile(spec, "f00d", build_profile(spec, frame), frame=frame))
    live = churn_frame(1_500, seed=3)
    live["age"] = live["age"] + 10
    found = drift_for_spec(spec, profile, live)
    expected = compute_drift(
        load_sample(profile),
        live,
        numeric=spec.numeric_features,
        categorical=spec.categorical_features,
        policy=spec.drift,
    )
    _assert_same(found, expected)
    assert "age" in found.drifted_features
