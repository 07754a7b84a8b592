"""Retraining modes on real data: one LightGBM champion, then each mode on later batches.

Batches: A (2025, the champion's), B (the first half of 2026), C (after B, with a shifted base
rate, so the champion's probabilities are miscalibrated there while its ranking still holds).
Each champion-based test points `champion` back at v1 first, so the tests do not depend on
which earlier version the gate promoted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlaas.refs import Registration
from mlaas.registry import CHAMPION, get_version, set_alias
from mlaas.specs import ModelSpec
from tests.factories import home_env, small_spec

ROWS = {"A": 1200, "B": 1000, "C": 2500}  # C: before its negatives are subsampled


@dataclass(frozen=True)
class Home:
    spec: ModelSpec
    sources: dict[str, str]
    frames: dict[str, pd.DataFrame]
    first: Registration  # v1: asked for incremental with no champion, trained as full


def _batches(folder: Path) -> tuple[dict[str, str], dict[str, pd.DataFrame]]:
    from mlaas.data.churn import generate_churn

    frames = {
        "A": generate_churn(ROWS["A"], seed=1, start=datetime(2025, 1, 1, tzinfo=UTC), days=365),
        "B": generate_churn(ROWS["B"], seed=2, start=datetime(2026, 1, 1, tzinfo=UTC), days=180),
        "C": generate_churn(ROWS["C"], seed=3, start=datetime(2026, 7, 1, tzinfo=UTC), days=120),
    }
    # Prior shift in C: only 15% of the non-churners are kept. P(y=1|x) = p / (p + 0.15 (1 - p))
    # is monotone in p, so the champion still ranks C well but its probabilities are far too low.
    c = frames["C"]
    keep = (c["churned"] == 1) | (np.random.default_rng(0).random(len(c)) < 0.15)
    frames["C"] = c[keep.to_numpy()].reset_index(drop=True)
    sources = {}
    for name, frame in frames.items():
        sources[name] = str(folder / f"churn_{name}.parquet")
        frame.to_parquet(sources[name], index=False)
    return sources, frames


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    from mlaas.pipeline import run_pipeline

    folder = tmp_path_factory.mktemp("retrain")
    lightgbm = small_spec("churn").model_dump(mode="python")["training"]["families"]["lightgbm"]
    spec = small_spec(
        "churn",
        training__families={"lightgbm": lightgbm},
        training__trials=2,
        gate__bootstrap_samples=100,
        retrain__window_days=60,
        retrain__replay_fraction=0.3,
    )
    with home_env(folder / "home"):
        sources, frames = _batches(folder)
        first = run_pipeline(spec, source=sources["A"], mode="incremental")
        yield Home(spec=spec, sources=sources, frames=frames, first=first)


def _ingested_hashes(home: Home, batch: str) -> set[str]:
    """The content hash batch `batch` has in the datasets table, if it was ingested."""
    from mlaas.ingest import content_hash

    return {content_hash(pd.read_parquet(home.sources[batch]))}


def _batch_in(home: Home, batch: str, frames: dict[str, pd.DataFrame]) -> bool:
    return bool(_ingested_hashes(home, batch) & set(frames))


def _retrain(home: Home, batch: str, mode: Any, *, from_v1: bool = True) -> Registration:
    from mlaas.pipeline import run_pipeline

    if from_v1:
        set_alias(home.spec.name, CHAMPION, home.first.version, reason="test: base on v1")
    return run_pipeline(home.spec, source=home.sources[batch], mode=mode, trigger=f"test-{mode}")


def _lineage(registration: Registration) -> dict[str, str]:
    return get_version(registration.model, registration.version).lineage()


def _model(registration: Registration) -> Any:
    return mlflow.sklearn.load_model(f"models:/{registration.model}/{registration.version}")


def _frame(registration: Registration) -> pd.DataFrame:
    from mlaas.storage import get_store, read_parquet

    return read_parquet(get_store(), _lineage(registration)["frame_key"])


def _keys(frame: pd.DataFrame) -> set[tuple[int, pd.Timestamp]]:
    stamps = pd.to_datetime(frame["event_timestamp"], utc=True)
    return set(zip(frame["customer_id"].tolist(), stamps.tolist(), strict=True))


def test_champion_modes_fall_back_to_full_without_a_champion(home: Home) -> None:
    lineage = _lineage(home.first)
    assert home.first.version == "1" and home.first.champion
    assert lineage["retrain_mode"] == "full"
    assert lineage["retrain_requested"] == "incremental"
    assert "there is none" in lineage["retrain_note"]
    run = mlflow.get_run(home.first.run_id)
    assert run.data.tags["mlaas.retrain_mode"] == "full"  # on the run too, not only the version
    assert run.info.run_name.startswith("train-")


def test_window_trains_only_on_the_last_days(home: Home) -> None:
    registration = _retrain(home, "B", "window")
    lineage = _lineage(registration)
    assert lineage["retrain_mode"] == "window"

    stamps = pd.to_datetime(home.frames["B"]["event_timestamp"], utc=True)
    end = stamps.max()
    expected = int((stamps > end - pd.Timedelta(days=60)).sum())
    assert 0 < expected < ROWS["B"]
    frame = _frame(registration)
    assert len(frame) == expected == int(lineage["retrain.rows"])
    assert lineage["retrain.rows_dropped"] == str(ROWS["B"] - expected)
    assert pd.Timestamp(lineage["retrain.window_end"]) == end
    start = pd.Timestamp(lineage["retrain.window_start"])
    assert start == end - pd.Timedelta(days=60)
    frame_stamps = pd.to_datetime(frame["event_timestamp"], utc=True)
    assert frame_stamps.min() > start and frame_stamps.max() == end
    metrics = get_version(registration.model, registration.version).metrics
    assert metrics["rows_train"] + metrics["rows_holdout"] == expected


def test_replay_mix_adds_a_seeded_share_of_the_earlier_data(home: Home) -> None:
    from mlaas.training.selection import earlier_frames, replay_rows

    registration = _retrain(home, "B", "replay_mix")
    lineage = _lineage(registration)
    assert lineage["retrain_mode"] == "replay_mix"
    # The batches ingested before B: A (the first version's), and C when another test of the
    # module retrained on it first.
    earlier = earlier_frames(home.spec, lineage["data_hash"])
    dataset_a = get_version(home.first.model, home.first.version).lineage()["data_hash"]
    assert dataset_a in earlier and set(earlier) <= {dataset_a, *_ingested_hashes(home, "C")}
    pool = sum(len(f) for f in earlier.values())
    replayed = round(0.3 * pool)
    frame = _frame(registration)
    assert len(frame) == ROWS["B"] + replayed
    old = set().union(*(_keys(home.frames[b]) for b in ("A", "C") if _batch_in(home, b, earlier)))
    keys, new = _keys(frame), _keys(home.frames["B"])
    assert new <= keys and len(keys & old) == replayed
    assert lineage["retrain.rows_replayed"] == str(replayed)
    assert lineage["retrain.rows_old"] == str(pool)
    assert lineage["retrain.replay_datasets"] == ",".join(sorted(earlier))

    again = replay_rows(
        home.spec,
        home.frames["B"],
        earlier_frames(home.spec, lineage["data_hash"]),
        fraction=0.3,
        seed=home.spec.training.seed,
    )
    assert _keys(again.frame) == keys  # seeded: the same rows every time


def test_incremental_continues_boosting_from_the_champions_booster(home: Home) -> None:
    registration = _retrain(home, "B", "incremental")
    lineage = _lineage(registration)
    assert (lineage["retrain_mode"], lineage["retrain.base_version"]) == ("incremental", "1")
    champion = _model(home.first).steps[-1][1].booster_
    booster = _model(registration).steps[-1][1].booster_
    before, added = champion.current_iteration(), int(lineage["retrain.rounds_added"])
    assert added == max(1, round(before * 0.25))
    assert booster.current_iteration() == before + added == int(lineage["retrain.rounds_after"])
    assert booster.num_trees() == champion.num_trees() + added  # binary: one tree per round

    # Its first `before` rounds are the champion's trees, unchanged.
    encoded = (
        _model(home.first).steps[0][1].transform(_features(home.spec, home.frames["B"].head(50)))
    )
    np.testing.assert_allclose(
        booster.predict(encoded, num_iteration=before, raw_score=True),
        champion.predict(encoded, raw_score=True),
        rtol=0,
        atol=1e-12,
    )

    from mlaas.serving.predictor import load_predictor

    predictor = load_predictor(home.spec.name, version=registration.version)
    assert predictor.family == "lightgbm"  # still a plain pipeline: the compiled path serves it


def _features(spec: ModelSpec, frame: pd.DataFrame) -> pd.DataFrame:
    from mlaas.training.split import features_frame

    return features_frame(spec, frame)


def _holdout_scores(home: Home, registration: Registration) -> tuple[np.ndarray, ...]:
    """(y, champion P(churn), new model P(churn)) on the new version's holdout."""
    from mlaas.training.split import features_and_target, load_split

    _, holdout = load_split(home.spec, _lineage(registration)["frame_key"])
    X, y = features_and_target(home.spec, holdout)
    return (
        y.to_numpy(),
        _model(home.first).predict_proba(X)[:, 1],
        _model(registration).predict_proba(X)[:, 1],
    )


