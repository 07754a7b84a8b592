"""Real PostgreSQL and Redis for the full-stack paths.

Skipped (with how to run them) when the servers are not reachable; under CI=true a missing
server fails the run instead of skipping silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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


def _unavailable(what: str, error: Exception, how_to: str = HOW_TO) -> None:
    message = f"{what} not reachable ({error}); {how_to}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI requires it: {message}")
    pytest.skip(message)


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"mlaas_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "not available"
        _unavailable("PostgreSQL", error)
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis (shared: give every key a `redis_prefix`)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001 - any connection failure means "not available"
        _unavailable("Redis", error, REDIS_HOW_TO)
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
