"""End to end: drifted traffic through the real prediction service, then `monitor()`: drift in
exactly the shifted features, an alert fired once and delivered, one retrain, then the breaker."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from mlaas.db import get_engine
from mlaas.monitoring.alerts import create_rule
from mlaas.monitoring.context import Window, served_version, utcnow
from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
from mlaas.monitoring.html_report import build_report
from mlaas.monitoring.live import live_data
from mlaas.monitoring.retrain_policy import record_retrain_triggered
from mlaas.monitoring.run import latest_snapshots, monitor, snapshot_history
from mlaas.monitoring.tables import monitoring_snapshots
from mlaas.monitoring.webhooks import add_webhook, deliver_pending
from tests.factories import small_spec
from tests.mlaas.monitoring.helpers import churn_frame, predict_rows
from tests.mlaas.monitoring.receiver import webhook_receiver

SHIFTED = {"age": 2.0, "credit_score": -1.5}


def test_live_data_is_typed_from_the_log(service: Any) -> None:
    frame = churn_frame(5, seed=31)
    predict_rows(service, "churn", frame)
    spec = served_version("churn").spec
    data = live_data(spec, Window.ending(utcnow() + timedelta(seconds=1), minutes=5))
    assert len(data) == 5 and list(data.features.columns) == spec.feature_names
    assert data.features["age"].tolist() == frame["age"].astype(float).tolist()
    assert (
        data.features["has_credit_card"].tolist()
        == frame["has_credit_card"].astype(float).tolist()
    )
    assert data.features["country"].tolist() == frame["country"].tolist()
    assert set(data.meta["variant"]) == {"champion"}
    assert all(set(p or {}) == {"0", "1"} for p in data.probabilities)


def test_same_distribution_traffic_is_not_drift(service: Any) -> None:
    predict_rows(service, "churn", churn_frame(400, seed=32))
    result = monitor(small_spec("churn"))
    assert result.drift.enough_data and result.drift.current_rows == 400
    assert result.drift.drifted_features == [] and result.drift.dataset_drift is False
    assert result.decision.retrain is False and result.decision.blocked_by is None
    assert result.values["rows"] == 400.0 and result.values["dataset_drift"] == 0.0


def test_drift_fires_the_alert_and_triggers_exactly_one_retrain(service: Any) -> None:
    spec = small_spec("churn", retrain__max_per_day=1)
    create_rule(
        spec,
        name="drift",
        metric="dataset_drift",
        comparator=">=",
        threshold=1,
        window_minutes=60,
        severity="critical",
    )
    create_rule(
        spec,
        name="age",
        metric="feature:age:drifted",
        comparator=">=",
        threshold=1,
        window_minutes=24 * 60,
    )
    frame = churn_frame(400, seed=33, numeric_shift=SHIFTED)
    ids, _ = predict_rows(service, "churn", frame)
    submit_feedback(
        [FeedbackItem(i, label=int(y)) for i, y in zip(ids, frame["churned"], strict=True)]
    )

    with webhook_receiver(statuses=[502]) as receiver:
        add_webhook(receiver.url, model="churn")
        first = monitor(spec)
        assert sorted(first.drift.drifted_features) == sorted(SHIFTED)
        assert first.drift.dataset_drift is True
        assert sorted(e.rule_name for e in first.alerts) == ["age", "drift"]
        # One attempt each in the run: the 502 leaves its delivery in the outbox, whose
        # deliverer (the DAG's deliver_alerts task) sends it once it is due.
        assert sorted(d.state for d in first.deliveries) == ["delivered", "pending"]
        assert len(receiver.received) == 2
        retried = deliver_pending(now=utcnow() + timedelta(seconds=61))
        assert [d.state for d in retried] == ["delivered"] and len(receiver.received) == 3
        payload = receiver.bodies()[-1]
        assert payload["model_version"] == first.version
        assert sorted(f["feature"] for f in payload["drifted_features"]) == sorted(SHIFTED)
        assert payload["window"]["end"] == first.window_end.isoformat()
        assert payload["report_url"].startswith("http://127.0.0.1:")
        assert "/v1/models/churn/report?start=" in payload["report_url"]
        assert first.decision.retrain is True and first.decision.blocked_by is None
        assert first.decision.reason.startswith("data drift: ")
        assert first.performance.overall["champion"].count == 400
        # The DAG triggers the training DAG, then records it: the breaker counts that.
        record_retrain_triggered("churn", first.decision.reason, "manual__retrain-1")

        second = monitor(spec)
        assert second.alerts == [] and len(receiver.received) == 3  # still firing: no repeat
        assert second.decision.retrain is False
        assert second.decision.blocked_by is not None
        assert second.decision.blocked_by.startswith("max_per_day: 1 automatic retrain(s)")

    history = snapshot_history("churn")
    assert [h["id"] for h in history] == [second.snapshot_id, first.snapshot_id]
    assert history[0]["decision"]["blocked_by"] == second.decision.blocked_by
    [latest] = [s for s in latest_snapshots() if s["model"] == "churn"]
    assert latest["id"] == second.snapshot_id
    with get_engine().connect() as conn:
        count = conn.execute(select(func.count()).select_from(monitoring_snapshots)).scalar()
    assert count == 2


def test_the_html_report_is_self_contained(service: Any) -> None:
    predict_rows(service, "churn", churn_frame(200, seed=34, numeric_shift={"age": 2.0}))
    served = served_version("churn")
    page = build_report(served, Window.ending(utcnow() + timedelta(seconds=1), minutes=60))
    assert page.startswith("<!doctype html>")
    assert "<script" not in page and 'src="http' not in page and 'href="http' not in page
    assert "churn v1: monitoring report" in page and "DATASET DRIFT" in page
    assert "No ground truth in this window yet." in page
    # The drift chart and a histogram for every feature and for the prediction.
    assert page.count("<svg") == 1 + len(served.spec.features) + 1
    assert "<h2>Retrain decision</h2><p>No monitoring run yet.</p>" in page


def test_the_report_charts_any_window_and_shows_the_decision(service: Any) -> None:
    """A window shorter than the performance bucket (an hour) still has its chart; the latest
    monitoring run's decision is shown with its reason."""
    frame = churn_frame(200, seed=36, numeric_shift={"age": 2.0})
    ids, _ = predict_rows(service, "churn", frame)
    submit_feedback(
        [FeedbackItem(i, label=int(y)) for i, y in zip(ids, frame["churned"], strict=True)]
    )
    decision = monitor(small_spec("churn")).decision
    served = served_version("churn")
    page = build_report(served, Window.ending(utcnow() + timedelta(seconds=1), minutes=10))
    assert "No ground truth in this window yet." not in page
    assert page.count("<svg") == 1 + len(served.spec.features) + 1 + 1  # + performance
    assert "<h2>Retrain decision</h2>" in page
    assert html.escape(decision.reason) in page


