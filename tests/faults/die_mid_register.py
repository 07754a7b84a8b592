"""Run a model's pipeline DAG (Airflow's `dag.test()`, tasks in this process) and die by
SIGKILL inside its `register` task, after the registry version exists and before the gate has
decided: `python -m tests.faults.die_mid_register churn`."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import mlaas.promotion as promotion
from tests.e2e.test_pipeline_dags import _dag


def _die(*_: Any, **__: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


promotion.evaluate_gate = _die  # type: ignore[assignment]

if __name__ == "__main__":
    _dag(sys.argv[1]).test(run_conf={"trigger": "killed-run"})
