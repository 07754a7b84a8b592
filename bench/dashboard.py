"""The web dashboard's size and speed: initial JavaScript of the production build, first page
interactive, and the Monitoring page with 30 days of hourly snapshots x 20 features.

1. Bundle: the JavaScript the first page (the overview) needs — the entry, the page's chunk and
   what both import, from Vite's manifest — gzipped (level 9), against the 250 kB budget; every
   other chunk is listed too (code-split: loaded when its page is first opened).
2. Browser (`dashboard/bench/timings.mjs`, Debian's Chromium on loopback): `mlaas up` on a
   fresh home (the dashboard as `make run` serves it), 720 hourly monitoring snapshots of 20
   features written for churn, then per run in a fresh browser context: navigation start until
   the overview is interactive (heading and menu rendered) and until its three service cards
   show their state; on the Monitoring page (30-day window), the time from the snapshots
   answer's arrival to every feature's line drawn.

Usage: .venv/bin/python bench/dashboard.py [--runs 5]   (build first: bash scripts/dashboard.sh)
Writes bench/results/dashboard.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import PlatformUp, up_env  # noqa: E402

DASHBOARD = ROOT / "dashboard"
RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"
BUDGET_KB = 250.0
HOURS, FEATURES = 30 * 24, 20


def gzip_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1000


def bundle() -> dict[str, Any]:
    """The JavaScript the first page needs (the entry, the overview page's chunk and everything
    either imports statically, from Vite's manifest), gzipped, and every other chunk."""
    dist = DASHBOARD / "dist"
    manifest: dict[str, dict[str, Any]] = json.loads(
        (dist / ".vite" / "manifest.json").read_text()
    )

    def closure(key: str, seen: set[str]) -> set[str]:
        if key not in seen:
            seen.add(key)
            for imported in manifest[key].get("imports", []):
                closure(imported, seen)
        return seen

    entry = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    first = closure("src/pages/Overview.tsx", closure(entry, set()))
    first_files = sorted(manifest[key]["file"] for key in first)
    entry_files = sorted(manifest[key]["file"] for key in closure(entry, set()))
    first_kb = sum(gzip_kb(dist / name) for name in first_files)
    return {
        "entry_js_gzip_kb": round(sum(gzip_kb(dist / name) for name in entry_files), 1),
        "first_page_js_files": first_files,
        "first_page_js_gzip_kb": round(first_kb, 1),
        "budget_kb": BUDGET_KB,
        "within_budget": first_kb <= BUDGET_KB,
        "other_chunks_gzip_kb": {
            path.name: round(gzip_kb(path), 1)
            for path in sorted((dist / "assets").glob("*.js"))
            if f"assets/{path.name}" not in first_files
        },
    }


def seed_snapshots(home: Path, model: str) -> None:
    """720 hourly snapshots of `FEATURES` features, as the monitoring DAG would store them."""
    import random

    from tests.factories import home_env

    with home_env(home):
        from mlaas.db import get_engine, new_id, utcnow
        from mlaas.monitoring.tables import monitoring_snapshots

        rng, now, rows = random.Random(7), utcnow(), []
        for hour in range(HOURS):
            at = now - timedelta(hours=HOURS - hour)
            features = [
                {
                    "feature": f"f{i:02d}",
                    "kind": "numeric",
                    "test": "ks",
                    "statistic": rng.random() / 4,
                    "p_value": rng.random() ** 3,
                    "threshold": 0.01,
                    "drifted": False,
                    "reference_rows": 4000,
                    "current_rows": 500,
                    "scores": {},
                }
                for i in range(FEATURES)
            ]
            drift = {
                "features": features,
                "prediction": None,
                "multivariate": None,
                "drifted_features": [],
                "drifted_share": 0.0,
                "drift_share_threshold": 0.3,
                "dataset_drift": False,
                "enough_data": True,
                "reference_rows": 4000,
                "current_rows": 500,
            }
            rows.append(
                {
                    "id": new_id(),
                    "model": model,
                    "version": "1",
                    "at": at,
                    "window_start": at - timedelta(hours=24),
                    "window_end": at,
                    "rows": 500,
                    "drift": drift,
                    "performance": {},
                    "metric_values": {},
                    "decision": {"retrain": False, "reason": "bench", "blocked_by": None},
                }
            )
        with get_engine().begin() as conn:
            conn.execute(monitoring_snapshots.insert(), rows)


def browser(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mlaas-bench-dashboard-") as tmp:
        home = Path(tmp) / "home"
        with PlatformUp(up_env(home), Path(tmp), timeout_s=900) as up:
            seed_snapshots(home, "churn")
            timing = subprocess.run(
                [
                    "node",
                    "bench/timings.mjs",
                    up.url("Dashboard"),
                    up.admin_key(),
                    "churn",
                    str(FEATURES),
                    str(runs),
                ],
                cwd=DASHBOARD,
                capture_output=True,
                text=True,
                check=True,
                timeout=1200,
            )
    result: dict[str, Any] = json.loads(timing.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = {
        "command": f".venv/bin/python bench/dashboard.py --runs {args.runs}",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "snapshots": {"hours": HOURS, "features": FEATURES},
        "bundle": bundle(),
        "browser": browser(args.runs),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result["bundle"]["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
