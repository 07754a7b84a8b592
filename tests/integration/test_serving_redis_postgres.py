"""Serving on the full stack: the prediction cache and rate limits on real Redis, the prediction
log on real PostgreSQL through a database outage."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, select, text

from mlaas import db
from mlaas.serving.cache import PredictionCache, cache_key
from mlaas.serving.predlog import PredictionLogWriter
from mlaas.serving.ratelimit import RateLimiter
from tests.integration.conftest import POSTGRES_URL
from tests.mlaas.serving.test_predlog import block, logged, row
from tests.mlaas.serving.test_ratelimit import (
    BURST,
    RATE,
    check_burst_then_refusal_then_recovery,
    check_concurrent_callers_never_exceed_the_bucket,
)
from tests.servers import wait_for

RECORD = {"age": 41, "plan": "pro", "monthly_charges": 70.5}
NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_cache_on_redis_keys_by_version_and_expires(redis_url: str, redis_prefix: str) -> None:
    cache = PredictionCache(redis_url, ttl_s=30, prefix=redis_prefix)
    assert cache.backend == "redis"
    assert cache.get("churn", "3", RECORD) is None
    cache.set("churn", "3", RECORD, {"output": "yes", "probabilities": {"yes": 0.8}})
    assert cache.get("churn", "3", {**RECORD, "age": 41.0}) == {
        "output": "yes",
        "probabilities": {"yes": 0.8},
    }
    assert cache.get("churn", "4", RECORD) is None
    assert (cache.hits, cache.misses) == (1, 2)

    other = PredictionCache(redis_url, prefix=redis_prefix)  # another replica sees the entry
    assert other.get_many("churn", "3", [RECORD, {"age": 1}]) == [
        {"output": "yes", "probabilities": {"yes": 0.8}},
        None,
    ]
    ttl = redis.Redis.from_url(redis_url).ttl(redis_prefix + cache_key("churn", "3", RECORD))
    assert 0 < ttl <= 30


def test_cache_treats_an_unreachable_redis_as_a_miss() -> None:
    cache = PredictionCache(NOWHERE)
    cache.set("churn", "3", RECORD, "yes")  # kept in this replica; the shared write fails
    assert cache.get("churn", "3", RECORD) == "yes"
    other = PredictionCache(NOWHERE)
    assert other.get("churn", "3", RECORD) is None
    assert (cache.errors, other.errors, other.misses) == (1, 1, 1)


def test_rate_limit_on_redis_bursts_refuses_and_recovers(
    redis_url: str, redis_prefix: str
) -> None:
    limiter = RateLimiter(redis_url, prefix=redis_prefix)
    assert limiter.backend == "redis"
    check_burst_then_refusal_then_recovery(limiter, "key-1")
    pttl = redis.Redis.from_url(redis_url).pttl(f"{redis_prefix}key-1")
    assert 0 < pttl <= BURST / RATE * 1000 + 1000  # idle buckets vanish


def test_rate_limit_on_redis_is_atomic_across_threads_and_replicas(
    redis_url: str, redis_prefix: str
) -> None:
    check_concurrent_callers_never_exceed_the_bucket(
        RateLimiter(redis_url, prefix=redis_prefix), "shared"
    )
    replica_a = RateLimiter(redis_url, prefix=redis_prefix)
    replica_b = RateLimiter(redis_url, prefix=redis_prefix)
    granted = [
        limiter.allow("two-replicas", rate_per_s=0.01, burst=4)[0]
        for limiter in (replica_a, replica_b) * 4
    ]
    assert granted == [True] * 4 + [False] * 4


def test_rate_limit_reloads_its_script_after_a_flush(redis_url: str, redis_prefix: str) -> None:
    limiter = RateLimiter(redis_url, prefix=redis_prefix)
    assert limiter.allow("k", rate_per_s=1, burst=2) == (True, 0.0)
    redis.Redis.from_url(redis_url).script_flush()  # EVALSHA now says NOSCRIPT
    assert limiter.allow("k", rate_per_s=1, burst=2) == (True, 0.0)
    assert not limiter.allow("k", rate_per_s=1, burst=2)[0]
    assert limiter.errors == 0


def test_rate_limit_lets_requests_through_when_redis_is_down() -> None:
    limiter = RateLimiter(NOWHERE)
    assert limiter.allow("k", rate_per_s=1, burst=1) == (True, 0.0)
    assert limiter.errors == 1


def test_prediction_log_on_postgres_survives_a_dropped_database(
    postgres_database_url: str, tmp_path: Path
) -> None:
    name = postgres_database_url.rsplit("/", 1)[1]
    engine = db.init_db(db.make_engine(postgres_database_url))
    admin = create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
    writer = PredictionLogWriter(
        engine, tmp_path / "spool", batch_size=100, flush_interval_s=0.02, retry_interval_s=0.1
    )
    try:
        for i in range(200):
            writer.submit(row(i))
        wait_for(lambda: writer.written == 200)

        with admin.connect() as conn:  # outage: the database and its rows are gone
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        for i in range(200, 500):
            writer.submit(row(i))
        wait_for(lambda: writer.spooled == 300)

        with admin.connect() as conn:  # restored empty, as from a failed-over replica
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db.init_db(create_engine(postgres_database_url)).dispose()
        for i in range(500, 600):
            writer.submit(row(i))
        wait_for(lambda: not writer.spool_files() and writer.written + writer.replayed == 600)
        assert writer.close() == 0
    finally:
        writer.close()
        admin.dispose()

    assert logged(engine) == [(f"req-{i:06d}", "champion") for i in range(200, 600)]
    assert writer.replayed >= 300
    engine.dispose()


def test_prediction_log_on_postgres_ignores_rows_replayed_twice(
    postgres_database_url: str, tmp_path: Path
) -> None:
    engine = db.init_db(db.make_engine(postgres_database_url))
    with engine.begin() as conn:
        conn.execute(
            db.prediction_log.insert(), [{**row(i), "created_at": db.utcnow()} for i in range(40)]
        )
    spool = tmp_path / "spool"
    spool.mkdir()
    stamp = {"$datetime": "2025-01-01T00:00:00+00:00"}
    lines = [json.dumps({**row(i), "created_at": stamp}) for i in range(80)]
    (spool / "00000000000000000001-00000001.jsonl").write_text("\n".join(lines) + "\n")

    writer = PredictionLogWriter(engine, spool, batch_size=30, flush_interval_s=0.02)
    writer.submit(row(0, variant="shadow"))
    assert writer.close() == 0
    rows = logged(engine)
    assert len(rows) == len(set(rows)) == 81
    with engine.connect() as conn:
        stored = conn.execute(
            select(db.prediction_log.c.created_at).where(
                db.prediction_log.c.request_id == "req-000079"
            )
        ).scalar_one()
    assert stored.year == 2025 and stored.tzinfo is not None
    engine.dispose()


def test_prediction_log_blocks_copied_to_postgres_once_with_lz4_payloads(
    postgres_database_url: str, tmp_path: Path
) -> None:
    """Blocks go in by COPY; a block already stored (a replay) falls back to the staging insert
    and is kept once; a text with tabs, newlines and backslashes survives COPY's escaping."""
    engine = db.init_db(db.make_engine(postgres_database_url))
    odd = block("req-odd", 70)
    odd.inputs[0]["plan"] = 'tab\there\nnew "line" \\ back\\slash'
    first = PredictionLogWriter(engine, tmp_path / "a", flush_interval_s=0.02)
    first.submit_block(odd)
    first.submit_block(block("req-big", 1000))
    assert first.close() == 0
    again = PredictionLogWriter(engine, tmp_path / "b", flush_interval_s=0.02)
    again.submit_block(block("req-big", 1000))  # the same request id and variant again
    again.submit_block(block("req-new", 100))
    again.submit(row(1))
    assert again.close() == 0
    assert again.written == 1101 and again.spooled == 0

    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT request_id, records, inputs FROM prediction_log_blocks ORDER BY id")
        ).all()
        methods = (
            conn.execute(
                text("SELECT DISTINCT pg_column_compression(inputs) FROM prediction_log_blocks")
            )
            .scalars()
            .all()
        )
        lz4 = conn.execute(
            text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'"
            )
        ).scalar()
    assert [(r.request_id, r.records) for r in stored] == [
        ("req-odd", 70),
        ("req-big", 1000),
        ("req-new", 100),
    ]
    assert stored[0].inputs["plan"][0] == 'tab\there\nnew "line" \\ back\\slash'
    assert methods == (["lz4"] if lz4 else ["pglz"])
    assert logged(engine) == [("req-000001", "champion")]
    engine.dispose()


