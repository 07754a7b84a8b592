"""The DAG folder parses cleanly, yields one pipeline DAG per spec, and does no I/O at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from mlaas.specs import load_specs

PROJECT_DIR = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_DIR / "dags"
STEPS = ("ingest", "validate", "features", "tune", "train", "register")
EXPECTED_EDGES = {
    ("ingest", "validate"),
    ("ingest", "features"),
    ("validate", "features"),
    ("features", "tune"),
    ("features", "train"),
    ("tune", "train"),
    ("train", "register"),
    ("register", "record_success"),
    *((step, "record_failure") for step in STEPS),
}


def test_dagbag_has_no_import_errors_and_one_dag_per_spec() -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    specs = load_specs(PROJECT_DIR / "specs")
    pipelines = {f"mlaas_{kind}_{s.name}" for s in specs for kind in ("pipeline", "retrain")}
    assert pipelines <= set(bag.dag_ids)
    for dag_id in pipelines:
        dag = bag.dags.get(dag_id)
        assert dag is not None
        assert dag.max_active_runs == 1
        assert set(dag.task_ids) == {*STEPS, "record_success", "record_failure"}
        edges = {(t.task_id, d) for t in dag.tasks for d in t.downstream_task_ids}
        assert edges == EXPECTED_EDGES
        assert dag.default_args["retries"] == 2
        assert set(dag.params.keys()) == {"dataset_path", "trigger", "mode"}
        assert dag.params["mode"] is None


AUDIT_IMPORT = r"""
import json, sys
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.append(args[0])
sys.addaudithook(hook)
sys.path.insert(0, sys.argv[1])
import mlaas_monitoring, mlaas_pipelines
dags = sorted(
    name
    for module in (mlaas_monitoring, mlaas_pipelines)
    for name, value in vars(module).items()
    if name.startswith(("mlaas_pipeline_", "mlaas_retrain_", "mlaas_monitoring_"))
)
print(json.dumps({"opened": opened, "dags": dags}))
"""


def test_dags_follow_the_specs_folder_and_read_nothing_else(tmp_path: Path) -> None:
    """Parsing the DAG files builds one DAG pair per spec in MLAAS_SPECS_DIR (read through the
    settings, like every other process) and opens nothing but those spec files: no database,
    no store, no home."""
    specs = tmp_path / "team-specs"
    specs.mkdir()
    spec = load_specs(PROJECT_DIR / "specs")[0]
    (specs / "fraud.yaml").write_text(spec.to_yaml().replace(f"name: {spec.name}", "name: fraud"))
    env = dict(os.environ, MLAAS_HOME=str(tmp_path / "must-not-exist"), MLAAS_SPECS_DIR=str(specs))
    result = subprocess.run(
        [sys.executable, "-c", AUDIT_IMPORT, str(DAGS_DIR)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["dags"] == [
        "mlaas_monitoring_fraud",
        "mlaas_pipeline_fraud",
        "mlaas_retrain_fraud",
    ]
    assert not (tmp_path / "must-not-exist").exists()
    # Airflow reads its own config; what matters is what our code touches: spec files only
    # (besides Python sources), and nothing at all in the platform home or the project's specs.
    ours = [
        p
        for p in report["opened"]
        if p.startswith((str(PROJECT_DIR), str(tmp_path)))
        and ".venv" not in p
        and not p.endswith((".py", ".pyc"))
        and not Path(p).is_dir()
    ]
    assert ours == [str(specs / "fraud.yaml")] * len(ours) and ours, report["opened"]


def test_the_monitoring_dag_runs_on_the_specs_schedule() -> None:
    import importlib.util
    from datetime import timedelta

    from tests.factories import small_spec

    module_spec = importlib.util.spec_from_file_location(
        "mlaas_monitoring_schedule_test", DAGS_DIR / "mlaas_monitoring.py"
    )
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    default = module.build_monitoring_dag(small_spec("churn"))
    assert default.schedule == timedelta(minutes=15)
    fast = module.build_monitoring_dag(small_spec("churn", drift__schedule_minutes=1))
    assert fast.schedule == timedelta(minutes=1)


def test_the_retention_dag_runs_daily_with_one_task() -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR / "mlaas_retention.py"))
    assert bag.import_errors == {}
    dag = bag.dags["mlaas_retention"]
    assert dag.task_ids == ["apply"] and dag.max_active_runs == 1
    assert dag.timetable.delta == timedelta(days=1)  # daily
