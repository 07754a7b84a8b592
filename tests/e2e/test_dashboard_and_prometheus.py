"""Both faces of the platform on one `mlaas up` (a fresh home: both shipped models trained
through their DAGs, Airflow, the worker, the three services, the dashboard build and Prometheus),
no mocks:

- the web dashboard, driven by dashboard/e2e/*.spec.ts with Playwright in Debian's Chromium;
  screenshots of every page at 1280 px land in dashboard/screenshots/ (kept out of git);
- every query the platform ships, proven against Debian's Prometheus: after real traffic
  (predictions online, in a batch and async through the worker, a training job, feedback, an
  alert rule, monitoring runs), every PromQL expression of every Grafana panel, annotation and
  variable and of every alert rule must parse and return at least one series, with `$model`
  and `$service` bound to real values. A panel naming a metric no process exports fails here.
  What each query returned goes to `grafana/last-check.md` (kept out of git), the table an
  operator reads in place of screenshots Grafana cannot take on this machine.

One platform serves both (a second `mlaas up` would cost the suite minutes of CPU): the module
fixture starts it and runs the browser suite once; each test then checks its own face.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlaas.data.churn import EXAMPLE_RECORD as CHURN
from mlaas.data.housing import load_house_prices
from tests.dashboard.conftest import DASHBOARD
from tests.integration.conftest import in_ci
from tests.observability import (
    ROOT,
    RULES,
    Shipped,
    alert_queries,
    bind,
    dashboard_queries,
    dashboards,
    without_threshold,
)
from tests.servers import PlatformUp, up_env, wait_for
from tests.services.prediction.test_api import HOUSE

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("MLAAS_E2E_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = DASHBOARD / "screenshots"
SCRAPE_S = 2  # Prometheus's scrape interval here: rates over 1m have ~30 samples
REPORT = ROOT / "grafana" / "last-check.md"
SERVICES = ("prediction", "training", "monitoring")


@dataclass
class Platform:
    up: PlatformUp
    browser: subprocess.CompletedProcess[str] | None  # the Playwright run
    browser_skipped: str  # why it did not run, when it did not


def _browser_missing() -> str:
    """Why the browser suite cannot run here ("" when it can): the Prometheus test runs on."""
    if shutil.which("node") is None:
        return "Node.js 20 is not installed"
    if not (DASHBOARD / "node_modules" / ".bin" / "playwright").exists():
        return "dashboard/node_modules is missing: run `bash scripts/dashboard.sh`"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
    if not (DASHBOARD / "dist" / "index.html").exists():
        return "the dashboard is not built: run `bash scripts/dashboard.sh`"
    return ""


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("platform")
    bad = root / "house_prices_negative_prices.parquet"
    houses = load_house_prices()
    houses.assign(price=-houses["price"]).to_parquet(bad, index=False)  # fails the suite
    env = up_env(root / "home")
    env["MLAAS_PROMETHEUS_SCRAPE_INTERVAL"] = f"{SCRAPE_S}s"
    env["MLAAS_DATA_ROOTS"] = str(root)  # the bad dataset the pipelines page names
    with PlatformUp(env, root, timeout_s=900) as up:
        missing = _browser_missing()
        browser = None
        if not missing:
            browser_env = dict(
                os.environ,
                MLAAS_E2E_URL=up.url("Dashboard"),
                MLAAS_E2E_ADMIN_KEY=up.admin_key(),
                MLAAS_E2E_BAD_DATASET=str(bad),
                MLAAS_E2E_SCREENSHOTS=str(SCREENSHOTS),
                MLAAS_E2E_CHROMIUM=str(CHROMIUM),
            )
            browser = subprocess.run(
                ["npx", "playwright", "test"],
                cwd=DASHBOARD,
                env=browser_env,
                capture_output=True,
                text=True,
                timeout=1800,
            )
        yield Platform(up, browser, missing)


def test_the_dashboard_runs_the_platform_in_a_real_browser(platform: Platform) -> None:
    if platform.browser_skipped:
        if in_ci():
            pytest.fail(platform.browser_skipped)
        pytest.skip(platform.browser_skipped)
    run = platform.browser
    assert run is not None
    assert run.returncode == 0, f"{run.stdout[-12000:]}\n{run.stderr[-4000:]}"
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-4000:]
    shots = {p.stem for p in SCREENSHOTS.glob("*.png")}
    assert {"overview", "models", "predict", "training", "monitoring", "keys"} <= shots, shots


def call(url: str, key: str, body: Any = None, method: str | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
    except urllib.error.HTTPError as error:
        return {"status": error.code, **json.loads(error.read() or b"{}")}
    return json.loads(text) if text else {}


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's series; AssertionError naming the expression when it fails."""
        params = urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/query?{params}", timeout=30) as r:
                answer = json.loads(r.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{expr}: {error.code} {error.read().decode()}") from None
        assert answer["status"] == "success", (expr, answer)
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as response:
            return json.loads(response.read())["data"]


def _require_prometheus() -> None:
    if shutil.which("prometheus") is None:
        message = "no prometheus binary: apt-get install prometheus (.ci/run does)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def _traffic(urls: dict[str, str], key: str, prom: Prometheus) -> None:
    """What an operator's dashboards show: every kind of work the platform does. The training
    job runs first, so the requests after it are inside the queries' one-minute rates."""
    prediction, training, monitoring = (urls[s] for s in SERVICES)
    job = call(
        f"{training}/v1/training-jobs",
        key,
        {"spec": "churn", "overrides": {"families": ["logistic_regression"], "trials": 2}},
    )
    queued = call(f"{prediction}/v1/models/churn/predict/async", key, {"features": [CHURN]})
    done: dict[str, Any] = {}

    def finished() -> bool:
        done.update(call(f"{training}/v1/training-jobs/{job['id']}", key))
        async_job = call(f"{prediction}/v1/jobs/{queued['job_id']}", key)
        return done["state"] in ("succeeded", "failed") and async_job["status"] == "succeeded"

    wait_for(finished, 600, "the training job and the async prediction on the worker", every_s=2)
    assert done["state"] == "succeeded", done
    ids = _requests(urls, key, prom)
    feedback = [{"request_id": rid, "label": i % 2} for i, rid in enumerate(ids)]
    accepted = call(f"{monitoring}/v1/feedback", key, {"items": feedback})
    assert accepted.get("status") is None, accepted
    rule = {
        "name": "any-traffic",
        "metric": "rows",
        "comparator": ">=",
        "threshold": 1,
        "window": "24h",
        "severity": "warning",
    }
    assert call(f"{monitoring}/v1/models/churn/alert-rules", key, rule).get("status") is None
    for model in ("churn", "house_prices"):
        run = call(f"{monitoring}/v1/models/{model}/monitor", key, method="POST")
        assert run.get("status") is None, run


def _requests(urls: dict[str, str], key: str, prom: Prometheus) -> list[str]:
    """Predictions (single records: cache misses, then hits; a batch) and one error on each
    service, in three waves with a scrape of every target after each, as steady traffic is
    seen: a counter first scraped at its final value has no rate yet. Returns the single
    predictions' request ids."""
    prediction, training, monitoring = (urls[s] for s in SERVICES)
    ids = []
    for wave in range(3):
        for i in range(10):
            record = {**CHURN, "tenure_months": (wave * 10 + i) % 10 + 1}
            answer = call(f"{prediction}/v1/models/churn/predict", key, {"features": record})
            ids.append(answer["request_id"])
            call(f"{prediction}/v1/models/house_prices/predict", key, {"features": HOUSE})
        _next_scrape(prom)
    batch = call(f"{prediction}/v1/models/churn/predict/batch", key, {"features": [CHURN] * 20})
    assert len(batch["predictions"]) == 20, batch
    invalid = call(f"{prediction}/v1/models/churn/predict", key, {"features": {"x": 1}})
    assert invalid["status"] == 422, invalid  # an error labelled with its model
    assert call(f"{prediction}/v1/models/nope/predict", key, {"features": {}})["status"] == 404
    assert call(f"{training}/v1/training-jobs/nope", key)["status"] == 404  # an error on each
    assert call(f"{monitoring}/v1/models/nope/drift", key)["status"] == 404
    _next_scrape(prom)
    return ids


def _next_scrape(prom: Prometheus) -> None:
    """Wait until Prometheus has scraped every target after this moment."""
    now = time.time()

    def scraped() -> bool:
        oldest = prom.query("min(timestamp(up))")
        return bool(oldest) and float(oldest[0]["value"][1]) > now

    wait_for(scraped, 60, "Prometheus to scrape every target again", every_s=0.5)


def _check(prom: Prometheus, query: Shipped, model: str, service: str) -> tuple[str, str]:
    """The bound query and what it returned (first series), or AssertionError."""
    expr = without_threshold(bind(query.expr, model=model, service=service))
    series = prom.query(expr)
    assert series, f"{query.where}: no series for {expr}"

    def size(one: dict[str, Any]) -> float:
        number = float(one["value"][1])
        return number if math.isfinite(number) else -math.inf

    top = max(series, key=size)  # the largest value: the one a reader looks for
    shown = {k: v for k, v in top["metric"].items() if k not in ("__name__", "instance")}
    labels = ",".join(f"{k}={v}" for k, v in sorted(shown.items()))
    return expr, f"{len(series)} series; max {{{labels}}} = {float(top['value'][1]):.4g}"


def test_every_dashboard_and_alert_query_returns_series_from_the_running_platform(
    platform: Platform,
) -> None:
    _require_prometheus()
    up = platform.up
    prom = Prometheus(up.url("Prometheus"))
    urls = {service: up.url(service.capitalize()) for service in SERVICES}
    key = up.admin_key()

    targets = prom.get("/api/v1/targets")["activeTargets"]
    jobs = {t["labels"]["job"] for t in targets}
    assert jobs == {"prometheus", "worker", *SERVICES}, jobs
    _traffic(urls, key, prom)

    def scraped_after_the_traffic() -> bool:
        jobs_done = prom.query('mlaas_training_jobs{spec="churn", state="succeeded"} > 0')
        monitored = prom.query("mlaas_monitoring_monitored == 1")
        tasks = prom.query('mlaas_worker_tasks_total{state="succeeded"} > 0')
        models = {series["metric"]["model"] for series in monitored}
        # The two the traffic monitored (the monitoring DAGs may have snapshotted others too).
        return bool(jobs_done) and {"churn", "house_prices"} <= models and bool(tasks)

    wait_for(scraped_after_the_traffic, 60, "Prometheus to scrape the traffic's effects")
    # More of the same just before the queries, so their one-minute rates show it.
    _requests(urls, key, prom)
    assert all(t["health"] == "up" for t in prom.get("/api/v1/targets")["activeTargets"])

    report, failures = [], []
    for query in dashboard_queries():
        services = SERVICES if "$service" in query.expr else SERVICES[:1]
        for service in services:
            try:
                expr, value = _check(prom, query, "churn", service)
            except AssertionError as error:
                failures.append(str(error))
                continue
            report.append((query.where, expr, value))
    for name, dashboard in dashboards().items():
        for variable in dashboard["templating"]["list"]:
            metric, label = variable["query"][len("label_values(") : -1].split(", ")
            values = {s["metric"][label] for s in prom.query(metric)}
            wanted = set(SERVICES) | {"worker"} if label == "service" else {"churn"}
            if not wanted <= values:
                failures.append(f"{name}: ${variable['name']} offers {values}")
    for query in alert_queries():
        try:
            report.append((query.where, *_check(prom, query, "churn", "prediction")))
        except AssertionError as error:
            failures.append(str(error))
    _write_report(report, failures)
    assert not failures, "\n".join(failures)

    # Prometheus loaded every rule of infra/prometheus/alerts.yml and evaluates it cleanly.
    groups = prom.get("/api/v1/rules")["groups"]
    loaded = {r["name"]: r for g in groups for r in g["rules"]}
    shipped = [r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    assert sorted(loaded) == sorted(shipped)
    assert all(r["health"] == "ok" for r in loaded.values()), loaded
    # The platform's own alert rule fired (rows >= 1) and Prometheus sees it.
    assert prom.query('mlaas_monitoring_alert_firing{model="churn", rule="any-traffic"} == 1')


def _write_report(report: list[tuple[str, str, str]], failures: list[str]) -> None:
    lines = [
        "# Queries checked against a real Prometheus",
        "",
        "Written by tests/e2e/test_dashboard_and_prometheus.py on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC')}",
        f"(`$model` = churn; `$service` = {', '.join(SERVICES)}). Not committed.",
        "",
        "| where | query | returned |",
        "|---|---|---|",
    ]
    for where, expr, value in report:
        cell = expr.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {where} | `{cell}` | {value} |")
    lines += ["", f"Failures: {len(failures)}", *(f"- {f}" for f in failures)]
    REPORT.write_text("\n".join(lines) + "\n")
    if os.environ.get("MLAAS_E2E_REPORT"):
        Path(os.environ["MLAAS_E2E_REPORT"]).write_text(REPORT.read_text())