def test_drift_with_nothing_new_to_learn_from_waits_instead_of_retraining(
    service: Any, home: Path
) -> None:
    """The champion was trained on the spec's source as it still is and no labels came since: a
    retrain would learn nothing new. The decision says so, nothing is started and the breaker's
    budget is untouched. Enough labels for the drifted traffic make the retrain wanted, and so
    do new rows in the source."""
    import pandas as pd

    from mlaas.data.churn import generate_churn
    from mlaas.ingest import content_hash, read_dataset
    from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
    from mlaas.monitoring.retrain_policy import retrain_history

    source = home.parent / "churn.parquet"  # what the champion was trained on (helpers.py)
    spec = small_spec("churn", dataset={"source": str(source), "generator": "churn"})
    frame = churn_frame(400, seed=34, numeric_shift=SHIFTED)
    ids, _ = predict_rows(service, "churn", frame)

    waiting = monitor(spec)
    assert waiting.drift.dataset_drift is True
    decision = waiting.decision
    assert decision.retrain is False and decision.blocked_by is None
    assert decision.reason.startswith("data drift: ")
    digest = content_hash(read_dataset(spec)[1])
    assert decision.waiting_for_data == (
        f"drift seen, waiting for new data: no new data since v{waiting.version}: source hash "
        f"{digest[:12]} unchanged, 0 new label(s) (a retrain needs 50: "
        "retrain.live_labels.min_rows)"
    )
    assert retrain_history("churn") == []
    assert snapshot_history("churn")[0]["decision"]["waiting_for_data"] == (
        decision.waiting_for_data
    )

    labels = frame["churned"].tolist()
    submit_feedback(
        [FeedbackItem(rid, label=int(y)) for rid, y in zip(ids[:49], labels[:49], strict=True)]
    )
    assert "49 new label(s)" in str(monitor(spec).decision.waiting_for_data)
    submit_feedback([FeedbackItem(ids[49], label=int(labels[49]))])
    labelled = monitor(spec).decision
    assert labelled.retrain is True and labelled.waiting_for_data is None

    unlabelled = small_spec(
        "churn",
        dataset={"source": str(source), "generator": "churn"},
        retrain__live_labels={"use": False},
    )
    assert monitor(unlabelled).decision.waiting_for_data == (
        f"drift seen, waiting for new data: no new data since v{waiting.version}: source hash "
        f"{digest[:12]} unchanged, live labels not used (retrain.live_labels.use is false)"
    )
    grown = home.parent / "churn-grown.parquet"
    later = generate_churn(200, seed=35, start=datetime(2026, 6, 1, tzinfo=UTC))
    pd.concat([pd.read_parquet(source), later]).to_parquet(grown, index=False)
    wanted = monitor(
        small_spec(
            "churn",
            dataset={"source": str(grown), "generator": "churn"},
            retrain__live_labels={"use": False},
        )
    )
    assert wanted.decision.retrain is True and wanted.decision.waiting_for_data is None


def test_a_run_fired_while_another_is_in_progress_returns_its_snapshot(
    service: Any, monkeypatch: Any
) -> None:
    """Two schedulers fire at once: the second waits for the first and returns its snapshot
    (same id, so the DAG's retrain run id is the same), and only one snapshot is stored. A run
    fired after that one ended runs again."""
    import threading
    import time

    from mlaas.monitoring import run

    predict_rows(service, "churn", churn_frame(300, seed=37, numeric_shift=SHIFTED))
    spec = small_spec("churn")
    slow = threading.Event()
    real = run.window_drift

    def slowed(*args: Any, **kwargs: Any) -> Any:
        if not slow.is_set():  # the first run only: long enough for the second to fire
            slow.set()
            time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "window_drift", slowed)
    results: dict[str, Any] = {}

    def fire(name: str) -> None:
        results[name] = monitor(spec)

    first = threading.Thread(target=fire, args=("first",))
    first.start()
    assert slow.wait(10)
    fire("second")  # fired while the first is computing
    first.join()
    assert results["second"].snapshot_id == results["first"].snapshot_id
    assert results["second"].decision == results["first"].decision
    assert results["second"].alerts == [] and results["second"].deliveries == []
    with get_engine().connect() as conn:
        count = select(func.count()).select_from(monitoring_snapshots)
        assert conn.execute(count).scalar_one() == 1
    assert monitor(spec).snapshot_id != results["first"].snapshot_id  # later: a new run
