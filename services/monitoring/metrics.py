"""Prometheus metrics of the monitoring service (`mlaas_monitoring_*`).

Request counters live on the module registry; the monitoring gauges are read at scrape time
from the latest snapshot of each model and from the alert rules (a custom collector), so every
replica reports the same values and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from mlaas.monitoring.alerts import all_rules
from mlaas.monitoring.run import latest_snapshots

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "mlaas_monitoring_requests_total",
    "Monitoring API requests by route and HTTP status.",
    ["route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "mlaas_monitoring_request_duration_seconds",
    "Server-side request latency.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
FEEDBACK = Counter(
    "mlaas_monitoring_feedback_items_total",
    "Feedback items received, by outcome.",
    ["status"],
    registry=REGISTRY,
)


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


class SnapshotCollector(Collector):
    """Drift, performance and alert states from the platform DB at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshots = latest_snapshots()
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
        age = _gauge(
            "mlaas_monitoring_snapshot_timestamp_seconds",
            "When the latest snapshot was taken (Unix time).",
            ["model"],
        )
        retrain = _gauge(
            "mlaas_monitoring_retrain_wanted",
            "1 when the latest snapshot's policy wanted a retrain (blocked or not).",
            ["model", "blocked"],
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
            for variant, group in snap["performance"].get("overall", {}).items():
                for metric, value in group.get("metrics", {}).items():
                    if value is not None:
                        live.add_metric([model, metric, variant], value)
            age.add_metric([model], snap["at"].timestamp())
            decision = snap["decision"]
            wanted = bool(decision.get("retrain") or decision.get("blocked_by"))
            retrain.add_metric([model, str(bool(decision.get("blocked_by"))).lower()], wanted)
        yield from (feature_score, feature_drifted, share, dataset, rows, live, age, retrain)
        firing = _gauge(
            "mlaas_monitoring_alert_firing",
            "1 while an alert rule is firing, 0 while it is ok.",
            ["model", "rule", "severity"],
        )
        for rule in all_rules():
            firing.add_metric([rule.model, rule.name, rule.severity], rule.state == "firing")
        yield firing
