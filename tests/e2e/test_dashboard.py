"""The web dashboard in a real browser: `mlaas up` on a fresh home (both shipped models trained
through their DAGs, Airflow, the worker, the three services and the dashboard build it serves),
driven by dashboard/e2e/*.spec.ts with Playwright in Debian's Chromium. No mocks.

Screenshots of every page at 1280 px land in dashboard/screenshots/ (kept out of git)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mlaas.data.housing import load_house_prices
from tests.dashboard.conftest import DASHBOARD, require_node_modules
from tests.integration.conftest import in_ci
from tests.servers import PlatformUp, up_env

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("MLAAS_E2E_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = DASHBOARD / "screenshots"


def _require_browser_and_build() -> None:
    require_node_modules()
    problem = None
    if not CHROMIUM.exists():
        problem = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
    elif not (DASHBOARD / "dist" / "index.html").exists():
        problem = "the dashboard is not built: run `bash scripts/dashboard.sh`"
    if problem:
        if in_ci():
            pytest.fail(problem)
        pytest.skip(problem)


def test_the_dashboard_runs_the_platform_in_a_real_browser(tmp_path: Path) -> None:
    _require_browser_and_build()
    bad = tmp_path / "house_prices_negative_prices.parquet"
    houses = load_house_prices()
    houses.assign(price=-houses["price"]).to_parquet(bad, index=False)  # fails the suite
    with PlatformUp(up_env(tmp_path / "home"), tmp_path, timeout_s=900) as up:
        env = dict(
            os.environ,
            MLAAS_E2E_URL=up.url("Dashboard"),
            MLAAS_E2E_ADMIN_KEY=up.admin_key(),
            MLAAS_E2E_BAD_DATASET=str(bad),
            MLAAS_E2E_SCREENSHOTS=str(SCREENSHOTS),
            MLAAS_E2E_CHROMIUM=str(CHROMIUM),
        )
        run = subprocess.run(
            ["npx", "playwright", "test"],
            cwd=DASHBOARD,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    assert run.returncode == 0, f"{run.stdout[-12000:]}\n{run.stderr[-4000:]}"
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-4000:]
    shots = {p.stem for p in SCREENSHOTS.glob("*.png")}
    assert {"overview", "models", "predict", "training", "monitoring", "keys"} <= shots, shots
