"""Real PostgreSQL and Redis for the full-stack paths.

Skipped (with how to run them) when the servers are not reachable; when `CI` is set to any
true value (`true`, `1`, `yes`, ...) a missing server fails the run instead of skipping silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_URL = os.environ.get(
    "MLAAS_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432"
)
HOW_TO = (
    "start PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) "
    "or point MLAAS_TEST_POSTGRES_URL at one"
)
REDIS_URL = os.environ.get("MLAAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_HOW_TO = "start Redis on 127.0.0.1:6379 or point MLAAS_TEST_REDIS_URL at one"


def in_ci() -> bool:
    """CI set to anything but empty, 0, false, no or off (CI systems write `true` or `1`)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def unavailable(what: str, error: object, how_to: str = HOW_TO) -> None:
    """Skip with how to run it; in CI, fail: a CI run never passes by skipping a server."""
    message = f"{what} not reachable ({error}); {how_to}"
    if in_ci():
        pytest.fail(f"CI requires it: {message}")
    pytest.skip(message)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"mlaas_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "not available"
        unavailable("PostgreSQL", error)
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis (shared: give every key a `redis_prefix`)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001 - any connection failure means "not available"
        unavailable("Redis", error, REDIS_HOW_TO)
    try:
        yield REDIS_URL
    finally:
        client.close()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    import redis

    prefix = f"mlaas-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


CLAIM = "mlaas-test:claimed-by"


@pytest.fixture
def redis_database(redis_url: str) -> Iterator[str]:
    """A whole Redis database (1-15) of the test server for one test, for what cannot take a key
    prefix (a Celery broker's fixed queue names, Feast's online store). Claimed atomically, so
    parallel test processes never share one, and flushed afterwards."""
    import redis

    base = redis_url.rsplit("/", 1)[0]
    owner = f"{os.getpid()}:{uuid.uuid4().hex}"
    for db in range(1, 16):
        client = redis.Redis.from_url(f"{base}/{db}", socket_timeout=2)
        try:
            if not client.set(CLAIM, owner, nx=True, ex=3600):  # a crashed run frees it
                continue
            if client.dbsize() == 1:  # only our claim: nobody else's data is in there
                try:
                    yield f"{base}/{db}"
                finally:
                    client.flushdb()  # only keys this test wrote (and the claim)
                return
            client.delete(CLAIM)  # in use by something that is not a test: leave it
        finally:
            client.close()
    unavailable("An empty Redis database (1-15)", "all are in use", REDIS_HOW_TO)
