"""Retention: records older than the settings allow are deleted, once a day and on demand.

Days per kind (0 keeps forever): the prediction log (rows and blocks, 90), feedback (365), the
spool's rejected files (7; files waiting to be replayed are never deleted: they hold rows not
logged yet) and quarantined batches' copies (30; the lake object and its lineage row stay).
Settings `MLAAS_RETENTION_*`; the table is in docs/governance.md. Applied by the
`mlaas_retention` DAG (daily) and `mlaas retention apply` (`--dry-run` counts only); each
application is audited with what it deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from mlaas import db
from mlaas.db import datasets, get_engine, prediction_log, prediction_log_blocks, utcnow
from mlaas.settings import Settings, get_settings

log = logging.getLogger("mlaas.retention")


@dataclass
class RetentionReport:
    dry_run: bool
    cuts: dict[str, str | None] = field(default_factory=dict)  # kind -> ISO cut (None: kept)
    deleted: dict[str, int] = field(default_factory=dict)  # kind -> records, files or objects

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        out = []
        for kind, cut in self.cuts.items():
            if cut is None:
                out.append(f"{kind}: kept forever (retention 0)")
            else:
                out.append(f"{kind}: {verb} {self.deleted.get(kind, 0)} older than {cut}")
        return out


def _cut(now: datetime, days: int) -> datetime | None:
    return None if days == 0 else now - timedelta(days=days)


def _prediction_log(cut: datetime, dry_run: bool) -> int:
    counted = 0
    with get_engine().begin() as conn:
        for table in (prediction_log, prediction_log_blocks):
            old = table.c.created_at < cut
            records = func.count() if table is prediction_log else func.sum(table.c.records)
            counted += int(conn.execute(select(records).where(old)).scalar() or 0)
            if not dry_run:
                conn.execute(delete(table).where(old))
    return counted


def _feedback(cut: datetime, dry_run: bool) -> int:
    from mlaas.monitoring.tables import feedback

    with get_engine().begin() as conn:
        old = feedback.c.received_at < cut
        count = int(conn.execute(select(func.count()).where(old)).scalar() or 0)
        if not dry_run:
            conn.execute(delete(feedback).where(old))
    return count


def _spool(settings: Settings, cut: datetime, dry_run: bool) -> int:
    rejected = Path(settings.home) / "spool"
    count = 0
    for path in rejected.glob("**/rejected/*"):
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, cut.tzinfo) < cut:
            count += 1
            if not dry_run:
                path.unlink(missing_ok=True)
    return count


def _quarantine(cut: datetime, dry_run: bool) -> int:
    from mlaas.storage import get_store

    store = get_store()
    query = select(datasets.c.model, datasets.c.content_hash).where(
        datasets.c.status == "quarantined", datasets.c.ingested_at < cut
    )
    with get_engine().connect() as conn:
        rows = list(conn.execute(query))
    count = 0
    for model, content_hash in rows:
        key = f"quarantine/{model}/{content_hash}.parquet"
        if store.exists(key):
            count += 1
            if not dry_run:
                store.delete(key)
    return count


def apply_retention(
    *, now: datetime | None = None, dry_run: bool = False, actor: str | None = None
) -> RetentionReport:
    """Delete (or, dry, count) what is older than each kind's retention; audited."""
    settings = get_settings()
    now = now or utcnow()
    report = RetentionReport(dry_run=dry_run)
    kinds = {
        "prediction_log": settings.retention_prediction_log_days,
        "feedback": settings.retention_feedback_days,
        "spool": settings.retention_spool_days,
        "quarantine": settings.retention_quarantine_days,
    }
    for kind, days in kinds.items():
        cut = _cut(now, days)
        report.cuts[kind] = None if cut is None else cut.isoformat()
        if cut is None:
            continue
        if kind == "prediction_log":
            report.deleted[kind] = _prediction_log(cut, dry_run)
        elif kind == "feedback":
            report.deleted[kind] = _feedback(cut, dry_run)
        elif kind == "spool":
            report.deleted[kind] = _spool(settings, cut, dry_run)
        else:
            report.deleted[kind] = _quarantine(cut, dry_run)
    if not dry_run:
        db.record_audit(
            action="retention",
            reason="; ".join(report.lines()),
            actor=actor,
            details={"cuts": report.cuts, "deleted": report.deleted},
        )
    for line in report.lines():
        log.info("retention: %s", line)
    return report
