"""`mlaas_retention` (daily): deletes what is older than the platform's retention settings —
the prediction log, feedback, the spool's rejected files and quarantined batches
(mlaas.retention, docs/governance.md). One task, audited with what it deleted. Parsing reads
nothing: the settings are read when the task runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="mlaas_retention",
    description="Delete records older than the retention settings (MLAAS_RETENTION_*)",
    schedule=timedelta(days=1),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["mlaas", "governance"],
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
)
def mlaas_retention() -> None:
    @task
    def apply() -> dict[str, Any]:
        from mlaas.retention import apply_retention

        report = apply_retention(actor="airflow:mlaas_retention")
        return {"cuts": report.cuts, "deleted": report.deleted}

    apply()


mlaas_retention()