def test_recalibration_fixes_probabilities_and_keeps_the_ranking(home: Home) -> None:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    registration = _retrain(home, "C", "recalibration")
    lineage = _lineage(registration)
    assert (lineage["retrain_mode"], lineage["retrain.base_version"]) == ("recalibration", "1")
    assert lineage["retrain.method"] == "sigmoid"
    assert "mlaas.tune_run_id" not in mlflow.get_run(registration.run_id).data.tags  # no tuning

    y, before, after = _holdout_scores(home, registration)
    assert y.mean() > before.mean() + 0.2  # the deliberately miscalibrated setup
    assert brier_score_loss(y, after) < 0.85 * brier_score_loss(y, before)
    assert abs(after.mean() - y.mean()) < abs(before.mean() - y.mean()) / 3
    assert roc_auc_score(y, after) == pytest.approx(roc_auc_score(y, before), abs=1e-12)

    # The gate judged it against v1 on the same holdout (equal ranking: no promotion on AUC).
    assert registration.gate.champion_version == "1"
    assert not registration.champion


def test_stacking_blends_champion_and_a_new_model_and_is_gated(home: Home) -> None:
    from sklearn.ensemble import StackingClassifier

    registration = _retrain(home, "B", "stacking")
    lineage = _lineage(registration)
    assert (lineage["retrain_mode"], lineage["retrain.base_version"]) == ("stacking", "1")
    assert lineage["family"] == "stacking"
    assert mlflow.get_run(registration.run_id).data.tags["mlaas.tune_run_id"]  # member tuned
    model = _model(registration)
    assert isinstance(model, StackingClassifier)
    X = _features(home.spec, home.frames["B"].head(200))
    frozen_champion = model.named_estimators_["champion"]
    np.testing.assert_array_equal(
        frozen_champion.predict_proba(X), _model(home.first).predict_proba(X)
    )
    assert model.predict_proba(X).shape == (200, 2)
    assert registration.gate.champion_version == "1"
    assert registration.gate.reason
    assert json.loads(lineage["params"])["member_family"] == "lightgbm"
    from mlaas.reproduce import LineageError, reproduce

    with pytest.raises(LineageError, match="retrain mode 'stacking'"):
        reproduce(home.spec.name, registration.version)


