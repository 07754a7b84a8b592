"""Drift on a million rows: our engine (mlaas.drift) vs Evidently's DataDriftPreset.

Data (seeded, generated once by a separate child): 16 numeric and 4 categorical features, a
100,000-row reference and a 1,000,000-row current table; a shift is injected into a known set of
features (mean shifts, a scale change, changed category shares) and every other feature keeps its
distribution. The generator saves the same values twice: as .npy blocks that the in-memory
children load into the same frames (float64 numeric columns, pandas `category` ones), and as one
parquet file per side (snappy, row groups of 131,072 rows, categorical columns dictionary-encoded
strings) for the streaming child.

Five children, one after the other, each doing one job so its peak memory is its own (VmHWM,
cross-checked by the parent's wait4 ru_maxrss): ours per-feature on in-memory frames (the
like-for-like report: Evidently's preset has no joint test), ours per-feature streaming from the
parquet files (`ParquetSource`: one column at a time, no pandas; its time INCLUDES reading and
decoding the data), ours on frames with the domain-classifier joint test, reading the parquet
files into pandas frames (what the frame engines would pay to start from the same files), and
Evidently 0.7 from a separate venv (bench/.venv-evidently, created on first use: Evidently 0.7
needs pandas < 3 and pins packages the project does not). For the frame children the timed part
is the drift computation only; every peak covers the whole process.

Evidently picks its per-column test from the data: above 1,000 rows, Wasserstein distance
(normalised by the reference std, threshold 0.1) for numeric columns and Jensen-Shannon distance
(threshold 0.1) for categorical ones. Ours runs the same tests (policy: wasserstein +
jensen_shannon; the JS threshold converted from Evidently's natural-log distance to our base-2
one) and, on top, KS, chi-squared and PSI for every column (and, in the second run, the
domain-classifier joint test).

Usage: flock /tmp/bench.lock .venv/bin/python bench/drift_vs_evidently.py [--rows 1000000]
       [--reference-rows 100000]
Writes bench/results/drift_vs_evidently.json and prints a summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "bench" / "results" / "drift_vs_evidently.json"
SIDES = ("reference", "current")
EVIDENTLY_VENV = PROJECT / "bench" / ".venv-evidently"
EVIDENTLY_REQUIREMENTS = ["evidently>=0.7,<0.8", "pandas<3"]  # 0.7 breaks on pandas 3

NUMERIC = [f"num_{i:02d}" for i in range(16)]
CATEGORICAL = [f"cat_{i}" for i in range(4)]
LEVELS = [f"level_{i}" for i in range(8)]
ROW_GROUP_ROWS = 131_072  # parquet row group: a common writer setting, 1 MB per float column
# The injected shift: feature -> what changes in the current frame.
SHIFTS = {
    "num_01": "mean +0.25 sd",
    "num_06": "mean -0.5 sd",
    "num_11": "sd x1.5",
    "num_14": "mean +0.2 sd (lognormal)",
    "cat_2": "shares of the 8 levels reversed",
}
SEED = 20_251_123
JS_THRESHOLD_NATS = 0.1  # Evidently's default Jensen-Shannon threshold (natural-log distance)
MEMORY_METHOD = (
    "peak_rss_mb: VmHWM of each child at the end of its run, i.e. the whole process's peak "
    "resident set (interpreter, imports, the loaded frames and the computation); "
    "ru_maxrss_mb: the same child's ru_maxrss from wait4 in the parent, as a cross-check. "
    "The data is generated once by a separate child and every engine's child loads the same "
    "files, so no generation transient is charged to anyone. The streaming child never holds "
    "the tables: its peak is imports plus the columns being tested."
)


def generate(folder: Path, reference_rows: int, current_rows: int) -> None:
    """Write the reference and current data once, for every child to load: per side a
    (features, rows) float64 block of the numeric columns and an int8 block of category codes.
    Numeric columns come in several shapes (normal, rounded to one decimal, lognormal,
    Student t) so ties and skew are in the comparison."""
    import numpy as np

    shares = np.linspace(2.0, 0.5, len(LEVELS))
    shares /= shares.sum()
    rng = np.random.default_rng(SEED)
    for side, rows, shifted in (
        ("reference", reference_rows, False),
        ("current", current_rows, True),
    ):
        numeric = np.empty((len(NUMERIC), rows))
        for i, name in enumerate(NUMERIC):
            loc = {"num_01": 0.25, "num_06": -0.5, "num_14": 0.2}.get(name, 0.0) if shifted else 0
            scale = 1.5 if shifted and name == "num_11" else 1.0
            kind = i % 4
            if kind == 0:
                numeric[i] = rng.normal(loc, scale, rows)
            elif kind == 1:
                numeric[i] = np.round(rng.normal(loc, scale, rows) * 10) / 10  # many ties
            elif kind == 2:
                numeric[i] = np.exp(rng.normal(loc, scale * 0.5, rows))
            else:
                numeric[i] = rng.standard_t(5, rows) * scale + loc
        codes = np.empty((len(CATEGORICAL), rows), dtype=np.int8)
        for i, name in enumerate(CATEGORICAL):
            p = shares[::-1] if shifted and name == "cat_2" else shares
            codes[i] = rng.choice(len(LEVELS), rows, p=p)
        np.save(folder / f"{side}_numeric.npy", numeric)
        np.save(folder / f"{side}_codes.npy", codes)
        write_parquet(folder / f"{side}.parquet", numeric, codes)


def write_parquet(path: Path, numeric: Any, codes: Any) -> None:
    """The same values as a parquet file: float64 columns, categorical columns as dictionary
    arrays of the level names (stored dictionary-encoded, read back as strings)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    levels = pa.array(LEVELS)
    columns = {name: pa.array(numeric[i]) for i, name in enumerate(NUMERIC)}
    for i, name in enumerate(CATEGORICAL):
        columns[name] = pa.DictionaryArray.from_arrays(pa.array(codes[i]), levels)
    pq.write_table(pa.table(columns), path, row_group_size=ROW_GROUP_ROWS)


