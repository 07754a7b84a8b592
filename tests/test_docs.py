"""Docs that state facts about the suite stay true."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_test_counts_in_docs_testing_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/test_counts.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
