"""Personal data never reaches the prediction log (nor live-label training) in clear; records
older than the retention settings are deleted daily, pending spool files never; the audit trail
exports as JSON lines or CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlaas.pii import PREFIX, digest, log_protector
from mlaas.specs import ModelSpec
from tests.factories import home_env, small_spec


def personal_spec() -> ModelSpec:
    spec = small_spec("churn")
    marks = {"gender": "hash", "country": "drop"}
    features = [f.model_copy(update={"pii": marks.get(f.name)}) for f in spec.features]
    return spec.model_copy(update={"features": features})


def test_personal_features_are_hashed_with_a_key_or_dropped(mlaas_home: Path) -> None:
    protect = log_protector(personal_spec())
    assert protect is not None and log_protector(small_spec("churn")) is None
    logged = protect(
        [
            {"age": 40, "gender": "Female", "country": "France"},
            {"age": 41, "gender": "Female", "country": None},
            {"age": 42, "gender": None, "country": "Spain"},
        ]
    )
    assert [set(row) for row in logged] == [{"age", "gender"}] * 3  # country: never logged
    assert logged[0]["gender"] == logged[1]["gender"] != "Female"  # linkable, not readable
    assert logged[0]["gender"].startswith(PREFIX) and len(logged[0]["gender"]) == 37
    assert logged[2]["gender"] is None  # a null stays null
    assert digest("Female", b"another key") != logged[0]["gender"]  # keyed, not guessable
    assert (mlaas_home / "pii.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_the_log_and_live_labels_never_hold_personal_data_in_clear(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from mlaas.auth import create_key
    from mlaas.db import get_engine, prediction_log
    from mlaas.live_labels import live_rows
    from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
    from mlaas.pipeline import run_pipeline
    from services.prediction.app import app

    spec = personal_spec()
    record = {
        "age": 40, "tenure_months": 12, "balance": 1000.0, "num_products": 1,
        "credit_score": 650, "estimated_salary": 50000.0, "support_calls": 1,
        "has_credit_card": True, "is_active_member": False, "country": "France",
        "gender": "Female",
    }  # fmt: skip
    with home_env(tmp_path / "home"):
        assert run_pipeline(spec).champion
        key = create_key("pii", ["admin"])[0]
        with TestClient(app) as client:
            ids = []
            for _ in range(3):
                answer = client.post(
                    "/v1/models/churn/predict",
                    json={"features": record},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert answer.status_code == 200, answer.text
                ids.append(answer.json()["request_id"])
        with get_engine().connect() as conn:
            logged = [row.inputs for row in conn.execute(select(prediction_log.c.inputs))]
        assert len(logged) == 3
        text = json.dumps(logged)
        assert "Female" not in text and "France" not in text and "country" not in text
        submit_feedback([FeedbackItem(request_id=i, label=1) for i in ids])
        from mlaas.ingest import read_dataset

        _, source = read_dataset(spec)
        live = live_rows(spec, source)
        # gender/country come back null, which the source never has: the rows are left out,
        # so no personal value, clear or hashed, reaches a training set from live traffic.
        assert len(live.frame) == 0 and live.left_out == 3


def test_retention_deletes_what_is_older_and_keeps_pending_spool_files(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from mlaas.db import datasets, get_engine, prediction_log, utcnow
    from mlaas.monitoring.tables import feedback
    from mlaas.retention import apply_retention
    from mlaas.storage import get_store

    now = utcnow()
    old, recent = now - timedelta(days=100), now - timedelta(days=1)
    older, oldest = now - timedelta(days=40), now - timedelta(days=400)
    rows = [
        {
            "request_id": f"r{i}", "created_at": at, "model": "churn", "version": "1",
            "variant": "champion", "inputs": {}, "outputs": {}, "latency_ms": 1.0,
        }
        for i, at in enumerate([old, old, recent])
    ]  # fmt: skip
    with get_engine().begin() as conn:
        conn.execute(prediction_log.insert(), rows)
        conn.execute(
            feedback.insert(),
            [
                {"request_id": "r0", "model": "churn", "label": "1", "received_at": oldest},
                {"request_id": "r2", "model": "churn", "label": "0", "received_at": recent},
            ],
        )  # fmt: skip
        conn.execute(
            datasets.insert(),
            [
                {"id": "q1", "model": "churn", "content_hash": "a" * 64, "uri": "x", "source": "x",
                 "rows": 1, "columns": {}, "status": "quarantined", "ingested_at": older},
                {"id": "q2", "model": "churn", "content_hash": "b" * 64, "uri": "x", "source": "x",
                 "rows": 1, "columns": {}, "status": "quarantined", "ingested_at": recent},
            ],
        )  # fmt: skip
    store = get_store()
    for name in ("a", "b"):
        store.put_bytes(f"quarantine/churn/{name * 64}.parquet", b"batch")
    spool = mlaas_home / "spool" / "prediction_log"
    (spool / "rejected").mkdir(parents=True)
    for path in (spool / "pending.jsonl", spool / "rejected" / "bad.jsonl"):
        path.write_text("{}\n")
        stamp = time.time() - 30 * 86400
        os.utime(path, (stamp, stamp))

    dry = apply_retention(dry_run=True)
    assert dry.deleted == {"prediction_log": 2, "feedback": 1, "spool": 1, "quarantine": 1}
    assert (spool / "rejected" / "bad.jsonl").exists()  # a dry run deletes nothing
    report = apply_retention()
    assert report.deleted == dry.deleted
    with get_engine().connect() as conn:
        assert conn.execute(select(prediction_log.c.request_id)).scalars().all() == ["r2"]
        assert conn.execute(select(func.count()).select_from(feedback)).scalar() == 1
    assert (spool / "pending.jsonl").exists()  # rows not yet logged are never deleted
    assert not (spool / "rejected" / "bad.jsonl").exists()
    assert store.list("quarantine/") == [f"quarantine/churn/{'b' * 64}.parquet"]
    monkeypatch.setenv("MLAAS_RETENTION_PREDICTION_LOG_DAYS", "0")
    from tests.factories import reset_platform_caches

    reset_platform_caches()
    assert apply_retention(dry_run=True).cuts["prediction_log"] is None  # 0: kept forever


def test_the_audit_trail_exports_as_json_lines_and_csv(mlaas_home: Path, tmp_path: Path) -> None:
    from mlaas import db
    from mlaas.cli import cli

    db.record_audit(
        action="set_alias",
        model="churn",
        version="3",
        alias="champion",
        reason="gate passed",
        actor="ci",
        details={"previous_version": "2"},
    )
    db.record_audit(action="register", model="house_prices", version="1", actor="ci")
    lines = CliRunner().invoke(cli, ["audit", "export", "--since", "2020-01-01"])
    assert lines.exit_code == 0, lines.output
    entries = [json.loads(line) for line in lines.output.splitlines()]
    assert [e["action"] for e in entries] == ["set_alias", "register"]  # oldest first
    assert entries[0]["details"] == {"previous_version": "2"} and entries[0]["actor"] == "ci"
    out = tmp_path / "audit.csv"
    written = CliRunner().invoke(
        cli, ["audit", "export", "--since", "2020-01-01", "--model", "churn", "--format", "csv",
              "--output", str(out)],
    )  # fmt: skip
    assert written.exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["version"] for row in table] == ["3"] and table[0]["reason"] == "gate passed"
    assert CliRunner().invoke(cli, ["audit", "export", "--since", "2999-01-01"]).output == ""
    bad = CliRunner().invoke(cli, ["audit", "export", "--since", "last tuesday"])
    assert bad.exit_code != 0 and "not an ISO date" in str(bad.exception)
