"""Every retraining mode on a dataset assembled from labelled live traffic.

A LightGBM champion is trained on 2025 data. Then 2026-like traffic with a shifted base rate
goes through the prediction service, and labels for 400 of its predictions arrive. A pipeline
run on the same source file then trains on the source plus those 400 rows, whatever the mode:
the champion-based modes learn from the rows newer than the champion's training rows (its
holdout and the live rows), `window` from the live rows of its last days, `full`/`replay_mix`
from all of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from mlaas.refs import Registration
from mlaas.registry import CHAMPION, get_version, set_alias
from mlaas.specs import RETRAIN_MODES, ModelSpec
from tests.factories import home_env, small_spec

pytestmark = pytest.mark.slow  # seven pipeline runs

LABELLED = 400
SOURCE_ROWS = 1200  # the champion holds out the newest fifth (time split, 0.2)


@dataclass(frozen=True)
class Home:
    spec: ModelSpec
    source: str
    first: Registration
    live: pd.DataFrame  # the labelled traffic, as generated


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    from mlaas.data.churn import generate_churn
    from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
    from mlaas.pipeline import run_pipeline
    from tests.mlaas.monitoring.helpers import close_prediction_service, predict_rows
    from tests.mlaas.monitoring.helpers import prediction_service as service_of

    folder = tmp_path_factory.mktemp("live-retrain")
    source = str(folder / "churn_2025.parquet")
    lightgbm = small_spec("churn").model_dump(mode="python")["training"]["families"]["lightgbm"]
    spec = small_spec(
        "churn",
        dataset={"source": source, "generator": "churn"},
        training__families={"lightgbm": lightgbm},
        training__trials=2,
        gate__bootstrap_samples=100,
        retrain__window_days=7,
        retrain__replay_fraction=0.3,
    )
    with home_env(folder / "home"):
        start = datetime(2025, 1, 1, tzinfo=UTC)
        generate_churn(SOURCE_ROWS, seed=1, start=start, days=365).to_parquet(source, index=False)
        first = run_pipeline(spec)
        later = generate_churn(2000, seed=3, start=datetime(2026, 7, 1, tzinfo=UTC), days=120)
        keep = (later["churned"] == 1) | (np.random.default_rng(0).random(len(later)) < 0.3)
        live = later[keep.to_numpy()].reset_index(drop=True).iloc[:LABELLED]
        service = service_of()
        try:
            ids, _ = predict_rows(service, "churn", live)
        finally:
            close_prediction_service()
        items = [
            FeedbackItem(rid, label=int(y)) for rid, y in zip(ids, live["churned"], strict=True)
        ]
        assert {r.status for r in submit_feedback(items)} == {"accepted"}
        yield Home(spec=spec, source=source, first=first, live=live)


@pytest.mark.parametrize("mode", RETRAIN_MODES)
def test_each_mode_trains_on_the_labelled_live_rows(home: Home, mode: str) -> None:
    from mlaas.pipeline import run_pipeline
    from mlaas.storage import get_store, read_parquet

    set_alias("churn", CHAMPION, home.first.version, reason="test: base on v1")
    registration = run_pipeline(home.spec, mode=mode, trigger=f"test-{mode}")
    tags = get_version("churn", registration.version).tags

    assert tags["mlaas.retrain_mode"] == mode  # applied as asked, no fallback to full
    parts = json.loads(tags["mlaas.data_parts"])
    assert [part["kind"] for part in parts] == ["source", "live"]
    assert parts[1]["rows"] == LABELLED and parts[1]["left_out"] == 0

    frame = read_parquet(get_store(), tags["mlaas.frame_key"])  # what this version saw
    live_rows = int((frame["customer_id"] < 0).sum())
    assert live_rows == LABELLED
    if mode in ("full", "replay_mix"):
        assert len(frame) >= SOURCE_ROWS + LABELLED
    elif mode == "window":  # the last 7 days: live traffic only
        assert len(frame) == LABELLED
    else:  # rows newer than the champion's training rows: its holdout and the live rows
        assert len(frame) == SOURCE_ROWS // 5 + LABELLED
    assert frame.loc[frame["customer_id"] < 0, "churned"].sum() == home.live["churned"].sum()
