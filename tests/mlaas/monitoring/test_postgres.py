"""Feedback and performance on a real PostgreSQL platform DB (the full-stack path): the
conflict-aware inserts, the log/feedback join and the time filters are dialect-specific."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from mlaas.monitoring.context import Window, utcnow
from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
from mlaas.monitoring.performance import performance
from tests.factories import home_env, small_spec
from tests.integration.conftest import postgres_database_url
from tests.mlaas.monitoring.helpers import (
    churn_frame,
    close_prediction_service,
    predict_rows,
    prediction_service,
    shift_log_time,
)

__all__ = ["postgres_database_url"]


@pytest.fixture
def on_postgres(home: Path, postgres_database_url: str) -> Iterator[None]:
    """The trained home's registry and lake, with the platform DB on PostgreSQL."""
    from mlaas.lineage import save_spec_snapshot

    with home_env(home, MLAAS_DATABASE_URL=postgres_database_url):
        save_spec_snapshot(small_spec("churn"))  # what the pipeline stored in the SQLite DB
        yield
        close_prediction_service()


def test_feedback_and_performance_on_postgres(on_postgres: None) -> None:
    service = prediction_service()
    frame = churn_frame(120, seed=51)
    early_ids, [early] = predict_rows(service, "churn", frame.iloc[:40])
    late_ids, [late] = predict_rows(service, "churn", frame.iloc[40:])  # one block row
    ids = early_ids + late_ids
    shift_log_time(early_ids, -timedelta(hours=3))
    truth = frame["churned"].to_numpy()
    items = [FeedbackItem(i, label=int(y)) for i, y in zip(ids, truth, strict=True)]
    results = submit_feedback([*items, FeedbackItem("unknown-id", label=1), items[0]])
    assert [r.status for r in results[-3:]] == ["accepted", "unknown", "duplicate"]
    assert submit_feedback(items[:1])[0].status == "duplicate"
    flipped = FeedbackItem(ids[1], label=1 - int(truth[1]))
    assert submit_feedback([flipped], overwrite=True)[0].status == "updated"
    truth[1] = 1 - truth[1]

    window = Window.ending(utcnow() + timedelta(seconds=1), minutes=6 * 60)
    report = performance("churn", window, bucket="hour")
    probabilities = early.prediction.probabilities + late.prediction.probabilities
    p1 = np.array([p["1"] for p in probabilities])
    overall = report.overall["champion"]
    assert overall.count == 120
    assert overall.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(truth, p1), abs=1e-12)
    assert overall.metrics["accuracy"] == pytest.approx(
        skm.accuracy_score(truth, p1 >= 0.5), abs=1e-12
    )
    assert sorted(b.count for b in report.buckets) == [40, 80]
    assert report.coverage["champion"].predictions == 120