def load_frames(folder: Path) -> tuple[Any, Any]:
    """The two frames, as both engines get them: float64 numeric columns (one block, loaded
    without an intermediate copy) and pandas `category` columns."""
    import numpy as np
    import pandas as pd

    frames = []
    for side in ("reference", "current"):
        frame = pd.DataFrame(
            np.load(folder / f"{side}_numeric.npy").T, columns=NUMERIC, copy=False
        )
        codes = np.load(folder / f"{side}_codes.npy")
        for i, name in enumerate(CATEGORICAL):
            frame[name] = pd.Categorical.from_codes(codes[i], categories=LEVELS)
        frames.append(frame)
    return frames[0], frames[1]


def fingerprint(reference: Any, current: Any) -> str:
    """Hash of both frames' columns (names, dtypes, values), so the parent can check every
    child saw the same data. Hashes the columns' own buffers: no copy to inflate the peak."""
    import numpy as np

    digest = hashlib.sha256()
    for frame in (reference, current):
        for name in frame.columns:
            column = frame[name]
            digest.update(f"{name}:{column.dtype}".encode())
            if column.dtype == "category":
                digest.update(str(list(column.cat.categories)).encode())
                column = column.cat.codes
            digest.update(np.ascontiguousarray(column.to_numpy()))
    return digest.hexdigest()[:16]


def fingerprint_sources(reference: Any, current: Any) -> str:
    """`fingerprint` of the data as the parquet sources hand it out, column by column: the
    same digest when the values, dtypes and category codes are the frames'."""
    import numpy as np

    digest = hashlib.sha256()
    for source in (reference, current):
        for name in NUMERIC:
            digest.update(f"{name}:float64".encode())
            digest.update(source.numeric(name))
        for name in CATEGORICAL:
            column = source.categorical(name)
            digest.update(f"{name}:category".encode())
            digest.update(str(LEVELS).encode())
            to_levels = np.array([LEVELS.index(label) for label in column.labels], dtype=np.int8)
            digest.update(np.ascontiguousarray(to_levels[column.codes]))
    return digest.hexdigest()[:16]


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


def peak_rss_mb() -> float:
    """This process's peak resident set size since it started (VmHWM: the interpreter,
    imports, the loaded data and every computation so far; exec starts a fresh count)."""
    return round(_status_mb("VmHWM"), 1)


