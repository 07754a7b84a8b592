"""The recent-traffic window behind GET /v1/summary: rate, error shares, binned percentiles."""

from __future__ import annotations

import pytest

from services.summary import RequestWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_rate_errors_and_percentiles_over_the_window() -> None:
    clock = Clock()
    window = RequestWindow(window_s=60, clock=clock)
    clock.now += 100  # up long enough that the rate divides by the window
    for _ in range(98):
        window.record("/v1/models/m/predict", 200, 0.002)
    window.record("/v1/models/m/predict", 404, 0.002)
    window.record("/v1/models/m/predict", 500, 0.400)
    window.record("/health/ready", 200, 5.0)  # probes are not traffic
    window.record("/metrics", 200, 5.0)
    window.record("/v1/training-jobs/j1/events", 200, 300.0)  # a stream, not a latency
    summary = window.summary("prediction")
    assert summary.requests == 100
    assert summary.rate_per_s == pytest.approx(100 / 60)
    assert (summary.server_error_rate, summary.client_error_rate) == (0.01, 0.01)
    assert summary.p50_ms == pytest.approx(2.0, rel=0.125)  # within one bin
    assert summary.p99_ms == pytest.approx(2.0, rel=0.125)  # the 99th of 100 is still fast
    window.record("/x", 200, 0.400)
    window.record("/x", 200, 0.400)
    assert window.summary("prediction").p99_ms == pytest.approx(400.0, rel=0.125)


def test_requests_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    window = RequestWindow(window_s=60, clock=clock)
    window.record("/x", 500, 0.01)
    clock.now += 30
    window.record("/x", 200, 0.01)
    assert window.summary("s").requests == 2
    clock.now += 31  # the first second has left the window; its slot is not reused yet
    assert window.summary("s").requests == 1 and window.summary("s").server_error_rate == 0
    clock.now += 60
    empty = window.summary("s")
    assert (empty.requests, empty.p50_ms, empty.p99_ms, empty.rate_per_s) == (0, None, None, 0)


def test_a_young_process_divides_by_its_age_not_the_window() -> None:
    clock = Clock()
    window = RequestWindow(window_s=60, clock=clock)
    clock.now += 10
    for _ in range(20):
        window.record("/x", 200, 0.001)
    assert window.summary("s").rate_per_s == pytest.approx(2.0)
