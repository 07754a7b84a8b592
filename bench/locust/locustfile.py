"""Locust scenarios: the mixed load of each service, against a running platform on loopback.

Run through `bench/locust/run.py` (which starts `mlaas up`, sets the variables below and
reads the results); by hand:

    MLAAS_BENCH_PREDICTION_URL=http://127.0.0.1:8000 MLAAS_BENCH_TRAINING_URL=... \\
    MLAAS_BENCH_MONITORING_URL=... MLAAS_BENCH_KEY=mlaas_... \\
    .venv/bin/locust -f bench/locust/locustfile.py --headless -u 20 -r 10 -t 60s

- PredictionUser: single records (most calls), batches of 100, explanations, entity ids
  (features from the online store).
- MonitoringUser: drift and performance reads, and ground truth posted for predictions the
  prediction users made (their request ids, shared in this process).
- TrainingUser: submits one small tuning job, polls it, lists jobs and versions.

Every target must be a loopback address: the scenario refuses anything else.
"""

from __future__ import annotations

import ipaddress
import os
import random
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, task

from mlaas.data.churn import EXAMPLE_RECORD

RECORD = dict(EXAMPLE_RECORD)
COUNTRIES = ("France", "Germany", "Spain")
ENTITY_IDS = range(100_001, 100_501)  # customer ids of the generated churn data
RECENT: deque[str] = deque(maxlen=5_000)  # request ids the prediction users got back


def loopback(name: str) -> str:
    """The base URL in variable `name`, which must point at a loopback address."""
    url = os.environ.get(name, "").rstrip("/")
    host = urlsplit(url).hostname or ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return url
    except ValueError:
        pass
    raise SystemExit(f"{name}={url!r}: set it to a loopback URL (load goes nowhere else)")


def headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {os.environ['MLAAS_BENCH_KEY']}"}


def record() -> dict[str, Any]:
    """A distinct record: most calls miss the prediction cache, as live traffic does."""
    return {
        **RECORD,
        "age": random.randint(18, 90),
        "balance": round(random.uniform(0, 250_000), 2),
        "credit_score": random.randint(350, 850),
        "country": random.choice(COUNTRIES),
    }


class PredictionUser(HttpUser):
    host = loopback("MLAAS_BENCH_PREDICTION_URL")
    weight = 8
    wait_time = between(0.0, 0.02)

    def on_start(self) -> None:
        self.client.headers.update(headers())
        for call in (self.batch, self.explain, self.entity):  # every call of the mix at least
            call()  # once, whatever the draws: a short run (the test's) covers them all

    @task(20)
    def single(self) -> None:
        with self.client.post(
            "/v1/models/churn/predict",
            json={"features": record()},
            name="predict single",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                RECENT.append(answer.json()["request_id"])

    @task(2)
    def batch(self) -> None:
        self.client.post(
            "/v1/models/churn/predict/batch",
            json={"features": [record() for _ in range(100)]},
            name="predict batch of 100",
        )

    @task(1)
    def explain(self) -> None:
        self.client.post(
            "/v1/models/churn/predict",
            json={"features": record(), "explain": True},
            name="predict with explanation",
        )

    @task(2)
    def entity(self) -> None:
        self.client.post(
            "/v1/models/churn/predict",
            json={"entity_ids": [random.choice(ENTITY_IDS)]},
            name="predict by entity id",
        )


class MonitoringUser(HttpUser):
    host = loopback("MLAAS_BENCH_MONITORING_URL")
    weight = 1
    wait_time = between(0.2, 0.5)

    def on_start(self) -> None:
        self.client.headers.update(headers())

    @task(1)
    def drift(self) -> None:
        self.client.get("/v1/models/churn/drift", name="drift")

    @task(1)
    def performance(self) -> None:
        self.client.get("/v1/models/churn/performance", name="performance")

    @task(3)
    def feedback(self) -> None:
        ids = [RECENT.popleft() for _ in range(min(50, len(RECENT)))]
        if not ids:
            return
        items = [{"request_id": i, "label": random.randint(0, 1)} for i in ids]
        self.client.post("/v1/feedback", json={"items": items}, name="feedback (50 labels)")


class TrainingUser(HttpUser):
    host = loopback("MLAAS_BENCH_TRAINING_URL")
    weight = 1
    wait_time = between(0.5, 1.0)
    fixed_count = 1  # one user: jobs queue on the single worker, more would only wait

    def on_start(self) -> None:
        self.client.headers.update(headers())
        self.job: str | None = None
        self.submit_or_poll()  # every run submits a job, whatever its tasks draw afterwards

    @task(1)
    def submit_or_poll(self) -> None:
        if self.job is None:
            body = {
                "spec": "churn",
                "overrides": {"families": ["logistic_regression"], "trials": 2},
            }
            answer = self.client.post("/v1/training-jobs", json=body, name="submit job")
            if answer.status_code in (200, 201, 202):
                self.job = answer.json()["id"]
            return
        answer = self.client.get(f"/v1/training-jobs/{self.job}", name="poll job")
        if answer.status_code == 200 and answer.json()["state"] in (
            "succeeded",
            "failed",
            "cancelled",
        ):
            self.job = None  # done: the next call submits another

    @task(2)
    def listings(self) -> None:
        self.client.get("/v1/training-jobs?limit=20", name="list jobs")
        self.client.get("/v1/models/churn/versions", name="list versions")
