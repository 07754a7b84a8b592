"""Registration, the promotion gate, alias moves and their audit trail, on real MLflow + SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlaas.data.churn import generate_churn
from mlaas.db import audit_rows
from mlaas.pipeline import run_pipeline
from mlaas.promotion import compare
from mlaas.registry import (
    CHALLENGER,
    CHAMPION,
    RegistryError,
    best_version,
    list_versions,
    set_alias,
    version_for_alias,
)
from mlaas.specs import ModelSpec
from tests.factories import small_spec

STUMPS = {
    "lightgbm": {
        "n_estimators": {"type": "int", "low": 1, "high": 2},
        "num_leaves": {"type": "int", "low": 2, "high": 3},
        "learning_rate": {"type": "float", "low": 0.001, "high": 0.002},
    }
}


def weak_spec() -> ModelSpec:
    """A deliberately poor model family for the same data (two-leaf stumps, tiny learning rate)."""
    return small_spec("churn", training__families=STUMPS, gate__min_metric=None)


@pytest.fixture
def churn_source(tmp_path: Path) -> str:
    path = tmp_path / "churn.parquet"
    generate_churn(2000, seed=11).to_parquet(path, index=False)
    return str(path)


def test_worse_challenger_does_not_become_champion(mlaas_home: Path, churn_source: str) -> None:
    good = run_pipeline(small_spec("churn"), source=churn_source)
    assert good.champion and good.version == "1"

    worse = run_pipeline(weak_spec(), source=churn_source, trigger="gate-test")
    assert worse.version == "2"
    assert not worse.champion
    assert not worse.gate.passed
    assert worse.gate.champion_version == "1"
    assert worse.gate.champion_metric is not None
    assert worse.gate.challenger_metric < worse.gate.champion_metric
    assert "does not beat champion v1" in worse.gate.reason

    champion = version_for_alias("churn", CHAMPION)
    challenger = version_for_alias("churn", CHALLENGER)
    assert champion is not None and champion.version == "1"
    assert challenger is not None and challenger.version == "2"
    rejected = [r for r in audit_rows("churn") if r["action"] == "gate_rejected"]
    assert [r["version"] for r in rejected] == ["2"]
    assert "does not beat" in rejected[0]["reason"]


def test_significantly_better_challenger_is_promoted(mlaas_home: Path, churn_source: str) -> None:
    weak = run_pipeline(weak_spec(), source=churn_source)
    assert weak.champion and weak.version == "1"

    strong = run_pipeline(small_spec("churn"), source=churn_source)
    assert strong.champion, strong.gate.reason
    assert strong.gate.p_value is not None and strong.gate.p_value < 0.05
    champion = version_for_alias("churn", CHAMPION)
    assert champion is not None and champion.version == "2"
    moves = [
        r for r in audit_rows("churn") if r["action"] == "set_alias" and r["alias"] == CHAMPION
    ]
    assert moves[0]["version"] == "2"
    assert moves[0]["details"]["previous_version"] == "1"
    assert moves[0]["reason"].startswith("gate passed")


def test_rerun_on_same_data_reuses_every_step(mlaas_home: Path, churn_source: str) -> None:
    import optuna
    from mlflow import MlflowClient

    from mlaas.settings import get_settings

    spec = small_spec("churn")
    first = run_pipeline(spec, source=churn_source)
    second = run_pipeline(spec, source=churn_source)
    assert second.reused and second.version == first.version == "1"
    assert second.champion
    # No new gate decision is reported as one: the answer says it is the old version's.
    assert second.gate.reason.startswith("reused v1 (registered ")
    assert f"no new gate decision (at registration: {first.gate.reason})" in second.gate.reason
    assert [v.version for v in list_versions("churn")] == ["1"]

    settings = get_settings()
    summaries = optuna.get_all_study_summaries(settings.database_url)
    assert len(summaries) == 1 and summaries[0].n_trials == spec.training.trials
    client = MlflowClient(settings.mlflow_tracking_uri)
    experiment = client.get_experiment_by_name("mlaas/churn")
    assert experiment is not None
    train_runs = client.search_runs(
        [experiment.experiment_id], filter_string="tags.`mlaas.kind` = 'train'"
    )
    assert len(train_runs) == 1


def test_manual_rollback_is_audited_and_compare_and_best_work(
    mlaas_home: Path, churn_source: str
) -> None:
    run_pipeline(weak_spec(), source=churn_source)
    run_pipeline(small_spec("churn"), source=churn_source)

    set_alias("churn", CHAMPION, "1", reason="rollback drill", actor="alice")
    champion = version_for_alias("churn", CHAMPION)
    assert champion is not None and champion.version == "1"
    last = audit_rows("churn", limit=1)[0]
    assert (last["actor"], last["alias"], last["version"]) == ("alice", CHAMPION, "1")
    assert last["reason"] == "rollback drill"

    result = compare("churn", "1", "2")
    rows = {r["metric"]: r for r in result["metrics"]}
    assert rows["holdout_roc_auc"]["2"] > rows["holdout_roc_auc"]["1"]
    assert result["test"]["passed"] is True
    assert best_version("churn").version == "2"
    assert best_version("churn", "log_loss").version == "2"

    from mlaas import registry

    expected = {"churn": {CHAMPION: "1", **_other_aliases("churn")}}
    assert registry.model_aliases() == expected

    with pytest.raises(RegistryError, match="no version '9'"):
        set_alias("churn", CHAMPION, "9", reason="typo")
    with pytest.raises(RegistryError, match="not registered"):
        list_versions("nosuch")


def _other_aliases(model: str) -> dict[str, str]:
    from mlaas.registry import client

    aliases = dict(client().get_registered_model(model).aliases)
    return {str(a): str(v) for a, v in aliases.items() if a != CHAMPION}


def test_gate_scores_a_champion_from_an_older_spec_with_its_own_features(
    mlaas_home: Path, churn_source: str
) -> None:
    full = small_spec("churn")
    reduced_features = [f.model_dump() for f in full.features if f.name != "support_calls"]
    reduced = small_spec("churn", features=reduced_features)

    assert run_pipeline(reduced, source=churn_source).champion
    challenger = run_pipeline(full, source=churn_source)
    assert challenger.gate.champion_metric is not None, challenger.gate.reason
    assert challenger.gate.p_value is not None

    # The other way round the champion needs a column the new frame lacks: refused, with why.
    set_alias("churn", CHAMPION, challenger.version, reason="test set-up")
    third = run_pipeline(
        small_spec("churn", features=reduced_features, training__seed=7), source=churn_source
    )
    assert not third.champion
    assert "cannot be scored on the new holdout" in third.gate.reason
    assert "support_calls" in third.gate.reason
