"""Drift on a million rows: our engine (mlaas.drift) vs Evidently's DataDriftPreset.

Data (seeded, generated identically inside each measured process): 16 numeric and 4 categorical
features, a 100,000-row reference and a 1,000,000-row current frame; a shift is injected into a
known set of features (mean shifts, a scale change, changed category shares) and every other
feature keeps its distribution.

Each engine runs in its own child process, one after the other, so peak memory (ru_maxrss of
that child) is its own: ours from the project venv, Evidently 0.7 from a separate venv
(bench/.venv-evidently, created on first use: Evidently 0.7 needs pandas < 3 and pins packages
the project does not). Both load the same frame; the timed part is the drift computation only.

Evidently picks its per-column test from the data: above 1,000 rows, Wasserstein distance
(normalised by the reference std, threshold 0.1) for numeric columns and Jensen-Shannon distance
(threshold 0.1) for categorical ones. Ours runs the same tests (policy: wasserstein +
jensen_shannon; the JS threshold converted from Evidently's natural-log distance to our base-2
one) and, on top, KS, chi-squared and PSI for every column and the domain-classifier joint test.

Usage: .venv/bin/python bench/drift_vs_evidently.py [--rows 1000000] [--reference-rows 100000]
Writes bench/results/drift_vs_evidently.json and prints a summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "bench" / "results" / "drift_vs_evidently.json"
EVIDENTLY_VENV = PROJECT / "bench" / ".venv-evidently"
EVIDENTLY_REQUIREMENTS = ["evidently>=0.7,<0.8", "pandas<3"]  # 0.7 breaks on pandas 3

NUMERIC = [f"num_{i:02d}" for i in range(16)]
CATEGORICAL = [f"cat_{i}" for i in range(4)]
LEVELS = [f"level_{i}" for i in range(8)]
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


def make_frames(reference_rows: int, current_rows: int) -> tuple[Any, Any]:
    """Reference and current frames; numeric columns in several shapes (normal, lognormal,
    rounded, heavy-tailed) so ties and skew are in the comparison."""
    import numpy as np
    import pandas as pd

    shares = np.linspace(2.0, 0.5, len(LEVELS))
    shares /= shares.sum()

    def frame(rows: int, rng: np.random.Generator, shifted: bool) -> pd.DataFrame:
        data: dict[str, Any] = {}
        for i, name in enumerate(NUMERIC):
            loc = {"num_01": 0.25, "num_06": -0.5, "num_14": 0.2}.get(name, 0.0) if shifted else 0
            scale = 1.5 if shifted and name == "num_11" else 1.0
            kind = i % 4
            if kind == 0:
                values = rng.normal(loc, scale, rows)
            elif kind == 1:
                values = np.round(rng.normal(loc, scale, rows) * 10) / 10  # many ties
            elif kind == 2:
                values = np.exp(rng.normal(loc, scale * 0.5, rows))
            else:
                values = rng.standard_t(5, rows) * scale + loc
            data[name] = values
        for name in CATEGORICAL:
            p = shares[::-1] if shifted and name == "cat_2" else shares
            codes = rng.choice(len(LEVELS), rows, p=p)
            data[name] = pd.Categorical.from_codes(codes, categories=LEVELS)
        return pd.DataFrame(data)

    rng = np.random.default_rng(SEED)
    return frame(reference_rows, rng, False), frame(current_rows, rng, True)


def fingerprint(reference: Any, current: Any) -> str:
    """Hash of both frames, so the parent can check both children saw the same data."""
    import pandas as pd

    digest = hashlib.sha256()
    for frame in (reference, current):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def lifetime_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


def settle_after_load() -> float:
    """Give freed heap back to the OS and restart the peak-RSS counter, so the peak read after
    the computation is the computation's (data generation temporaries are not charged to
    either engine). Returns the resident size the computation starts from."""
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM (the peak resident set size)
    return _status_mb("VmRSS")


def measured(run: Any, repeats: int) -> tuple[Any, dict[str, Any]]:
    """Run `run` `repeats` times; wall and CPU seconds of each, and the memory figures."""
    baseline = settle_after_load()
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(round(time.perf_counter() - wall, 3))
        cpus.append(round(time.process_time() - cpu, 3))
    peak = _status_mb("VmHWM")
    return result, {
        "seconds": walls,
        "cpu_seconds": cpus,  # all threads: independent of other load on the machine
        "rss_before_mb": round(baseline, 1),  # interpreter, imports and the two frames
        "peak_rss_mb": round(peak, 1),
        "extra_peak_mb": round(peak - baseline, 1),
        "lifetime_peak_rss_mb": round(lifetime_peak_rss_mb(), 1),  # includes generation
    }


def child_ours(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(PROJECT))
    from mlaas.drift import compute_drift
    from mlaas.specs import DriftPolicy

    reference, current = make_frames(args.reference_rows, args.rows)
    js_threshold = JS_THRESHOLD_NATS / math.sqrt(math.log(2))  # same cut in base-2 distance
    policy = DriftPolicy(
        numeric_test="wasserstein",
        categorical_test="jensen_shannon",
        jensen_shannon_threshold=js_threshold,
        drift_share=0.5,  # Evidently's default share
    )
    columns = {"numeric": NUMERIC, "categorical": CATEGORICAL}
    compute_drift(reference.head(1_000), current.head(1_000), **columns, policy=policy)  # imports
    report, figures = measured(
        lambda: compute_drift(reference, current, **columns, policy=policy), args.repeats
    )
    no_joint = policy.model_copy(update={"multivariate_test": "none"})
    _, without_joint = measured(
        lambda: compute_drift(reference, current, **columns, policy=no_joint), 1
    )
    return {
        "fingerprint": fingerprint(reference, current),
        **figures,
        "without_joint_test": without_joint,
        "policy": policy.model_dump(),
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

    reference, current = make_frames(args.reference_rows, args.rows)
    definition = DataDefinition(numerical_columns=NUMERIC, categorical_columns=CATEGORICAL)

    def run() -> Any:
        ref = Dataset.from_pandas(reference, data_definition=definition)
        cur = Dataset.from_pandas(current, data_definition=definition)
        return Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)

    snapshot, figures = measured(run, args.evidently_repeats)
    return {
        "version": version,
        "fingerprint": fingerprint(reference, current),
        **figures,
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


def run_child(python: Path, engine: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        str(python),
        __file__,
        "--child",
        engine,
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
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT)
    if done.returncode != 0:
        raise SystemExit(f"{engine} child failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--evidently-repeats", type=int, default=1)
    parser.add_argument("--child", choices=["ours", "evidently"])
    args = parser.parse_args()
    if args.child:
        run = child_ours if args.child == "ours" else child_evidently
        print(json.dumps(run(args)))
        return

    evidently_python = ensure_evidently_venv()
    ours = run_child(PROJECT / ".venv" / "bin" / "python", "ours", args)
    theirs = run_child(evidently_python, "evidently", args)
    if ours["fingerprint"] != theirs["fingerprint"]:
        raise SystemExit("the two children generated different data")
    ours_s, theirs_s = min(ours["seconds"]), min(theirs["seconds"])
    summary = {
        "command": "  ".join(["python bench/drift_vs_evidently.py", *sys.argv[1:]]).strip(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "data": {
            "reference_rows": args.reference_rows,
            "current_rows": args.rows,
            "numeric": len(NUMERIC),
            "categorical": len(CATEGORICAL),
            "shifts": SHIFTS,
            "seed": SEED,
        },
        "evidently_tests_picked": sorted(
            {f"{f['method']} (threshold {f['threshold']})" for f in theirs["features"].values()}
        ),
        "ours": ours,
        "evidently": theirs,
        "seconds": {"ours": round(ours_s, 3), "evidently": round(theirs_s, 3)},
        "peak_rss_mb": {"ours": ours["peak_rss_mb"], "evidently": theirs["peak_rss_mb"]},
        "speedup": round(theirs_s / ours_s, 1),
        "peak_memory_ratio_ours_to_evidently": round(
            ours["peak_rss_mb"] / theirs["peak_rss_mb"], 3
        ),
        "extra_memory_ratio_ours_to_evidently": round(
            ours["extra_peak_mb"] / theirs["extra_peak_mb"], 3
        ),
        "cpu_seconds": {"ours": min(ours["cpu_seconds"]), "evidently": min(theirs["cpu_seconds"])},
        "verdicts": compare(ours, theirs),
    }
    RESULTS.write_text(json.dumps(summary, indent=1) + "\n")
    headline = ("seconds", "cpu_seconds", "peak_rss_mb", "speedup")
    print(json.dumps({k: summary[k] for k in headline}, indent=1))
    ratios = ("peak_memory_ratio_ours_to_evidently", "extra_memory_ratio_ours_to_evidently")
    print(json.dumps({k: summary[k] for k in ratios}, indent=1))
    print(json.dumps(summary["verdicts"], indent=1))


if __name__ == "__main__":
    main()
