"""`mlaas audit export`: the audit trail since a date, oldest first, as JSON lines or CSV (for a
compliance archive or a spreadsheet). Every entry is exported: who, when, what, on which model,
version and alias, why, and the details as JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from mlaas.db import as_utc, audit_log, get_engine
from mlaas.errors import FieldError

COLUMNS = ["at", "actor", "action", "model", "version", "alias", "reason", "details"]


def parse_since(text: str) -> datetime:
    """An ISO date or time; naive means UTC. FieldError naming the bad value."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError("since", f"{text!r} is not an ISO date or time (2026-01-31)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def audit_since(since: datetime, *, model: str | None = None) -> list[dict[str, Any]]:
    query = select(audit_log).where(audit_log.c.at >= since).order_by(audit_log.c.at)
    if model is not None:
        query = query.where(audit_log.c.model == model)
    with get_engine().connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    return [
        {name: row[name] for name in COLUMNS} | {"at": as_utc(row["at"]).isoformat()}
        for row in rows
    ]


def export_audit(since: datetime, *, model: str | None = None, fmt: str = "jsonl") -> str:
    rows = audit_since(since, model=model)
    if fmt == "jsonl":
        return "".join(json.dumps(row, sort_keys=True, default=str) + "\n" for row in rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "details": json.dumps(row["details"], sort_keys=True)})
    return out.getvalue()
