"""Prometheus metrics of the monitoring service (`mlaas_monitoring_*`).

The feedback counter lives on the module registry; everything else is read at scrape time from
the platform DB (a custom collector): the latest snapshot of each model, the alert rules, the
retrain decisions and the webhook delivery attempts. Monitoring runs happen in Airflow tasks and
on this service alike, so the DB is the one place that saw them all; every replica reports the
same values and a restart loses nothing. Requests are counted by the metrics every service shares
(services/http_metrics.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from mlaas.monitoring.alerts import all_rules
from mlaas.monitoring.retrain_policy import RetrainDecision, retrain_decision_counts
from mlaas.monitoring.run import latest_snapshots
from mlaas.monitoring.webhooks import delivery_counts, outbox_counts

REGISTRY = CollectorRegistry()

FEEDBACK = Counter(
    "mlaas_monitoring_feedback_items_total",
    "Feedback items received, by outcome.",
    ["status"],
    registry=REGISTRY,
)


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


CHAMPIONS_CACHE_S = 60.0


class SnapshotCollector(Collector):
    """Drift, performance, alerts, retrains and deliveries from the platform DB at scrape time."""

    def __init__(self) -> None:
        self._champions: tuple[float, list[str]] = (0.0, [])

    def champions(self) -> list[str]:
        """Models with a champion (what monitoring watches), from the registry, cached 60 s."""
        from mlaas.registry import CHAMPION, model_aliases

        expires, cached = self._champions
        if expires > time.monotonic():
            return cached
        try:
            found = sorted(m for m, aliases in model_aliases().items() if CHAMPION in aliases)
        except Exception:  # noqa: BLE001 - the registry is down: report what we knew
            return cached
        self._champions = (time.monotonic() + CHAMPIONS_CACHE_S, found)
        return found

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        snapshots = latest_snapshots()
        yield from snapshot_gauges(snapshots)
        monitored = _gauge(
            "mlaas_monitoring_monitored",
            "1 for a model with a champion that has a monitoring snapshot, 0 for one that has "
            "none yet (never monitored: no drift or performance series exist for it).",
            ["model"],
        )
        seen = {snap["model"] for snap in snapshots}
        for model in sorted(set(self.champions()) | seen):
            monitored.add_metric([model], float(model in seen))
        yield monitored
        firing = _gauge(
            "mlaas_monitoring_alert_firing",
            "1 while an alert rule is firing, 0 while it is ok.",
            ["model", "rule", "severity"],
        )
        for rule in all_rules():
            firing.add_metric([rule.model, rule.name, rule.severity], rule.state == "firing")
        yield firing
        decisions = CounterMetricFamily(
            "mlaas_monitoring_retrain_decisions",
            "Retrain decisions of monitoring runs (wanted, blocked by the breaker, skipped: no "
            "trigger) and automatic retrains (started, succeeded, failed).",
            labels=["model", "outcome"],
        )
        for (model, outcome), count in retrain_decision_counts().items():
            decisions.add_metric([model, outcome], count)
        yield decisions
        deliveries = CounterMetricFamily(
            "mlaas_monitoring_webhook_deliveries",
            "Webhook delivery attempts: delivered (2xx), rejected (another status), unreachable.",
            labels=["outcome"],
        )
        for outcome, count in delivery_counts().items():
            deliveries.add_metric([outcome], count)
        yield deliveries
        outbox = GaugeMetricFamily(
            "mlaas_monitoring_webhook_outbox",
            "Alert deliveries (event x webhook) in the outbox, by state: pending (to be "
            "retried), delivered, refused (a final 4xx), expired.",
            labels=["state"],
        )
        for state, count in outbox_counts().items():
            outbox.add_metric([state], count)
        yield outbox


def snapshot_gauges(snapshots: list[dict[str, Any]]) -> list[GaugeMetricFamily]:
    """The gauges of each model's latest monitoring snapshot."""
    feature_score = _gauge(
        "mlaas_monitoring_feature_drift_score",
        "Per-feature drift statistic of the latest snapshot (the policy's test).",
        ["model", "version", "feature", "test"],
    )
    feature_drifted = _gauge(
        "mlaas_monitoring_feature_drifted",
        "1 when the feature drifted in the latest snapshot.",
        ["model", "version", "feature"],
    )
    share = _gauge(
        "mlaas_monitoring_drifted_share_ratio",
        "Share of drifted features in the latest snapshot.",
        ["model", "version"],
    )
    dataset = _gauge(
        "mlaas_monitoring_dataset_drift",
        "1 when the latest snapshot's dataset verdict is drift.",
        ["model", "version"],
    )
    rows = _gauge(
        "mlaas_monitoring_window_rows",
        "Live rows in the latest snapshot's window.",
        ["model", "version"],
    )
    live = _gauge(
        "mlaas_monitoring_live_metric",
        "Live performance over the latest snapshot's window, per variant.",
        ["model", "metric", "variant"],
    )
    holdout = _gauge(
        "mlaas_monitoring_holdout_metric",
        "The champion's holdout metrics at training (what the live metric is compared with).",
        ["model", "metric"],
    )
    predictions = _gauge(
        "mlaas_monitoring_window_predictions",
        "Predictions in the latest snapshot's window, per variant.",
        ["model", "variant"],
    )
    labelled = _gauge(
        "mlaas_monitoring_window_labelled",
        "Predictions in the latest snapshot's window with ground truth (feedback), per variant.",
        ["model", "variant"],
    )
    age = _gauge(
        "mlaas_monitoring_snapshot_timestamp_seconds",
        "When the latest snapshot was taken (Unix time).",
        ["model"],
    )
    wanted = _gauge(
        "mlaas_monitoring_retrain_wanted",
        "1 when the latest snapshot's policy wanted a retrain (started or blocked).",
        ["model"],
    )
    blocked = _gauge(
        "mlaas_monitoring_retrain_blocked",
        "1 when the latest snapshot wanted a retrain that was not started: the circuit breaker "
        "refused it, or there was nothing new to learn from.",
        ["model"],
    )
    for snap in snapshots:
        model, version = snap["model"], snap["version"]
        drift: dict[str, Any] = snap["drift"]
        for column in drift.get("features", []):
            labels = [model, version, column["feature"]]
            feature_score.add_metric([*labels, column["test"]], column["statistic"])
            feature_drifted.add_metric(labels, float(column["drifted"]))
        share.add_metric([model, version], drift.get("drifted_share", 0.0))
        dataset.add_metric([model, version], float(drift.get("dataset_drift", False)))
        rows.add_metric([model, version], float(drift.get("current_rows", 0)))
        performance: dict[str, Any] = snap["performance"]
        for variant, group in performance.get("overall", {}).items():
            for metric, value in group.get("metrics", {}).items():
                if value is not None:
                    live.add_metric([model, metric, variant], value)
        for metric, value in performance.get("holdout", {}).items():
            holdout.add_metric([model, metric], value)
        for variant, coverage in performance.get("coverage", {}).items():
            predictions.add_metric([model, variant], coverage["predictions"])
            labelled.add_metric([model, variant], coverage["labelled"])
        age.add_metric([model], snap["at"].timestamp())
        decision = RetrainDecision.model_validate(snap["decision"])
        wanted.add_metric([model], float(decision.wanted))
        blocked.add_metric([model], float(decision.held_back))
    return [
        feature_score, feature_drifted, share, dataset, rows, live, holdout,
        predictions, labelled, age, wanted, blocked,
    ]  # fmt: skip
