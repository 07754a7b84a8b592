"""The generated pipeline DAG of each shipped spec, run with Airflow's `dag.test()` on the embedded
defaults: registered version with lineage, champion by the gate, artifacts, idempotent re-run,
and bad data stopped at validation with the champion untouched."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlaas.registry import CHAMPION, list_versions, version_for_alias
from mlaas.specs import load_spec
from mlaas.storage import get_store

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2]
LINEAGE_TAGS = (
    "data_hash",
    "spec_hash",
    "git_revision",
    "trigger",
    "validation",
    "seed",
    "family",
    "params",
    "profile_key",
)


def _dag(model: str) -> Any:
    """The DAG object the Airflow parser would see for this model, parsed anew for every run
    (as the scheduler does): `dag.test()` keeps a run's conf in the DAG object's params, so a
    shared object would hand one test's `dataset_path` to the next test's run."""
    name = "mlaas_pipelines_under_test"
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "dags/mlaas_pipelines.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return getattr(module, f"mlaas_pipeline_{model}")


def _states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def _artifacts(run_id: str) -> set[str]:
    from mlflow import MlflowClient

    from mlaas.settings import get_settings

    client = MlflowClient(get_settings().mlflow_tracking_uri)
    return {a.path for a in client.list_artifacts(run_id)}


@pytest.mark.parametrize("model", ["churn", "house_prices"])
def test_pipeline_dag_registers_champion_with_lineage_and_is_idempotent(
    model: str, mlaas_home: Path, airflow_db: Path
) -> None:
    run = _dag(model).test(run_conf={"trigger": "e2e-test"})
    assert str(run.state) == "success", _states(run)

    versions = list_versions(model)
    assert [v.version for v in versions] == ["1"]
    version = versions[0]
    lineage = version.lineage()
    for tag in LINEAGE_TAGS:
        assert lineage.get(tag), f"missing lineage tag {tag}"
    assert lineage["trigger"] == "e2e-test"
    assert lineage["spec_hash"] == load_spec(model).spec_hash
    assert lineage["validation"].startswith("passed")
    assert CHAMPION in version.aliases
    champion = version_for_alias(model, CHAMPION)
    assert champion is not None and champion.version == "1"
    primary = load_spec(model).training.primary_metric
    assert f"holdout_{primary}" in version.metrics

    artifacts = _artifacts(version.run_id)
    assert {"spec.yaml"} <= artifacts, artifacts
    assert any(a.startswith("plots") or a.endswith(".png") for a in artifacts), artifacts
    assert get_store().exists(lineage["profile_key"])
    import mlflow

    model_input = pd.read_parquet(get_store().uri(lineage["frame_key"])).head(3)
    loaded = mlflow.pyfunc.load_model(f"models:/{model}@champion")
    assert len(loaded.predict(model_input)) == 3  # the model's own training frame, as stored

    again = _dag(model).test(run_conf={"trigger": "e2e-rerun"})
    assert str(again.state) == "success", _states(again)
    after = list_versions(model)
    assert [v.version for v in after] == ["1"], "a re-run on the same data added a version"
    assert after[0].lineage()["trigger"] == "e2e-test"


def _bad_batches(good: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, str, str]]:
    """(batch, the column at fault, the step that refuses it): a column the spec names but
    the file lacks, or text in a number, fails the spec check in `ingest` before anything is
    stored; values of the right type out of range fail the suite in `validate`."""
    missing = good.drop(columns=["bedrooms"])
    wrong_type = good.assign(lotsize=good["lotsize"].astype(str) + " sqft")
    out_of_range = good.assign(price=-good["price"])
    return {
        "missing column": (missing, "bedrooms", "ingest"),
        "wrong type": (wrong_type, "lotsize", "ingest"),
        "out of range": (out_of_range, "price", "validate"),
    }


def test_bad_data_stops_the_dag_before_training_and_keeps_the_champion(
    mlaas_home: Path, airflow_db: Path, tmp_path: Path
) -> None:
    from mlaas.data.housing import load_house_prices
    from mlaas.validation import validation_history

    model = "house_prices"
    first = _dag(model).test()
    assert str(first.state) == "success", _states(first)
    champion_before = version_for_alias(model, CHAMPION)
    assert champion_before is not None
    stored = get_store().list(f"datasets/{model}/")

    for label, (frame, column, step) in _bad_batches(load_house_prices()).items():
        path = tmp_path / f"{label.replace(' ', '_')}.parquet"
        frame.to_parquet(path, index=False)
        run = _dag(model).test(run_conf={"dataset_path": str(path), "trigger": label})
        states = _states(run)
        assert str(run.state) == "failed", (label, states)
        assert states[step] == "failed", (label, states)
        later = ("validate", "features") if step == "ingest" else ("features",)
        for downstream in (*later, "tune", "train", "register"):
            assert states[downstream] == "upstream_failed", (label, states)
        if step == "ingest":  # refused by the spec check: nothing stored or validated
            assert get_store().list(f"datasets/{model}/") == stored, label
            continue
        latest = validation_history(model, limit=1)[0]
        assert latest["success"] is False
        reasons = " ".join(f["reason"] for f in latest["failures"])
        assert column in reasons, (label, reasons)
        quarantined = get_store().list(f"quarantine/{model}/")
        assert f"quarantine/{model}/{latest['content_hash']}.parquet" in quarantined

    assert [v.version for v in list_versions(model)] == ["1"]
    champion_after = version_for_alias(model, CHAMPION)
    assert champion_after is not None and champion_after.version == champion_before.version
    assert not get_store().list(f"training/{model}/{latest['content_hash']}")


def test_a_run_on_another_dataset_path_trains_on_that_data(
    mlaas_home: Path, airflow_db: Path, tmp_path: Path
) -> None:
    """Run conf `dataset_path` replaces the spec's source: the version is trained on that file."""
    from sqlalchemy import select

    from mlaas.data.housing import load_house_prices
    from mlaas.db import datasets, get_engine
    from mlaas.ingest import content_hash

    model = "house_prices"
    other = tmp_path / "house_prices_subset.parquet"
    subset = load_house_prices().sample(frac=0.8, random_state=3).reset_index(drop=True)
    subset.to_parquet(other, index=False)
    run = _dag(model).test(run_conf={"dataset_path": str(other), "trigger": "other-data"})
    assert str(run.state) == "success", _states(run)

    (version,) = list_versions(model)
    lineage = version.lineage()
    assert lineage["trigger"] == "other-data"
    with get_engine().connect() as conn:
        (stored,) = conn.execute(
            select(datasets.c.source, datasets.c.rows, datasets.c.content_hash)
        ).all()
    assert (stored.source, stored.rows) == (str(other), len(subset))
    assert lineage["data_hash"] == stored.content_hash == content_hash(pd.read_parquet(other))