@pytest.mark.parametrize("mode", ["recalibration", "stacking"])
def test_recalibrated_and_stacked_versions_serve(home: Home, mode: str) -> None:
    from mlaas.data.churn import EXAMPLE_RECORD
    from mlaas.serving.predictor import load_predictor

    # The same call as the mode's own test: reused when that test ran first (idempotent).
    registration = _retrain(home, "C" if mode == "recalibration" else "B", mode)
    assert _lineage(registration)["retrain_mode"] == mode
    predictor = load_predictor(home.spec.name, version=registration.version)
    prediction = predictor.predict_records([EXAMPLE_RECORD, dict.fromkeys(EXAMPLE_RECORD)])
    assert prediction.probabilities is not None
    expected = predictor.pipeline.predict_proba(
        _features(home.spec, pd.DataFrame([EXAMPLE_RECORD]))
    )[0, 1]
    assert prediction.probabilities[0]["1"] == pytest.approx(expected, abs=1e-9)


def test_dag_steps_follow_the_same_plan_as_run_pipeline(home: Home, tmp_path: Path) -> None:
    """The Airflow tasks' step functions, with `mode` from the run conf, give the same version."""
    from mlaas.pipeline import (
        step_features,
        step_ingest,
        step_register,
        step_train,
        step_tune,
        step_validate,
    )

    spec_file = tmp_path / "churn.yaml"
    spec_file.write_text(home.spec.to_yaml())
    earlier = _retrain(home, "B", "window", from_v1=False)  # idempotent: already trained
    dataset = step_ingest(str(spec_file), source=home.sources["B"])
    frame = step_features(str(spec_file), dataset, step_validate(str(spec_file), dataset))
    tuned = step_tune(str(spec_file), frame, trigger="dag", mode="window")
    assert json.loads(json.dumps(tuned)) == tuned  # XCom: plain JSON
    assert tuned["plan"]["mode"] == "window" and tuned["tuned"] is not None
    trained = step_train(str(spec_file), frame, tuned, trigger="dag")
    registered = step_register(str(spec_file), trained, trigger="dag")
    assert (registered["version"], registered["reused"]) == (earlier.version, True)


def test_modes_that_cannot_apply_are_refused_before_any_work(home: Home) -> None:
    from mlaas.pipeline import run_pipeline
    from mlaas.training.retrain_modes import RetrainError

    with pytest.raises(RetrainError, match="regression model"):
        run_pipeline(small_spec("house_prices"), mode="recalibration")
    with pytest.raises(RetrainError, match="unknown retrain mode 'nightly'"):
        run_pipeline(home.spec, source=home.sources["B"], mode="nightly")  # type: ignore[arg-type]


def test_a_window_with_too_few_rows_is_an_error_naming_the_window(home: Home) -> None:
    from mlaas.training.selection import MIN_ROWS, RetrainError, window_rows

    frame = home.frames["B"].sort_values("event_timestamp")
    sparse = pd.concat([frame.head(MIN_ROWS), frame.tail(1)])  # one row in the last 60 days
    with pytest.raises(RetrainError, match="the last 60 days has 1 row"):
        window_rows(home.spec, sparse, 60)
