"""Two training-pipeline DAGs per model spec in the specs folder (`MLAAS_SPECS_DIR`): the same
tasks as `mlaas_pipeline_<model>` (runs people start) and `mlaas_retrain_<model>` (automatic
retrains, started by the monitoring and inbox DAGs), so neither kind queues behind the other.

Parsing this file reads the settings (the environment) and the spec YAML files, and nothing else
(no database, no stores): the scheduler re-parses it constantly. Each task is one call into
`mlaas.pipeline`; XCom carries only small dicts of ids, hashes and URIs. Two last tasks report the
run's outcome to the retrain log (`record_success` / `record_failure`; one of them runs). Run conf
may override `dataset_path`, `trigger` and `mode` (the retraining mode, see
mlaas.training.retrain_modes; null means full, as for a manual run).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import pendulum
from airflow.sdk import DAG, Param, TriggerRule, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from mlaas.orchestration import dag_id_for, retrain_dag_id_for
from mlaas.settings import get_settings
from mlaas.specs import RETRAIN_MODES, ModelSpec, load_specs

SPECS_DIR = get_settings().specs_dir  # MLAAS_SPECS_DIR, else the project's specs/


def _conf() -> tuple[str | None, str]:
    params = get_current_context()["params"]
    return params.get("dataset_path") or None, str(params.get("trigger") or "manual")


def _mode() -> Any:
    """The run's retraining mode (None: full); the Param's enum has already checked it."""
    return get_current_context()["params"].get("mode") or None


def _record_outcome(state: Literal["succeeded", "failed"]) -> None:
    """Close the retrain the monitoring DAG recorded for this run (a failure starts the
    circuit breaker's back-off); runs nobody recorded (manual, inbox) need nothing."""
    from mlaas.monitoring.retrain_policy import record_retrain_outcome

    try:
        record_retrain_outcome(get_current_context()["run_id"], state)
    except LookupError:
        pass


def build_pipeline_dag(
    spec: ModelSpec, spec_file: str | None = None, *, automatic: bool = False
) -> DAG:
    """`mlaas_pipeline_<model>` for runs people start, or with `automatic` the same pipeline as
    `mlaas_retrain_<model>` for the runs monitoring and the inbox start. Each DAG runs one run at
    a time; two DAGs keep automatic retrains from queueing behind manual runs, and the register
    step's lock (mlaas.promotion) gates two finishing together one after the other.

    `spec_file`: the YAML tasks load (default: the spec's file in the specs folder, the very
    file this DAG was built from)."""
    name = spec.name
    spec_file = spec_file or str(SPECS_DIR / f"{name}.yaml")
    kind = "automatic retrains" if automatic else "runs people start"

    @dag(
        dag_id=retrain_dag_id_for(name) if automatic else dag_id_for(name),
        description=f"{spec.description or f'Train and register {name}'} ({kind})",
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        tags=["mlaas", "retrain" if automatic else "training", name],
        default_args={"retries": 2, "retry_delay": timedelta(seconds=20)},
        params={
            "dataset_path": Param(None, type=["null", "string"], description="Override source"),
            "trigger": Param("manual", type="string", description="Why this run happens"),
            "mode": Param(
                None,
                type=["null", "string"],
                enum=[None, *RETRAIN_MODES],
                description="Retraining mode (null: full)",
            ),
        },
        doc_md=f"### Train `{name}` ({kind})\n{spec.description}\n\n"
        "ingest → validate (GX) → features (Feast) → tune (Optuna) → train → register + gate\n\n"
        "Run conf `mode` picks the retraining mode (full, window, replay_mix, incremental, "
        "recalibration, stacking); see docs/retraining.md.",
    )
    def pipeline() -> None:
        @task
        def ingest() -> dict[str, Any]:
            from mlaas.pipeline import step_ingest

            source, _ = _conf()
            return step_ingest(spec_file, source=source)

        @task
        def validate(dataset: dict[str, Any]) -> dict[str, Any]:
            from mlaas.pipeline import step_validate
            from mlaas.validation import DataValidationError

            try:
                return step_validate(spec_file, dataset)
            except DataValidationError as error:  # bad data: retrying cannot help
                raise AirflowFailException(str(error)) from error

        @task
        def features(dataset: dict[str, Any], validation: dict[str, Any]) -> dict[str, Any]:
            from mlaas.pipeline import step_features

            return step_features(spec_file, dataset, validation)

        @task
        def tune(frame: dict[str, Any]) -> dict[str, Any]:
            from mlaas.pipeline import step_tune

            return step_tune(spec_file, frame, trigger=_conf()[1], mode=_mode())

        @task
        def train(frame: dict[str, Any], tuned: dict[str, Any]) -> dict[str, Any]:
            from mlaas.pipeline import step_train

            return step_train(spec_file, frame, tuned, trigger=_conf()[1])

        @task
        def register(trained: dict[str, Any]) -> dict[str, Any]:
            from mlaas.pipeline import step_register

            return step_register(spec_file, trained, trigger=_conf()[1])

        @task(trigger_rule=TriggerRule.ALL_SUCCESS)
        def record_success() -> None:
            _record_outcome("succeeded")

        @task(trigger_rule=TriggerRule.ONE_FAILED)
        def record_failure() -> None:
            _record_outcome("failed")

        dataset = ingest()
        validation = validate(dataset)
        frame = features(dataset, validation)
        tuned = tune(frame)
        trained = train(frame, tuned)
        registered = register(trained)
        registered >> record_success()
        [dataset, validation, frame, tuned, trained, registered] >> record_failure()

    return pipeline()


for _spec in load_specs(SPECS_DIR):
    globals()[dag_id_for(_spec.name)] = build_pipeline_dag(_spec)
    globals()[retrain_dag_id_for(_spec.name)] = build_pipeline_dag(_spec, automatic=True)


if __name__ == "__main__":
    # `python dags/mlaas_pipelines.py <model> ['{"trigger": "..."}']` runs one DAG with dag.test()
    # and exits 0 only on success (what `mlaas up` uses on the embedded defaults).
    import json
    import sys

    _dag = globals()[f"mlaas_pipeline_{sys.argv[1]}"]
    _run_conf = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
    _run = _dag.test(run_conf=_run_conf)
    sys.exit(0 if _run is not None and str(_run.state) == "success" else 1)
