"""Per model spec: a scheduled monitoring DAG, and an inbox DAG when the spec names an inbox.

`mlaas_monitoring_<model>` (every `drift.schedule_minutes`, 15 by default): one call to
`mlaas.monitoring.run.monitor` computes drift and live performance over the spec's window, stores
the snapshot, evaluates alert rules and decides whether to retrain (the circuit breaker is part of
that decision). When it says retrain, the model's automatic-retrain DAG `mlaas_retrain_<model>`
(the pipeline, separate from manual runs) is triggered with the reason as its `trigger` and the
spec's retraining mode, and the start is recorded so the breaker counts it. The
pipeline run records its own outcome (a failure starts the back-off). A last task,
`deliver_alerts`, retries the alert deliveries that are due (the outbox,
mlaas.monitoring.webhooks). `mlaas_inbox_<model>` (every 5 minutes): a sensor claims data files
that landed in the spec's `retrain.inbox` (a folder or an s3:// prefix); each new file starts one
`mlaas_retrain_<model>` run with the file as `dataset_path`. Like mlaas_pipelines.py, parsing
reads the spec files and nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, PokeReturnValue, TriggerRule, dag, task

from mlaas.orchestration import retrain_dag_id_for
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec, load_specs

SPECS_DIR = get_settings().specs_dir  # MLAAS_SPECS_DIR, else the project's specs/
START = pendulum.datetime(2025, 1, 1, tz="UTC")


def retrain_run_id(model: str, snapshot_id: str) -> str:
    """The pipeline run a monitoring snapshot starts: one per snapshot, so a retried trigger task
    cannot start a second run."""
    return f"retrain__{model}__{snapshot_id}"


def build_monitoring_dag(spec: ModelSpec, spec_file: str | None = None) -> DAG:
    """`spec_file`: the YAML tasks load (default: the spec's file in the specs folder)."""
    name, mode = spec.name, spec.retrain.mode
    spec_file = spec_file or str(SPECS_DIR / f"{name}.yaml")
    decision_of = "ti.xcom_pull(task_ids='monitor')"

    @dag(
        dag_id=f"mlaas_monitoring_{name}",
        description=f"Drift, live performance, alerts and automatic retraining of {name}",
        schedule=timedelta(minutes=spec.drift.schedule_minutes),
        start_date=START,
        catchup=False,
        max_active_runs=1,  # one decision at a time: the breaker's count stays exact
        tags=["mlaas", "monitoring", name],
        default_args={"retries": 1, "retry_delay": timedelta(seconds=30)},
        doc_md=f"### Monitor `{name}`\nmonitor → deliver due alerts; retrain needed? → "
        f"trigger `mlaas_retrain_{name}` (mode `{mode}`) → record the retrain\n\n"
        "See docs/retraining.md and docs/monitoring-service.md.",
    )
    def monitoring() -> None:
        @task
        def monitor() -> dict[str, Any]:
            from mlaas.monitoring.context import UnknownModel
            from mlaas.monitoring.run import monitor as run_monitor

            try:
                result = run_monitor(spec_file)
            except UnknownModel as nothing_served:  # not trained yet: nothing to watch
                return {"retrain": False, "reason": str(nothing_served), "run_id": None}
            decision = result.decision
            return {
                "snapshot_id": result.snapshot_id,
                "version": result.version,
                "retrain": decision.retrain,
                "reason": decision.reason,
                "blocked_by": decision.blocked_by,
                "run_id": retrain_run_id(name, result.snapshot_id),
            }

        @task.short_circuit
        def retrain_needed(decision: dict[str, Any]) -> bool:
            return bool(decision["retrain"])

        trigger_retrain = TriggerDagRunOperator(
            task_id="trigger_retrain",
            trigger_dag_id=retrain_dag_id_for(name),
            trigger_run_id="{{ " + decision_of + "['run_id'] }}",
            conf={"trigger": "{{ 'monitoring: ' ~ " + decision_of + "['reason'] }}", "mode": mode},
            skip_when_already_exists=True,
        )

        @task
        def record_retrain(decision: dict[str, Any]) -> str:
            from mlaas.monitoring.retrain_policy import record_retrain_triggered

            return record_retrain_triggered(name, decision["reason"], decision["run_id"])

        @task(trigger_rule=TriggerRule.ALL_DONE)
        def deliver_alerts() -> dict[str, int]:
            """Retry the alert deliveries that are due, every model's (one outbox), even when
            this run's monitoring failed."""
            from mlaas.monitoring.webhooks import deliver_pending

            states = [delivery.state for delivery in deliver_pending()]
            return {state: states.count(state) for state in sorted(set(states))}

        decision = monitor()
        decision >> deliver_alerts()
        retrain_needed(decision) >> trigger_retrain >> record_retrain(decision)

    return monitoring()


def build_inbox_dag(spec: ModelSpec, spec_file: str | None = None) -> DAG:
    name = spec.name
    spec_file = spec_file or str(SPECS_DIR / f"{name}.yaml")

    @dag(
        dag_id=f"mlaas_inbox_{name}",
        description=f"New data files in {spec.retrain.inbox} start the {name} pipeline",
        schedule=timedelta(minutes=5),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        tags=["mlaas", "inbox", name],
        doc_md=f"### Inbox of `{name}`\nWatches `{spec.retrain.inbox}`; each new file starts "
        f"`mlaas_retrain_{name}` with the file as `dataset_path`.",
    )
    def inbox() -> None:
        @task.sensor(poke_interval=30, timeout=270, mode="reschedule", soft_fail=True)
        def new_files() -> PokeReturnValue:
            from mlaas.inbox import claim_new_files
            from mlaas.specs import load_spec

            files = claim_new_files(load_spec(spec_file))
            confs = [{"dataset_path": uri, "trigger": f"inbox: {uri}"} for uri in files]
            return PokeReturnValue(is_done=bool(files), xcom_value=confs)

        TriggerDagRunOperator.partial(
            task_id="start_pipeline", trigger_dag_id=retrain_dag_id_for(name)
        ).expand(conf=new_files())

    return inbox()


for _spec in load_specs(SPECS_DIR):
    globals()[f"mlaas_monitoring_{_spec.name}"] = build_monitoring_dag(_spec)
    if _spec.retrain.inbox:
        globals()[f"mlaas_inbox_{_spec.name}"] = build_inbox_dag(_spec)
