"""The gate compares champion and challenger only on rows neither model trained on.

Two constructed cases, each with real pipeline runs: a challenger retrained on a subset of the
champion's data (its holdout overlaps the champion's training rows, where a memorising champion
looks far better than it is), and a challenger trained on genuinely new data after the world
changed, which must be promoted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from mlaas.data.churn import ChurnDrift, generate_churn
from mlaas.pipeline import run_pipeline
from mlaas.registry import CHAMPION, TAG, get_version, version_for_alias
from mlaas.specs import ModelSpec
from tests.factories import small_spec

pytestmark = pytest.mark.slow

# A random forest with single-row leaves: it memorises its training rows.
MEMORISING = {"random_forest": {"min_samples_leaf": {"type": "categorical", "choices": [1]}}}


def _parquet(frame: pd.DataFrame, path: Path) -> str:
    frame.to_parquet(path, index=False)
    return str(path)


def _keys(spec: ModelSpec, frame: pd.DataFrame) -> set[tuple[object, object]]:
    return set(zip(frame[spec.entity_key], frame[spec.event_timestamp], strict=True))


def test_a_challenger_on_the_champions_own_rows_is_not_judged_on_them(mlaas_home: Path) -> None:
    from mlaas.training.metrics import score
    from mlaas.training.split import load_split
    from mlaas.training.train import holdout_predictions, predictions_on

    spec = small_spec(
        "churn",
        training__families=MEMORISING,
        training__trials=1,
        training__holdout={"strategy": "random", "fraction": 0.25},
        gate__min_rows=20,
    )
    data = generate_churn(1200, seed=21)
    first = run_pipeline(spec, source=_parquet(data, mlaas_home.parent / "all.parquet"))
    assert first.champion
    subset = data.sample(frac=0.7, random_state=3)  # a retrain on part of the same rows
    second = run_pipeline(spec, source=_parquet(subset, mlaas_home.parent / "subset.parquet"))
    assert second.version == "2"

    champion = get_version("churn", first.version)
    challenger = get_version("churn", second.version)
    champion_train, _ = load_split(spec, champion.tags[f"{TAG}frame_key"])
    _, challenger_holdout = load_split(spec, challenger.tags[f"{TAG}frame_key"])
    unseen = challenger_holdout[
        [k not in _keys(spec, champion_train) for k in _keys_list(spec, challenger_holdout)]
    ]
    assert 20 <= len(unseen) < len(challenger_holdout)  # the holdouts overlap, partly

    gate = second.gate
    assert gate.rows == len(unseen)
    assert gate.evaluation == (
        f"{len(unseen)} of {len(challenger_holdout)} holdout rows champion v1 did not train on"
    )
    assert f"compared on {gate.evaluation}" in gate.reason
    # The champion was scored on exactly those rows...
    y_true, champion_scores = predictions_on(spec, unseen, f"models:/churn/{first.version}")
    assert gate.champion_metric == pytest.approx(score("roc_auc", y_true, champion_scores))
    # ...where it is far weaker than on the whole overlapping holdout the old gate used.
    y_all, on_all = holdout_predictions(
        spec, challenger.tags[f"{TAG}frame_key"], f"models:/churn/{first.version}"
    )
    assert score("roc_auc", y_all, on_all) > gate.champion_metric + 0.03
    assert challenger.tags[f"{TAG}gate"] and '"rows":' in challenger.tags[f"{TAG}gate"]


def _keys_list(spec: ModelSpec, frame: pd.DataFrame) -> list[tuple[object, object]]:
    return list(zip(frame[spec.entity_key], frame[spec.event_timestamp], strict=True))


def test_too_few_unseen_rows_never_promote(mlaas_home: Path) -> None:
    """A challenger whose whole holdout is inside the champion's training rows: nothing fair
    to compare on, so it stays challenger and says why."""
    spec = small_spec("churn", training__trials=1)  # time holdout: the latest rows
    data = generate_churn(1000, seed=22)
    run_pipeline(spec, source=_parquet(data, mlaas_home.parent / "all.parquet"))
    earliest = data.sort_values("event_timestamp").head(600)  # inside the champion's train part
    second = run_pipeline(spec, source=_parquet(earliest, mlaas_home.parent / "early.parquet"))
    assert not second.champion and second.gate.rows == 0
    assert second.gate.reason.startswith("only 0 of 120 holdout rows champion v1 did not train")
    assert "gate.min_rows" in second.gate.reason
    champion = version_for_alias("churn", CHAMPION)
    assert champion is not None and champion.version == "1"


@pytest.mark.parametrize("evaluation", ["unseen", "forward"])
def test_a_better_challenger_on_new_data_is_promoted(mlaas_home: Path, evaluation: str) -> None:
    spec = small_spec("churn", training__trials=2, gate__evaluation=evaluation)
    before = generate_churn(1500, seed=23, start=datetime(2025, 1, 1, tzinfo=UTC))
    run_pipeline(spec, source=_parquet(before, mlaas_home.parent / "2025.parquet"))
    changed = generate_churn(
        1500,
        seed=24,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        drift=ChurnDrift(concept_shift=1.0),  # the same features now mean something else
    )
    second = run_pipeline(spec, source=_parquet(changed, mlaas_home.parent / "2026.parquet"))
    assert second.champion, second.gate.reason
    assert second.gate.rows == 300  # the whole holdout: neither model saw it
    assert second.gate.champion_metric is not None
    assert second.gate.challenger_metric > second.gate.champion_metric
    champion = version_for_alias("churn", CHAMPION)
    assert champion is not None and champion.version == second.version
