"""An Airflow task killed mid-pipeline (SIGKILL while `register` has created the version but
not gated it, holding the register lock): running the pipeline again finishes that version —
gated, champion — and registers nothing twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlaas.registry import CHAMPION, list_versions, version_for_alias
from tests.e2e.test_pipeline_dags import _dag, _states

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_a_pipeline_killed_in_register_is_finished_by_its_rerun(
    mlaas_home: Path, airflow_db: Path
) -> None:
    from sqlalchemy import select

    from mlaas.db import get_engine
    from mlaas.locks import locks

    killed = subprocess.run(
        [sys.executable, "-m", "tests.faults.die_mid_register", "churn"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        timeout=600,
    )
    assert killed.returncode == -9, killed.stderr.decode()[-3000:]
    versions = list_versions("churn")
    assert [v.version for v in versions] == ["1"]  # registered...
    assert version_for_alias("churn", CHAMPION) is None  # ...never gated
    assert "mlaas.gate" not in versions[0].tags
    with get_engine().connect() as conn:  # the dead task still holds the register lock
        assert conn.execute(select(locks.c.name)).scalars().all() == ["register:churn"]

    rerun = _dag("churn").test(run_conf={"trigger": "rerun"})
    assert str(rerun.state) == "success", _states(rerun)
    versions = list_versions("churn")
    assert [v.version for v in versions] == ["1"], "the re-run registered a second version"
    assert "mlaas.gate" in versions[0].tags
    champion = version_for_alias("churn", CHAMPION)
    assert champion is not None and champion.version == "1"
    with get_engine().connect() as conn:
        assert conn.execute(select(locks.c.name)).scalars().all() == []
