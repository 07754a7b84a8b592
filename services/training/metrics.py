"""Prometheus metrics of the training service (`mlaas_training_*`), read at scrape time.

Jobs by state come from the platform DB; trial durations from the Optuna studies of recent
jobs; queue depth and worker count from the broker (short timeout, cached).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "mlaas_training_requests_total",
    "Requests by route and HTTP status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
TRIAL_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)
RECENT = timedelta(hours=24)
CACHE_S = 15.0


class TrainingCollector(Collector):
    def __init__(self) -> None:
        self._durations: tuple[float, list[float]] = (0.0, [])

    def _trial_durations(self) -> list[float]:
        from mlaas.db import utcnow
        from mlaas.jobs.progress import trial_durations
        from mlaas.jobs.store import list_jobs

        expires, cached = self._durations
        if expires > time.monotonic():
            return cached
        jobs, _ = list_jobs(limit=50)
        recent = [j for j in jobs if j.created_at > utcnow() - RECENT]
        durations = trial_durations(recent)
        self._durations = (time.monotonic() + CACHE_S, durations)
        return durations

    def collect(self) -> Iterator[GaugeMetricFamily | HistogramMetricFamily]:
        from mlaas.jobs.store import count_by_state
        from mlaas.jobs.workers import queue_depth, worker_count

        jobs = GaugeMetricFamily(
            "mlaas_training_jobs", "Training jobs by state.", labels=["state"]
        )
        for state, count in count_by_state().items():
            jobs.add_metric([state], count)
        yield jobs
        durations = self._trial_durations()
        buckets = [(str(b), float(sum(d <= b for d in durations))) for b in TRIAL_BUCKETS]
        buckets.append(("+Inf", float(len(durations))))
        histogram = HistogramMetricFamily(
            "mlaas_training_trial_duration_seconds",
            "Finished Optuna trials of jobs from the last 24 h.",
        )
        histogram.add_metric([], buckets, sum_value=sum(durations))
        yield histogram
        depth = queue_depth()
        if depth is not None:
            gauge = GaugeMetricFamily(
                "mlaas_training_queue_depth_messages", "Tasks waiting in the Celery queue."
            )
            gauge.add_metric([], depth)
            yield gauge
        workers = worker_count()
        if workers is not None:
            gauge = GaugeMetricFamily(
                "mlaas_training_workers", "Celery workers that answered a ping."
            )
            gauge.add_metric([], workers)
            yield gauge
