"""The platform DB on PostgreSQL: lineage, validation results, audit, API keys, spec snapshots
and the Optuna study all live there when MLAAS_DATABASE_URL points at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from mlaas import db
from mlaas.auth import create_key, verify_key
from mlaas.pipeline import run_pipeline
from tests.factories import reset_platform_caches, small_spec


def test_pipeline_runs_with_the_platform_db_on_postgres(
    mlaas_home: Path, postgres_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import optuna

    monkeypatch.setenv("MLAAS_DATABASE_URL", postgres_database_url)
    reset_platform_caches()

    spec = small_spec("house_prices")
    registration = run_pipeline(spec)
    assert registration.champion
    again = run_pipeline(spec)
    assert again.reused and again.version == registration.version

    key, _ = create_key("integration", ["predict"])
    assert verify_key(key).scopes == ("predict",)

    engine = create_engine(postgres_database_url)
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (db.datasets, db.validation_results, db.audit_log, db.api_keys)
        }
        snapshots = conn.execute(select(db.spec_snapshots.c.spec_hash)).scalars().all()
    engine.dispose()
    assert counts["datasets"] == 1
    assert counts["validation_results"] == 2
    assert counts["api_keys"] == 1
    assert counts["audit_log"] >= 4  # register, challenger, champion, key
    assert snapshots == [spec.spec_hash]

    studies = optuna.get_all_study_summaries(postgres_database_url)
    assert [s.n_trials for s in studies] == [spec.training.trials]
    assert not (mlaas_home / "platform.db").exists()
