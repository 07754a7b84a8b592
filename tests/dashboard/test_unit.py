"""The dashboard's unit tests (Vitest + Testing Library, dashboard/tests/), as one test here."""

from __future__ import annotations

import subprocess

from tests.dashboard.conftest import DASHBOARD, require_node_modules


def test_dashboard_unit_tests_pass() -> None:
    require_node_modules()
    run = subprocess.run(
        ["npx", "vitest", "run", "--reporter=dot"],
        cwd=DASHBOARD,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-3000:]
