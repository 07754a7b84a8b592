"""What every platform process exports besides its own metrics: the process and runtime
collectors of `prometheus_client` (CPU, RSS, open files, start time, GC) and a build-info gauge
(`mlaas_build_info{service, version, revision}`), so an operator can tell what runs where.

Metric names and labels of the whole platform are listed in docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from mlaas import __version__


class BuildInfo(Collector):
    """`mlaas_build_info` = 1 with the version and the code revision (git, or the image's)."""

    def __init__(self, service: str) -> None:
        self.service = service

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from mlaas.lineage import code_revision

        info = GaugeMetricFamily(
            "mlaas_build_info",
            "Always 1: the platform version and code revision this process runs.",
            labels=["service", "version", "revision"],
        )
        info.add_metric([self.service, __version__, code_revision()], 1.0)
        yield info


def runtime_registry(service: str) -> CollectorRegistry:
    """A registry with the process, platform and GC collectors and the build info of `service`.

    One per process (or per app in tests): the collectors read this process's own /proc entry.
    """
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    registry.register(BuildInfo(service))
    return registry