def measured(run: Any, repeats: int) -> tuple[Any, dict[str, Any]]:
    """Run `run` `repeats` times: wall and CPU seconds of each."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(round(time.perf_counter() - wall, 3))
        cpus.append(round(time.process_time() - cpu, 3))
    return result, {"seconds": walls, "cpu_seconds": cpus}  # CPU: all threads


def policy_for(joint: bool) -> Any:
    """Evidently's tests and thresholds (JS converted to our base-2 distance)."""
    from mlaas.specs import DriftPolicy

    return DriftPolicy(
        numeric_test="wasserstein",
        categorical_test="jensen_shannon",
        jensen_shannon_threshold=JS_THRESHOLD_NATS / math.sqrt(math.log(2)),
        drift_share=0.5,  # Evidently's default share
        multivariate_test="domain_classifier" if joint else "none",
    )


def report_summary(report: Any) -> dict[str, Any]:
    return {
        "features": {
            f.feature: {
                "test": f.test,
                "statistic": f.statistic,
                "drifted": f.drifted,
                "ks_p_value": f.scores.get("ks_p_value"),
                "chi2_p_value": f.scores.get("chi2_p_value"),
                "psi": f.scores.get("psi"),
            }
            for f in report.features
        },
        "multivariate": report.multivariate.model_dump() if report.multivariate else None,
        "dataset_drift": report.dataset_drift,
    }


def child_ours(args: argparse.Namespace, joint: bool) -> dict[str, Any]:
    sys.path.insert(0, str(PROJECT))
    from mlaas.drift import compute_drift

    after_imports = peak_rss_mb()
    reference, current = load_frames(args.data)
    after_load = peak_rss_mb()
    policy = policy_for(joint)
    columns = {"numeric": NUMERIC, "categorical": CATEGORICAL}
    report, figures = measured(
        lambda: compute_drift(reference, current, **columns, policy=policy), args.repeats
    )
    return {
        **figures,
        "rss_after_imports_mb": after_imports,
        "rss_after_load_mb": after_load,
        "peak_rss_mb": peak_rss_mb(),
        "fingerprint": fingerprint(reference, current),
        "policy": policy.model_dump(),
        **report_summary(report),
    }


def child_ours_parquet(args: argparse.Namespace) -> dict[str, Any]:
    """compute_drift on two `ParquetSource`s: each timed run opens the files and reads every
    column it tests (from the OS page cache: the files were just written), so the time
    includes reading and decoding the data. No frame is built and pandas is never imported."""
    sys.path.insert(0, str(PROJECT))
    from mlaas.drift import compute_drift
    from mlaas.drift.sources import ParquetSource

    after_imports = peak_rss_mb()
    policy = policy_for(joint=False)
    columns = {"numeric": NUMERIC, "categorical": CATEGORICAL}

    def run() -> Any:
        reference = ParquetSource(args.data / "reference.parquet")
        current = ParquetSource(args.data / "current.parquet")
        return compute_drift(reference, current, **columns, policy=policy)

    report, figures = measured(run, args.repeats)
    peak = peak_rss_mb()  # before the fingerprint, which reads every column once more
    reference = ParquetSource(args.data / "reference.parquet")
    current = ParquetSource(args.data / "current.parquet")
    return {
        **figures,
        "rss_after_imports_mb": after_imports,
        "peak_rss_mb": peak,
        "pandas_imported": "pandas" in sys.modules,
        "fingerprint": fingerprint_sources(reference, current),
        "policy": policy.model_dump(),
        **report_summary(report),
    }


def child_read_frames(args: argparse.Namespace) -> dict[str, Any]:
    """What starting from the same parquet files costs the frame engines: both files read
    into pandas frames (pyarrow engine; categorical columns come back as `category`). Each
    timed run drops its frames before the next, so the peak is one read's."""
    import pandas as pd

    after_imports = peak_rss_mb()
    dtypes: set[str] = set()

    def read_both() -> list[int]:
        frames = [pd.read_parquet(args.data / f"{side}.parquet") for side in SIDES]
        dtypes.update(str(dtype) for frame in frames for dtype in frame.dtypes)
        return [len(frame) for frame in frames]

    rows, figures = measured(read_both, args.repeats)
    return {
        **figures,
        "rss_after_imports_mb": after_imports,
        "peak_rss_mb": peak_rss_mb(),
        "dtypes": sorted(dtypes),
        "rows": rows,
    }