def test_a_failed_automatic_retrain_starts_the_backoff_through_record_failure(
    mlaas_home: Path, airflow_db: Path, tmp_path: Path
) -> None:
    """The monitoring DAG records a retrain under the pipeline run's id; when that run fails,
    its `record_failure` task closes the retrain as failed and the breaker backs off."""
    from datetime import UTC, datetime

    from mlaas.data.housing import load_house_prices
    from mlaas.monitoring.retrain_policy import breaker, record_retrain_triggered, retrain_history

    model = "house_prices"
    run_after = datetime.now(UTC).replace(microsecond=0)
    run_id = f"manual__{run_after.isoformat()}"  # the id dag.test() gives a run at run_after
    record_retrain_triggered(model, "drift: test", run_id)
    bad = tmp_path / "no_bedrooms.parquet"
    load_house_prices().drop(columns=["bedrooms"]).to_parquet(bad, index=False)

    run = _dag(model).test(run_after=run_after, run_conf={"dataset_path": str(bad)})
    assert run.run_id == run_id
    states = _states(run)
    assert str(run.state) == "failed", states
    assert (states["ingest"], states["record_failure"]) == ("failed", "success"), states
    assert states["record_success"] != "success", states

    (retrain,) = retrain_history(model)
    assert (retrain.dag_run_id, retrain.state) == (run_id, "failed")
    assert retrain.finished_at is not None
    spec = load_spec(model)
    lenient = spec.model_copy(
        update={"retrain": spec.retrain.model_copy(update={"max_per_day": 9})}
    )
    assert lenient.retrain.backoff_minutes > 0
    reason = breaker(lenient)
    assert reason is not None and reason.startswith(
        f"backoff: the last automatic retrain of '{model}' failed at "
    ), reason