def test_each_process_keeps_the_postgres_connections_its_settings_allow(
    postgres_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MLAAS_DB_POOL_SIZE connections stay open, MLAAS_DB_MAX_OVERFLOW more open for a burst
    and close when it ends, and no more than both open at once: what docs/scaling.md counts
    against PostgreSQL's max_connections."""
    from mlaas.settings import get_settings

    monkeypatch.setenv("MLAAS_DB_POOL_SIZE", "2")
    monkeypatch.setenv("MLAAS_DB_MAX_OVERFLOW", "1")
    get_settings.cache_clear()
    try:
        engine = db.make_engine(postgres_database_url)
    finally:
        get_settings.cache_clear()
    watcher = create_engine(postgres_database_url, isolation_level="AUTOCOMMIT")

    def open_here() -> int:
        with watcher.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )

    burst = [engine.connect() for _ in range(3)]  # the pool's 2 and 1 of overflow
    for conn in burst:
        conn.execute(text("SELECT 1"))
    assert open_here() == 3
    fourth = threading.Thread(target=lambda: engine.connect().close())
    fourth.start()  # over the limit: waits for a connection to come back
    fourth.join(0.5)
    assert fourth.is_alive() and open_here() == 3
    for conn in burst:
        conn.close()
    fourth.join(10)
    assert not fourth.is_alive()
    assert open_here() == 2  # the overflow connection closed; the pool's two stay
    engine.dispose()
    watcher.dispose()
