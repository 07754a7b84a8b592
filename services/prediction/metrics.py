"""Prometheus metrics of the prediction service (`mlaas_prediction_*`), on its own registry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from mlaas.serving.service import PredictionService

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "mlaas_prediction_requests_total",
    "Requests a model answered, by route, model, version, variant and HTTP status.",
    ["route", "model", "version", "variant", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "mlaas_prediction_request_duration_seconds",
    "Server-side latency of requests a model answered.",
    ["route", "model", "version", "variant"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
    registry=REGISTRY,
)


class ServiceCollector(Collector):
    """Reads the service's own counters at scrape time (no work on the request path)."""

    def __init__(self, service: PredictionService) -> None:
        self.service = service

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        service, pool, log = self.service, self.service.pool, self.service.prediction_log
        served = pool.served()
        yield _by_model(
            "mlaas_prediction_cache", "Prediction cache lookups of single records.", "result",
            service.counters.cache, ("hit", "miss"), served,
        )  # fmt: skip
        yield _by_model(
            "mlaas_prediction_model_loads", "Model versions loaded (warmed) or failed to load.",
            "result", pool.loads, ("ok", "failed"), served,
        )  # fmt: skip
        yield _by_model(
            "mlaas_prediction_shadow", "Shadow scorings by the challenger, off the request path.",
            "result", service.counters.shadow, ("ok", "failed"), served,
        )  # fmt: skip
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
        versions = GaugeMetricFamily(
            "mlaas_prediction_served_version",
            "The registry version served under each alias (champion, challenger) of a model.",
            labels=["model", "alias"],
        )
        for model, aliases in served.items():
            for alias, version in aliases.items():
                versions.add_metric([model, alias], float(version))
        yield versions


def _by_model(
    name: str,
    doc: str,
    label: str,
    counts: Mapping[tuple[str, str], int],
    values: tuple[str, ...],
    served: Mapping[str, object],
) -> CounterMetricFamily:
    """A counter by (model, `label`): every served model with every value (0 until it happens),
    so a rate or a ratio exists from the first scrape; plus models counted but no longer served."""
    family = CounterMetricFamily(name, doc, labels=["model", label])
    counts = dict(counts)  # one atomic copy: request threads may add a key meanwhile
    models = sorted(set(served) | {model for model, _ in counts})
    for model in models:
        for value in values:
            family.add_metric([model, value], counts.get((model, value), 0))
    return family
