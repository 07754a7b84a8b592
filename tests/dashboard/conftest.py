"""The dashboard's own test runners (Vitest, Playwright), run from pytest so the README's one
test command runs them: they need Node 20 and dashboard/node_modules (scripts/dashboard.sh)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import in_ci

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def require_node_modules() -> None:
    """Skip (fail under CI) when the dashboard's packages are not installed."""
    problem = None
    if shutil.which("node") is None:
        problem = "Node.js 20 is not installed"
    elif not (DASHBOARD / "node_modules" / ".bin" / "vitest").exists():
        problem = "dashboard/node_modules is missing: run `bash scripts/dashboard.sh`"
    if problem:
        if in_ci():
            pytest.fail(problem)
        pytest.skip(problem)