def _evidently_columns(snapshot: Any) -> dict[str, dict[str, Any]]:
    """Per-column method, score, threshold and verdict out of an Evidently 0.7 snapshot."""
    found: dict[str, dict[str, Any]] = {}
    for result in snapshot.dict()["metrics"]:
        config = result.get("config", {})
        column = config.get("column")
        if config.get("type", "").endswith("ValueDrift") and column:
            threshold = config.get("threshold")
            method = config.get("method")
            score = float(result["value"])
            drifted = score >= threshold if method_is_distance(method) else score < threshold
            found[column] = {
                "method": method,
                "statistic": score,
                "threshold": threshold,
                "drifted": drifted,
            }
    return found


def method_is_distance(method: str | None) -> bool:
    return bool(method) and "p_value" not in str(method).lower()


def child_evidently(args: argparse.Namespace) -> dict[str, Any]:
    from evidently import DataDefinition, Dataset, Report
    from evidently import __version__ as version
    from evidently.presets import DataDriftPreset

    after_imports = peak_rss_mb()
    reference, current = load_frames(args.data)
    after_load = peak_rss_mb()
    definition = DataDefinition(numerical_columns=NUMERIC, categorical_columns=CATEGORICAL)

    def run() -> Any:
        ref = Dataset.from_pandas(reference, data_definition=definition)
        cur = Dataset.from_pandas(current, data_definition=definition)
        return Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)

    snapshot, figures = measured(run, args.evidently_repeats)
    return {
        "version": version,
        **figures,
        "rss_after_imports_mb": after_imports,
        "rss_after_load_mb": after_load,
        "peak_rss_mb": peak_rss_mb(),
        "fingerprint": fingerprint(reference, current),
        "features": _evidently_columns(snapshot),
    }


