"""Migrations (Alembic, mlaas/schema.py): an empty database migrates to head and then equals the
table definitions (autogenerate finds no difference), on SQLite and PostgreSQL; a database made
by the last release before migrations, rows in it, is adopted and upgraded and loses nothing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, select

from mlaas.schema import BASELINE, VERSION_TABLE, current, head, platform_metadata, upgrade
from tests.integration.conftest import fresh_postgres_database

BEFORE_MIGRATIONS = Path(__file__).parent / "data" / "platform-db-before-migrations.sqlite.sql"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def differences(engine: Engine) -> list[Any]:
    """What autogenerate would still change: nothing, when the schema equals the models
    (Optuna's own tables, which share the database, left aside)."""
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_name": _platform_tables}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, platform_metadata()))


def _platform_tables(name: str | None, kind: str, parents: Any) -> bool:
    return kind != "table" or name in platform_metadata().tables


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current(connection)


def _migrates_to_head(engine: Engine) -> None:
    upgrade(engine)
    assert revision(engine) == head()
    assert differences(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert set(platform_metadata().tables) | {VERSION_TABLE} == tables
    upgrade(engine)  # at head: nothing to do
    assert revision(engine) == head()


def test_an_empty_sqlite_database_migrates_to_the_models(tmp_path: Path) -> None:
    _migrates_to_head(create_engine(f"sqlite:///{tmp_path / 'platform.db'}"))


def test_an_empty_postgresql_database_migrates_to_the_models() -> None:
    with fresh_postgres_database() as url:
        engine = create_engine(url)
        try:
            _migrates_to_head(engine)
        finally:
            engine.dispose()


ROWS: dict[str, dict[str, Any]] = {
    "api_keys": {
        "id": "k1", "name": "ops", "prefix": "abcd1234", "key_hash": "h", "scopes": ["admin"],
        "created_at": NOW,
    },
    "audit_log": {
        "id": "a1", "at": NOW, "actor": "ops", "action": "promote", "model": "churn",
        "version": "2", "alias": "champion", "reason": "better", "details": {"p": 0.01},
    },
    "prediction_log": {
        "request_id": "r1", "created_at": NOW, "model": "churn", "version": "2",
        "variant": "champion", "inputs": {"age": 40}, "outputs": {"output": 1},
        "latency_ms": 1.5,
    },
    "training_jobs": {
        "id": "j1", "spec": "churn", "spec_hash": "s", "overrides": {}, "request_hash": "q",
        "state": "succeeded", "stage": "register", "trials_total": 4, "parallelism": 1,
        "created_at": NOW, "attempts": 1, "cancel_requested": False, "actor": "ops",
    },
    "feedback": {"request_id": "r1", "model": "churn", "label": "1", "received_at": NOW},
}  # fmt: skip


def _fill(engine: Engine) -> None:
    metadata = platform_metadata()
    with engine.begin() as connection:
        for table, row in ROWS.items():
            connection.execute(metadata.tables[table].insert().values(**row))


def _kept(engine: Engine) -> None:
    metadata = platform_metadata()
    with engine.connect() as connection:
        for table, row in ROWS.items():
            stored = connection.execute(select(metadata.tables[table])).mappings().one()
            for column, value in row.items():
                got = stored[column]
                if isinstance(value, datetime):
                    got = got.replace(tzinfo=UTC) if got.tzinfo is None else got
                assert got == value, (table, column, got, value)


def test_a_database_from_before_migrations_is_adopted_with_its_rows(tmp_path: Path) -> None:
    """The last release made its tables with `create_all` (the committed SQL is that schema,
    read off its SQLite file): upgrading stamps it as the baseline and goes on from there."""
    path = tmp_path / "platform.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(BEFORE_MIGRATIONS.read_text())
    engine = create_engine(f"sqlite:///{path}")
    _fill(engine)
    study = _optuna_study(f"sqlite:///{path}")  # Optuna keeps its studies (and revision) here
    assert revision(engine) is None
    upgrade(engine)
    assert revision(engine) == head()
    _kept(engine)
    assert differences(engine) == []
    assert _optuna_study(f"sqlite:///{path}") == study  # Optuna still reads its schema


def test_a_postgresql_database_from_before_migrations_is_adopted_with_its_rows() -> None:
    """The same on PostgreSQL: the baseline revision's tables without Alembic's version table
    are what `create_all` made there."""
    with fresh_postgres_database() as url:
        engine = create_engine(url)
        try:
            _baseline_without_alembic(engine)
            _fill(engine)
            upgrade(engine)
            assert revision(engine) == head()
            _kept(engine)
            assert differences(engine) == []
        finally:
            engine.dispose()


def _optuna_study(url: str) -> list[float]:
    """A study in the platform DB, as tuning makes them: its trials' values."""
    import optuna

    storage = optuna.storages.RDBStorage(url)
    study = optuna.create_study(study_name="s", storage=storage, load_if_exists=True)
    if not study.trials:
        study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=2)
    return [float(t.value) for t in study.trials if t.value is not None]


def _baseline_without_alembic(engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import text

    from mlaas.schema import alembic_config

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)
        connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))


def test_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    """The services, the worker and `mlaas up` may start together on a new database."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            upgrade(create_engine(url))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert revision(create_engine(url)) == head()


def test_the_cli_reports_and_applies_the_revision(mlaas_home: Path) -> None:
    from click.testing import CliRunner

    from mlaas.cli import cli

    before = CliRunner().invoke(cli, ["db", "current"])
    assert before.exit_code == 0 and "database: none (not migrated yet)" in before.output
    applied = CliRunner().invoke(cli, ["db", "upgrade"])
    assert applied.exit_code == 0 and f"database at revision {head()}" in applied.output
    after = CliRunner().invoke(cli, ["db", "current"])
    assert f"database: {head()}; newest: {head()}" in after.output


def test_the_architecture_map_lists_every_table() -> None:
    documented = (Path(__file__).parents[2] / "docs" / "architecture.md").read_text()
    missing = [t for t in platform_metadata().tables if f"`{t}`" not in documented]
    assert missing == [], f"docs/architecture.md does not list {missing}"
