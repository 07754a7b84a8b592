"""The platform DB: lineage, validation results, audit trail, API keys and spec snapshots.

SQLAlchemy Core on one URL (`MLAAS_DATABASE_URL`): a SQLite file by default, PostgreSQL on the
full stack. The Optuna studies live in the same database (Optuna creates its own tables).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)

from mlaas.settings import get_settings

metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(stamp: datetime) -> datetime:
    """Aware UTC (naive values are UTC: SQLite drops the zone on the way back)."""
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def new_request_id() -> str:
    """A UUIDv7 (RFC 9562) for a served request: a millisecond timestamp, then 74 random bits.

    Time-ordered ids keep the prediction log's unique index growing at its right edge: a
    transaction of 1,500 single-record rows dirties a few index pages instead of one per row
    (bench/request_id_index.py: at 1M logged rows, ~6x faster commits and ~14x less WAL than
    UUID4 ids). The random bits come from the process's generator (seeded from the OS,
    re-seeded in forked workers), not `os.urandom`: that system call drops the GIL, and on a
    loaded server taking it back can wait out another thread's switch interval. Ids are
    unique, not secrets."""
    millis = time.time_ns() // 1_000_000
    bits = (millis & (1 << 48) - 1) << 80 | 0x7 << 76 | random.getrandbits(12) << 64
    return str(uuid.UUID(int=bits | 0b10 << 62 | random.getrandbits(62)))


# One row per (model, content hash): re-ingesting identical data reuses the row.
datasets = Table(
    "datasets",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("uri", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("columns", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # ingested | validated | quarantined
    Column("ingested_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("parts", JSON),  # [mlaas.refs.DataPart]: where its rows came from (NULL before 0003)
    UniqueConstraint("model", "content_hash", name="uq_datasets_model_hash"),
)

validation_results = Table(
    "validation_results",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), nullable=False, index=True),
    Column("content_hash", String(64), nullable=False),
    Column("suite", String(128), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("statistics", JSON, nullable=False),
    Column("failures", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("at", DateTime(timezone=True), nullable=False, default=utcnow, index=True),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("model", String(64), index=True),
    Column("version", String(32)),
    Column("alias", String(64)),
    Column("reason", Text, nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("name", String(128), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(128), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("revoked_at", DateTime(timezone=True)),
    Column("models", JSON),  # the models the key may reach; NULL: every model
    Column("expires_at", DateTime(timezone=True)),  # NULL: never
)

# The exact spec a version was trained from, so `mlaas reproduce` needs nothing but the hash.
spec_snapshots = Table(
    "spec_snapshots",
    metadata,
    Column("spec_hash", String(64), primary_key=True),
    Column("model", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _json_fallback(value: Any) -> Any:
    if isinstance(value, np.generic):  # numpy scalars from pandas/sklearn results
        return value.item()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


_json_encoder = msgspec.json.Encoder(enc_hook=_json_fallback)


def json_bytes(value: Any) -> bytes:
    """`json_text` as UTF-8 bytes (for an HTTP body or a reused log column)."""
    return _json_encoder.encode(value)


def json_text(value: Any) -> str:
    """JSON columns are written with msgspec: several times faster than `json.dumps` (the
    prediction log writes thousands of rows a second), and NaN/inf become null, which
    PostgreSQL's JSON type requires."""
    return json_bytes(value).decode()


def json_value(text: str | bytes) -> Any:
    """Read a JSON column; rows written by `json.dumps` may hold NaN, which msgspec refuses."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def make_engine(url: str) -> Engine:
    json_options: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": json_value}
    if url.startswith("sqlite:///"):  # a file: its folder may not exist yet
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **json_options)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        settings = get_settings()
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            **json_options,
        )
    return engine


def insert_ignoring_conflicts(engine: Engine, table: Table, unique: list[str]) -> Any:
    """INSERT that skips rows whose `unique` columns are already there (ON CONFLICT DO
    NOTHING on SQLite and PostgreSQL): idempotent writes without a read first."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialects = {"postgresql": postgresql, "sqlite": sqlite}
    if engine.dialect.name not in dialects:
        raise ValueError(f"{table.name} needs SQLite or PostgreSQL, not {engine.dialect.name}")
    insert = dialects[engine.dialect.name].insert(table)
    return insert.on_conflict_do_nothing(index_elements=unique)


