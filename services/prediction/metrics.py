"""Prometheus metrics of the prediction service (`mlaas_prediction_*`), on its own registry."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from mlaas.serving.service import PredictionService

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "mlaas_prediction_requests_total",
    "Prediction requests by model, version, variant and HTTP status.",
    ["route", "model", "version", "variant", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "mlaas_prediction_request_duration_seconds",
    "Server-side request latency.",
    ["route", "model", "version", "variant"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
    registry=REGISTRY,
)
ERRORS = Counter(
    "mlaas_prediction_errors_total",
    "Requests answered with an error, by machine code.",
    ["route", "code"],
    registry=REGISTRY,
)


class ServiceCollector(Collector):
    """Reads the service's own counters at scrape time (no work on the request path)."""

    def __init__(self, service: PredictionService) -> None:
        self.service = service

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        service, pool, log = self.service, self.service.pool, self.service.prediction_log
        cache = CounterMetricFamily(
            "mlaas_prediction_cache", "Prediction cache lookups.", labels=["result"]
        )
        cache.add_metric(["hit"], service.counters.cache_hits)
        cache.add_metric(["miss"], service.counters.cache_misses)
        yield cache
        loads = CounterMetricFamily(
            "mlaas_prediction_model_loads", "Model versions loaded.", labels=["result"]
        )
        loads.add_metric(["ok"], pool.loads_total)
        loads.add_metric(["failed"], pool.load_failures_total)
        yield loads
        depth = GaugeMetricFamily(
            "mlaas_prediction_log_queue_depth_rows", "Prediction log rows waiting to be written."
        )
        depth.add_metric([], log.queue_depth)
        yield depth
        rows = CounterMetricFamily(
            "mlaas_prediction_log_rows", "Prediction log rows by fate.", labels=["fate"]
        )
        for fate in ("written", "spooled", "replayed", "rejected"):
            rows.add_metric([fate], getattr(log, fate))
        yield rows
        served = GaugeMetricFamily(
            "mlaas_prediction_served_version",
            "1 for each (model, alias, version) being served.",
            labels=["model", "alias", "version"],
        )
        for model, aliases in pool.served().items():
            for alias, version in aliases.items():
                served.add_metric([model, alias, version], 1)
        yield served
        shadow = CounterMetricFamily(
            "mlaas_prediction_shadow", "Shadow scorings.", labels=["result"]
        )
        shadow.add_metric(["ok"], service.counters.shadow_scored)
        shadow.add_metric(["failed"], service.counters.shadow_failures)
        yield shadow
