"""Prometheus metrics of the training service (`mlaas_training_*`), read at scrape time.

Jobs by spec and state come from the platform DB; trial durations from the Optuna studies of
recent jobs; queue depth and worker count from the broker (short timeout, cached). Requests are
counted by the metrics every service shares (services/http_metrics.py).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

REGISTRY = CollectorRegistry()  # nothing counted in-process: every value is read at scrape time
TRIAL_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)
RECENT = timedelta(hours=24)
CACHE_S = 15.0
Durations = list[tuple[str, str, float]]


class TrainingCollector(Collector):
    def __init__(self) -> None:
        self._durations: tuple[float, Durations] = (0.0, [])

    def _trial_durations(self) -> Durations:
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

    def collect(self) -> Iterator[GaugeMetricFamily | GaugeHistogramMetricFamily]:
        from mlaas.jobs.broker_stats import queue_depth, worker_count
        from mlaas.jobs.store import count_by_spec_and_state

        jobs = GaugeMetricFamily(
            "mlaas_training_jobs", "Training jobs by spec and state.", labels=["spec", "state"]
        )
        for (spec, state), count in count_by_spec_and_state().items():
            jobs.add_metric([spec, state], count)
        yield jobs
        yield trial_histogram(self._trial_durations())
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


def trial_histogram(durations: Durations) -> GaugeHistogramMetricFamily:
    """Durations of the finished trials of the last 24 h of jobs, by spec and family: a gauge
    histogram (old jobs leave the window), so use it without rate()."""
    by_group: dict[tuple[str, str], list[float]] = defaultdict(list)
    for spec, family, seconds in durations:
        by_group[spec, family].append(seconds)
    histogram = GaugeHistogramMetricFamily(
        "mlaas_training_trial_duration_seconds",
        "Finished Optuna trials of the jobs of the last 24 h, by spec and model family.",
        labels=["spec", "family"],
    )
    for (spec, family), group in sorted(by_group.items()):
        buckets = [(str(b), float(sum(d <= b for d in group))) for b in TRIAL_BUCKETS]
        buckets.append(("+Inf", float(len(group))))
        histogram.add_metric([spec, family], buckets, gsum_value=sum(group))
    return histogram