def init_db(engine: Engine) -> Engine:
    """The database at the newest schema revision (Alembic; mlaas/schema.py)."""
    from mlaas.schema import upgrade

    upgrade(engine)
    return engine


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return init_db(make_engine(url))


def get_engine() -> Engine:
    """The platform DB engine for the current settings (tables created on first use)."""
    return _engine_for(get_settings().database_url)


def record_audit(
    *,
    action: str,
    model: str | None = None,
    version: str | None = None,
    alias: str | None = None,
    reason: str = "",
    actor: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    row_id = new_id()
    with get_engine().begin() as conn:
        conn.execute(
            audit_log.insert().values(
                id=row_id,
                at=utcnow(),
                actor=actor or get_settings().actor,
                action=action,
                model=model,
                version=version,
                alias=alias,
                reason=reason,
                details=details or {},
            )
        )
    return row_id


def audit_rows(
    model: str | None = None,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Audit rows, newest first, filtered by who / what / since when."""
    query = audit_log.select().order_by(audit_log.c.at.desc()).limit(limit)
    for column, value in ((audit_log.c.model, model), (audit_log.c.action, action)):
        if value:
            query = query.where(column == value)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if since:
        query = query.where(audit_log.c.at >= since)
    with get_engine().connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["at"] = as_utc(row["at"])
    return rows


# Champion/challenger split per model (mlaas.serving.routing); no row: all traffic to champion.
routing_configs = Table(
    "routing_configs",
    metadata,
    Column("model", String(64), primary_key=True),
    Column("challenger_weight", Float, nullable=False, default=0.0),
    Column("shadow", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("updated_by", String(128), nullable=False),
)


def _logged_prediction_columns() -> list[Column[Any]]:
    """Who answered what, when: the leading columns of both prediction log tables."""
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("request_id", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("model", String(64), nullable=False),
        Column("version", String(32), nullable=False),
        Column("variant", String(16), nullable=False),
    ]


def _logged_prediction_payload() -> list[Column[Any]]:
    return [
        Column("inputs", JSON, nullable=False),
        Column("outputs", JSON, nullable=False),
        Column("latency_ms", Float, nullable=False, default=0.0),
    ]


# Every served prediction (mlaas.serving.predlog). (request_id, variant) is unique so a replayed
# spool file can never duplicate rows; one request may log a `champion` row and a `shadow` row.
# The unique index also serves lookups by request_id (feedback joins), so it needs no second one.
prediction_log = Table(
    "prediction_log",
    metadata,
    *_logged_prediction_columns(),
    *_logged_prediction_payload(),
    UniqueConstraint("request_id", "variant", name="uq_prediction_log_request_variant"),
    Index("ix_prediction_log_model_created_at", "model", "created_at"),
)

# Large batch requests (mlaas.serving.predlog.LogBlock of BLOCK_ROWS records or more) are logged
# as ONE row here: `inputs` the records as JSON columns ({field: [values]}; older rows: an array
# of objects), `outputs` the array of their output cells, `records` their count. Record i is still
# the prediction `<request_id>:<i>`; the readers (mlaas.monitoring.logged) expand blocks, so every
# consumer sees one row per record. A row per record cost SQLite ~5 us of CPU (three B-trees),
# the largest cost of a 1,000-record request.
prediction_log_blocks = Table(
    "prediction_log_blocks",
    metadata,
    *_logged_prediction_columns(),
    Column("records", Integer, nullable=False),
    *_logged_prediction_payload(),
    UniqueConstraint("request_id", "variant", name="uq_prediction_log_blocks_request_variant"),
    Index("ix_prediction_log_blocks_model_created_at", "model", "created_at"),
)

# Async prediction jobs (Celery); the row lets the API tell "unknown id" from "still queued".
prediction_jobs = Table(
    "prediction_jobs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("model", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # records | file
    Column("request_id", String(64), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False, default=utcnow),
)
