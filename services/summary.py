"""A small JSON summary of each service's recent traffic, for the dashboard's overview.

The browser should not parse Prometheus text, and a rate or a percentile needs a window: the
request-metrics middleware records every request into a `RequestWindow` of per-second buckets of
latency bins, and `GET /v1/summary` reads rate, error rates and p50/p99 from the last minute.
Probes (`/health/*`, `/metrics`, `/ping`), the summary itself and event streams (`.../events`,
held open for minutes: not a latency) are not counted.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, Field

# Upper bounds of the latency bins, in seconds: 0.25 ms to ~2 min, each 25% above the last, so a
# percentile read from them is within 12.5% of the true value.
BOUNDS: tuple[float, ...] = tuple(0.00025 * 1.25**k for k in range(60))
NOT_COUNTED = ("/health/", "/metrics", "/ping", "/v1/summary")


class RequestWindow:
    """Requests of the last `window_s` seconds, in one bucket per second (a ring). Recording is
    a bisect and three increments on the event loop's thread; nothing grows with traffic."""

    def __init__(self, window_s: int = 60, clock: Callable[[], float] = time.time) -> None:
        self.window_s, self.clock = window_s, clock
        self.started = clock()
        self._second = [-1] * window_s
        self._bins = [[0] * (len(BOUNDS) + 1) for _ in range(window_s)]
        self._server_errors = [0] * window_s
        self._client_errors = [0] * window_s

    def record(self, path: str, status: int, seconds: float) -> None:
        if path.startswith(NOT_COUNTED) or path.endswith("/events"):
            return
        second = int(self.clock())
        slot = second % self.window_s
        if self._second[slot] != second:  # a new second: forget what this slot held
            self._second[slot] = second
            self._bins[slot] = [0] * (len(BOUNDS) + 1)
            self._server_errors[slot] = self._client_errors[slot] = 0
        self._bins[slot][bisect.bisect_left(BOUNDS, seconds)] += 1
        if status >= 500:
            self._server_errors[slot] += 1
        elif status >= 400:
            self._client_errors[slot] += 1

    def summary(self, service: str) -> RequestSummary:
        now = self.clock()
        oldest = int(now) - self.window_s + 1
        live = [s for s in range(self.window_s) if self._second[s] >= oldest]
        bins = [sum(self._bins[s][i] for s in live) for i in range(len(BOUNDS) + 1)]
        total = sum(bins)
        span = max(1.0, min(float(self.window_s), now - self.started))
        return RequestSummary(
            service=service,
            window_s=self.window_s,
            requests=total,
            rate_per_s=total / span,
            server_error_rate=sum(self._server_errors[s] for s in live) / total if total else 0.0,
            client_error_rate=sum(self._client_errors[s] for s in live) / total if total else 0.0,
            p50_ms=_quantile_ms(bins, 0.50),
            p99_ms=_quantile_ms(bins, 0.99),
            uptime_s=now - self.started,
        )


def _quantile_ms(bins: list[int], q: float) -> float | None:
    """The q-quantile of binned latencies in ms: the geometric middle of the bin it falls in."""
    total = sum(bins)
    if total == 0:
        return None
    rank, seen = math.ceil(q * total), 0
    for index, count in enumerate(bins):
        seen += count
        if seen >= rank:
            upper = BOUNDS[min(index, len(BOUNDS) - 1)]
            lower = BOUNDS[index - 1] if 0 < index <= len(BOUNDS) else upper / 1.25
            return math.sqrt(lower * upper) * 1000.0
    return None  # pragma: no cover - rank <= total always lands in a bin


class RequestSummary(BaseModel):
    """The service's traffic over the last `window_s` seconds (probes not counted)."""

    service: str
    window_s: int
    requests: int
    rate_per_s: float = Field(description="Requests per second over the window")
    server_error_rate: float = Field(description="Share of requests answered 5xx")
    client_error_rate: float = Field(description="Share of requests answered 4xx")
    p50_ms: float | None = Field(description="Median latency; null with no requests")
    p99_ms: float | None
    uptime_s: float


class Caller(BaseModel):
    """The key a request was made with: the dashboard shows pages and actions by its scopes."""

    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
