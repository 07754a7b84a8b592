"""The prediction service on the full-stack stores: PostgreSQL as the platform DB (prediction
log, API keys, Optuna) and Redis for the prediction cache and the rate limiter.

The module tests cover each component on these servers; this checks the service wires them:
answers cached in Redis under the version's key, 429 from the Redis token bucket, and every
prediction of a burst in PostgreSQL's prediction log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mlaas.data.churn import EXAMPLE_RECORD
from tests.factories import home_env, small_spec
from tests.servers import wait_for

CHURN = dict(EXAMPLE_RECORD)


@pytest.fixture
def full_stack(tmp_path: Path, postgres_database_url: str, redis_database: str) -> Iterator[Path]:
    env = {"MLAAS_DATABASE_URL": postgres_database_url, "MLAAS_REDIS_URL": redis_database}
    with home_env(tmp_path / "home", **env) as home:
        yield home
        from mlaas.db import get_engine

        get_engine().dispose()  # let the fixture drop the database


def test_cache_limit_and_log_on_redis_and_postgres(
    full_stack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis
    from sqlalchemy import select

    from mlaas import db
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline
    from mlaas.settings import get_settings
    from services.prediction.app import app

    assert run_pipeline(small_spec("churn")).champion
    key = create_key("full-stack", ["predict"])[0]
    monkeypatch.setattr(get_settings(), "serving_shared_cache_min_ms", 0.0)  # share every answer
    headers = {"Authorization": f"Bearer {key}"}
    ids = []
    with TestClient(app) as client:
        assert app.state.limiter.backend == "redis"
        on_loop = _record_event_loop_calls(app, monkeypatch)
        first = client.post("/v1/models/churn/predict", json={"features": CHURN}, headers=headers)
        again = client.post("/v1/models/churn/predict", json={"features": CHURN}, headers=headers)
        assert first.status_code == again.status_code == 200
        assert (first.json()["cached"], again.json()["cached"]) == (False, True)
        assert again.json()["predictions"] == first.json()["predictions"]
        version = first.json()["version"]
        store = redis.Redis.from_url(get_settings().redis_url)
        assert list(store.scan_iter(match=f"mlaas:pred:churn:{version}-*"))  # in Redis

        for age in range(20, 220):  # a burst of distinct records: all misses, all logged
            answer = client.post(
                "/v1/models/churn/predict",
                json={"features": {**CHURN, "age": age}},
                headers=headers,
            )
            assert answer.status_code == 200
            ids.append(answer.json()["request_id"])

        # A model cheaper to score than to fetch keeps its answers in the replica: with a
        # threshold no model reaches, new answers stay out of Redis and repeats still hit.
        pipe = app.state.service.cache._pipe  # the last answers' writes have left
        wait_for(lambda: not pipe._queue and not pipe._in_flight, 5, "the cache writes")
        shared = len(list(store.scan_iter(match="mlaas:pred:*")))
        app.state.service.shared_cache_min_s = 10.0
        for age in range(300, 320):
            answer = client.post(
                "/v1/models/churn/predict",
                json={"features": {**CHURN, "age": age}},
                headers=headers,
            )
            ids.append(answer.json()["request_id"])
        assert len(list(store.scan_iter(match="mlaas:pred:*"))) == shared
        again = client.post(
            "/v1/models/churn/predict", json={"features": {**CHURN, "age": 300}}, headers=headers
        )
        assert again.json()["cached"] is True
        ids.append(again.json()["request_id"])

        # One token every 2 s: three calls in a row meet an empty bucket.
        monkeypatch.setattr(get_settings(), "serving_rate_per_s", 0.5)
        monkeypatch.setattr(get_settings(), "serving_burst", 2)
        limited = create_key("limited", ["predict"])[0]
        codes = [
            client.post(
                "/v1/models/churn/predict",
                json={"features": CHURN},
                headers={"Authorization": f"Bearer {limited}"},
            ).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert list(store.scan_iter(match="mlaas:rl:*"))  # the bucket lives in Redis
        answers: list[int] = []

        def refilled() -> bool:  # the bucket refills on Redis's clock
            answers.append(
                client.post(
                    "/v1/models/churn/predict",
                    json={"features": CHURN},
                    headers={"Authorization": f"Bearer {limited}"},
                ).status_code
            )
            return answers[-1] != 429

        wait_for(refilled, 30, "the rate-limit bucket to refill", every_s=0.1)
        assert answers[-1] == 200
        # No blocking Redis call ran on the event loop: the cache and the limiter went through
        # their pipelines (awaited); the key lookup (a DB read) ran in a worker thread.
        assert True not in on_loop["redis"]
        assert on_loop["pipelined"] == [True] and on_loop["key"] == [False]
    # Shutting the app down flushed the log writer into PostgreSQL.
    engine = db.get_engine()
    assert engine.dialect.name == "postgresql"
    log = db.prediction_log.c
    with engine.connect() as conn:
        stored = set(conn.execute(select(log.request_id).where(log.request_id.in_(ids))).scalars())
    assert stored == set(ids)


def _record_event_loop_calls(app: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[bool]]:
    """Wrap the blocking Redis clients of the cache and the limiter, their pipelined (asyncio)
    paths and the key lookup: per kind, the distinct answers to "did this call run on the event
    loop's thread?"."""
    import asyncio

    from mlaas import auth
    from services import common

    seen: dict[str, list[bool]] = {"redis": [], "pipelined": [], "key": []}

    def spy(kind: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                running = True
            except RuntimeError:
                running = False
            if running not in seen[kind]:
                seen[kind].append(running)
            return call(*args, **kwargs)

        return wrapper

    service, limiter = app.state.service, app.state.limiter
    for blocking in (service.cache._redis, limiter._redis):
        monkeypatch.setattr(blocking, "execute_command", spy("redis", blocking.execute_command))
        monkeypatch.setattr(blocking, "pipeline", spy("redis", blocking.pipeline))
    for pipe in (service.cache._pipe, limiter._pipe):
        monkeypatch.setattr(pipe, "_execute", spy("pipelined", pipe._execute))
    common._verify.clear()
    monkeypatch.setattr(auth, "verify_key", spy("key", auth.verify_key))
    return seen
