"""Structured service logs: JSON lines, the request id on every line a request logs, one
access line per request with its outcome."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from starlette.types import Scope

from mlaas.logs import configure_logging
from services.common import install_request_ids, install_request_metrics
from services.contract import install_error_handlers
from tests.metrics import parse, value


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_of_a_request_carries_its_id_and_one_access_line_sums_it_up() -> None:
    app = FastAPI()
    recorded: list[tuple[str, int]] = []

    def record(scope: Scope, status: int, seconds: float) -> None:
        recorded.append((scope["path"], status))

    @app.get("/work")
    def work() -> dict[str, str]:
        logging.getLogger("mlaas.test").warning("working on %s", "it", extra={"rows": 3})
        return {"ok": "yes"}

    @app.get("/boom")
    def boom() -> None:
        try:
            raise ValueError("broken")
        except ValueError:
            logging.getLogger("mlaas.test").exception("it broke")
        raise RuntimeError("unhandled")

    install_request_metrics(app, "test", record)
    install_request_ids(app)
    install_error_handlers(app)
    stream = io.StringIO()
    listener = configure_logging("INFO", "json", stream)
    logging.getLogger("mlaas.access").setLevel(logging.INFO)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            first = client.get("/work", headers={"X-Request-ID": "trace-1"})
            second = client.get("/work")
            failed = client.get("/boom", headers={"X-Request-ID": "trace-2"})
    finally:
        listener.stop()
    assert first.status_code == second.status_code == 200 and failed.status_code == 500
    lines = lines_of(stream)
    logged = [line for line in lines if line["logger"] == "mlaas.test"]
    access = [line for line in lines if line["logger"] == "mlaas.access"]

    assert logged[0]["message"] == "working on it" and logged[0]["rows"] == 3
    assert logged[0]["request_id"] == "trace-1"
    assert logged[1]["request_id"] == second.headers["X-Request-ID"] != "trace-1"
    assert logged[2]["request_id"] == "trace-2" and "ValueError: broken" in logged[2]["exc"]
    assert [(a["path"], a["status"], a["request_id"]) for a in access] == [
        ("/work", 200, "trace-1"),
        ("/work", 200, second.headers["X-Request-ID"]),
        ("/boom", 500, "trace-2"),
    ]
    assert all(a["method"] == "GET" and a["duration_ms"] >= 0 for a in access)
    assert all(line["ts"].endswith("+00:00") and line["level"] for line in lines)
    assert recorded == [("/work", 200), ("/work", 200), ("/boom", 500)]
    # The shared request metrics saw the same: an unhandled error counts as internal_error.
    series = parse(generate_latest(app.state.http_registry).decode())
    count = "mlaas_http_request_duration_seconds_count"
    at_work = {"service": "test", "route": "/work", "method": "GET"}
    assert value(series, count, **at_work, status_class="2xx") == 2
    assert value(series, count, service="test", route="/boom", method="GET", status_class="5xx")
    errors = {"service": "test", "route": "/boom", "code": "internal_error", "model": ""}
    assert value(series, "mlaas_http_errors_total", **errors) == 1


def test_text_format_for_a_terminal() -> None:
    stream = io.StringIO()
    listener = configure_logging("INFO", "text", stream)
    try:
        # warning: other tests (the CLI's) may have left the `mlaas` loggers at WARNING
        logging.getLogger("mlaas.test").warning("loaded %s", "churn", extra={"version": "3"})
    finally:
        listener.stop()
    (line,) = stream.getvalue().splitlines()
    assert "WARNING mlaas.test loaded churn version=3" in line
    assert not any(  # a stopped listener leaves nothing queued behind it on the root logger
        type(handler).__name__ == "_RequestQueueHandler"
        for handler in logging.getLogger().handlers
    )
