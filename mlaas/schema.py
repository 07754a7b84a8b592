"""The platform DB's schema, kept by Alembic (migrations in mlaas/migrations/versions).

Every table is defined once, on `mlaas.db.metadata`, next to the logic that owns it; every change
to them is a migration. `upgrade(engine)` brings a database to the newest revision when the
platform opens it (`mlaas up`, the services, the worker, compose's `platform-init`), so an added
column or index reaches an existing PostgreSQL database instead of silently missing there.

A database made before migrations existed (tables created by `metadata.create_all`, no
version table) holds exactly the baseline revision's schema: it is stamped as such and
upgraded from there, keeping its rows. Several processes may open a new database at once; one
migrates while the others wait (an advisory lock on PostgreSQL, a lock file beside SQLite).
"""

from __future__ import annotations

import fcntl
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

BASELINE = "0001"
# Not Alembic's default `alembic_version`: Optuna keeps its own schema revision under that name
# in the same database (its studies live in the platform DB).
VERSION_TABLE = "mlaas_schema_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Modules that define tables on `metadata` besides mlaas.db (next to the logic that owns them).
TABLE_MODULES = ("mlaas.jobs.tables", "mlaas.monitoring.tables", "mlaas.inbox", "mlaas.locks")
PG_LOCK_ID = 0x6D6C6161  # "mlaa": one platform-wide advisory lock for migrations


def platform_metadata() -> MetaData:
    """`mlaas.db.metadata` with every table module imported."""
    from mlaas.db import metadata

    for module in TABLE_MODULES:
        importlib.import_module(module)
    return metadata


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None, "no migrations"
    return found


def current(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (a no-op when it is there)."""
    with _migration_lock(engine), engine.begin() as connection:
        config = alembic_config(connection)
        if current(connection) is None and _has_platform_tables(connection):
            command.stamp(config, BASELINE)  # made by create_all before migrations existed
        if current(connection) != head():
            command.upgrade(config, "head")


def _has_platform_tables(connection: Connection) -> bool:
    return inspect(connection).has_table("api_keys")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": PG_LOCK_ID})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": PG_LOCK_ID})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with Path(f"{database}.migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