def ensure_evidently_venv() -> Path:
    python = EVIDENTLY_VENV / "bin" / "python"
    if not python.exists():
        venv.create(EVIDENTLY_VENV, with_pip=True)
        (EVIDENTLY_VENV / ".gitignore").write_text("*\n")  # never committed
    probe = [str(python), "-c", "import evidently"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        pip = [str(python), "-m", "pip", "install", "-q", *EVIDENTLY_REQUIREMENTS]
        subprocess.run(pip, check=True)
    return python


def run_child(python: Path, child: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one child to completion; its result plus its peak RSS as the kernel reports it
    to the parent (ru_maxrss from wait4), a cross-check of the child's own VmHWM."""
    command = [
        str(python),
        __file__,
        "--child",
        child,
        "--data",
        str(args.data),
        "--rows",
        str(args.rows),
        "--reference-rows",
        str(args.reference_rows),
        "--repeats",
        str(args.repeats),
        "--evidently-repeats",
        str(args.evidently_repeats),
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    load = os.getloadavg()[0]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT
    ) as process:
        stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{child} child failed:\n{stderr[-4000:]}")
    if not stdout.strip():
        return {}
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["ru_maxrss_mb"] = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
    result["load_average_at_start"] = round(load, 2)  # other work on the machine skews time
    return result


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    injected = set(SHIFTS)
    ours_drifted = {name for name, f in ours["features"].items() if f["drifted"]}
    theirs_drifted = {name for name, f in theirs["features"].items() if f["drifted"]}
    gaps = {
        name: abs(ours["features"][name]["statistic"] - theirs["features"][name]["statistic"])
        for name in NUMERIC
        if name in theirs["features"]
    }
    return {
        "injected": sorted(injected),
        "ours_drifted": sorted(ours_drifted),
        "evidently_drifted": sorted(theirs_drifted),
        "ours_exact": ours_drifted == injected,
        "evidently_exact": theirs_drifted == injected,
        "verdicts_agree": ours_drifted == theirs_drifted,
        "max_abs_gap_numeric_wasserstein": max(gaps.values()) if gaps else None,
    }


def same_report(frames: dict[str, Any], streaming: dict[str, Any]) -> dict[str, Any]:
    """The streaming report against the frame report: verdicts and the largest gap of any
    reported statistic (0 when reading from parquet changed nothing)."""
    gaps = [
        abs(mine[key] - frames["features"][name][key])
        for name, mine in streaming["features"].items()
        for key in ("statistic", "ks_p_value", "chi2_p_value", "psi")
        if mine[key] is not None
    ]
    verdicts = {name: f["drifted"] for name, f in streaming["features"].items()}
    return {
        "same_verdicts": verdicts == {n: f["drifted"] for n, f in frames["features"].items()},
        "max_abs_gap_any_statistic": max(gaps),
    }


def ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    seconds = min(ours["seconds"]), min(theirs["seconds"])
    return {
        "seconds": round(seconds[0], 3),
        "cpu_seconds": min(ours["cpu_seconds"]),
        "peak_rss_mb": ours["peak_rss_mb"],
        "speedup": round(seconds[1] / seconds[0], 1),
        "peak_memory_ratio_to_evidently": round(ours["peak_rss_mb"] / theirs["peak_rss_mb"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--evidently-repeats", type=int, default=1)
    parser.add_argument(
        "--child",
        choices=["generate", "ours", "ours_parquet", "ours_joint", "read_frames", "evidently"],
    )
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)  # children: the data folder
    args = parser.parse_args()
    if args.child == "generate":
        generate(args.data, args.reference_rows, args.rows)
        return
    if args.child:
        children = {
            "ours": lambda: child_ours(args, joint=False),
            "ours_parquet": lambda: child_ours_parquet(args),
            "ours_joint": lambda: child_ours(args, joint=True),
            "read_frames": lambda: child_read_frames(args),
            "evidently": lambda: child_evidently(args),
        }
        print(json.dumps(children[args.child]()))
        return

    # The parent imports no NumPy or pandas: a child's ru_maxrss starts from its parent's.
    ours_python = PROJECT / ".venv" / "bin" / "python"
    evidently_python = ensure_evidently_venv()
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as folder:
        args.data = Path(folder)
        run_child(ours_python, "generate", args)
        ours = run_child(ours_python, "ours", args)
        streaming = run_child(ours_python, "ours_parquet", args)
        joint = run_child(ours_python, "ours_joint", args)
        reading = run_child(ours_python, "read_frames", args)
        theirs = run_child(evidently_python, "evidently", args)
    prints = {run["fingerprint"] for run in (ours, streaming, joint, theirs)}
    if len(prints) != 1:
        raise SystemExit(f"the children loaded different data: {prints}")
    if streaming["pandas_imported"]:
        raise SystemExit("the streaming child imported pandas")
    summary = {
        "command": " ".join(
            ["flock /tmp/bench.lock .venv/bin/python bench/drift_vs_evidently.py", *sys.argv[1:]]
        ),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "data": {
            "reference_rows": args.reference_rows,
            "current_rows": args.rows,
            "numeric": len(NUMERIC),
            "categorical": len(CATEGORICAL),
            "shifts": SHIFTS,
            "seed": SEED,
        },
        "memory_method": MEMORY_METHOD,
        "evidently_tests_picked": sorted(
            {f"{f['method']} (threshold {f['threshold']})" for f in theirs["features"].values()}
        ),
        "per_feature": ratios(ours, theirs),
        "per_feature_streaming_parquet": ratios(streaming, theirs),
        "with_domain_classifier": ratios(joint, theirs),
        "evidently": {
            "seconds": min(theirs["seconds"]),
            "cpu_seconds": min(theirs["cpu_seconds"]),
            "peak_rss_mb": theirs["peak_rss_mb"],
        },
        "read_parquet_into_frames": {
            "seconds": min(reading["seconds"]),
            "cpu_seconds": min(reading["cpu_seconds"]),
            "peak_rss_mb": reading["peak_rss_mb"],
        },
        "verdicts": compare(ours, theirs),
        "verdicts_streaming_parquet": compare(streaming, theirs),
        "streaming_vs_frames": same_report(ours, streaming),
        "verdicts_with_domain_classifier": compare(joint, theirs),
        "runs": {
            "ours": ours,
            "ours_streaming_parquet": streaming,
            "ours_with_domain_classifier": joint,
            "read_parquet_into_frames": reading,
            "evidently": theirs,
        },
    }
    RESULTS.write_text(json.dumps(summary, indent=1) + "\n")
    headline = (
        "per_feature",
        "per_feature_streaming_parquet",
        "with_domain_classifier",
        "evidently",
        "read_parquet_into_frames",
        "verdicts",
        "verdicts_streaming_parquet",
        "streaming_vs_frames",
    )
    print(json.dumps({k: summary[k] for k in headline}, indent=1))


if __name__ == "__main__":
    main()
