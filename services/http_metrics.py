"""The request metrics every service exports under the same names and labels, so one Grafana
panel or alert rule covers all three (docs/metrics.md):

- `mlaas_http_request_duration_seconds{service, route, method, status_class}` (histogram; its
  `_count` is the request counter),
- `mlaas_http_errors_total{service, route, code, model}`: answers >= 400 by machine code and
  model,
- `mlaas_http_event_loop_lag_seconds{service}`: how late the event loop runs a scheduled call.

Labels are bounded: `route` is the matched template (`unmatched` otherwise), `method` one of the
HTTP methods (`other`), `code` an error code of services/contract.py, `model` only a model the
service resolved (a served model), never a raw path segment.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Container
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import Scope

LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LAG_PROBE_EVERY_S = 0.5
# Statuses that never reach the error handler (an unhandled exception is a bare 500).
FALLBACK_CODES = {500: "internal_error", 502: "bad_gateway", 504: "gateway_timeout"}


def route_of(scope: Scope) -> str:
    """The matched route template (`/v1/models/{name}`), so labels stay few."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


def error_code(state: dict[str, Any], status: int) -> str:
    """The machine code the error handler answered with (always set for platform, validation
    and routing errors); for anything else a fixed code by status, never a bare number."""
    code = state.get("error_code")
    return str(code) if code else FALLBACK_CODES.get(status, "http_error")


class HttpMetrics:
    """One service's request metrics on its own registry (three apps share a test process)."""

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        self.service = service
        self.duration = Histogram(
            "mlaas_http_request_duration_seconds",
            "Server-side request latency by route, method and status class.",
            ["service", "route", "method", "status_class"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.errors = Counter(
            "mlaas_http_errors_total",
            "Answers with status >= 400 by machine error code (and model, when one is known).",
            ["service", "route", "code", "model"],
            registry=registry,
        )
        self.loop_lag = Histogram(
            "mlaas_http_event_loop_lag_seconds",
            "Delay before the event loop runs a call scheduled every 0.5 s (saturation).",
            ["service"],
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self._durations: dict[tuple[str, str, int], Any] = {}  # children, no label lookup
        # Which names may label an error: the service sets it (prediction: the served models).
        self.known_models: Callable[[], Container[str]] = tuple
        self._lag = LoopLagProbe(self.loop_lag.labels(service))

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        route, method = route_of(scope), scope["method"]
        key = (route, method, status // 100)
        child = self._durations.get(key)
        if child is None:
            shown = method if method in METHODS else "other"
            child = self.duration.labels(self.service, route, shown, f"{status // 100}xx")
            self._durations[key] = child
        child.observe(seconds)
        if status >= 400:
            state = scope.get("state", {})
            code = error_code(state, status)
            self.errors.labels(self.service, route, code, self._model_of(scope, state)).inc()

    def _model_of(self, scope: Scope, state: dict[str, Any]) -> str:
        """The model that answered, or the path's model name when it is a known model."""
        labels = state.get("metric_labels")
        if labels:
            return str(labels[0])
        params = scope.get("path_params") or {}
        name = params.get("name") or params.get("model_name") or ""
        return str(name) if name and name in self.known_models() else ""

    def watch_event_loop(self) -> None:
        """Called on each request; starts the lag probe once per running event loop."""
        self._lag.ensure_running()


class LoopLagProbe:
    """A daemon thread schedules a call on the event loop every 0.5 s and observes how long it
    waited to run: a blocked loop (synchronous work in an async route) shows up as lag. No task
    lives on the loop, so nothing is left pending when it closes."""

    def __init__(self, histogram: Any) -> None:
        self.histogram = histogram
        self._loop: asyncio.AbstractEventLoop | None = None

    def ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        self._loop = loop
        threading.Thread(
            target=self._run, args=(loop,), name="mlaas-loop-lag", daemon=True
        ).start()

    def _observe(self, sent: float, arrived: threading.Event) -> None:
        self.histogram.observe(time.perf_counter() - sent)
        arrived.set()

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        while loop is self._loop and not loop.is_closed():
            time.sleep(LAG_PROBE_EVERY_S)
            arrived = threading.Event()
            try:
                loop.call_soon_threadsafe(self._observe, time.perf_counter(), arrived)
            except RuntimeError:  # the loop closed
                return
            while not arrived.wait(1.0):
                if loop.is_closed() or not loop.is_running():
                    return
