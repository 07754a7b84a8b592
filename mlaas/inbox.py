"""A model's inbox: new data files dropped in a folder or an S3 prefix start its pipeline.

The inbox DAG (dags/mlaas_monitoring.py) pokes `claim_new_files` on a schedule; every file it
returns starts one pipeline run with the file as `dataset_path`. A file is claimed once per
content version (path + size + modification time / ETag), through a unique row in the platform
DB, so two pokes racing each other (or a re-run) never start two runs for the same file, while a
file that is overwritten with new content is picked up again. Local files younger than
`SETTLE_SECONDS` are left for the next poke: they may still be being written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import Column, DateTime, String, Table, Text, UniqueConstraint, select

from mlaas.db import get_engine, insert_ignoring_conflicts, metadata, new_id, utcnow
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec

DATA_SUFFIXES = (".csv", ".parquet")
SETTLE_SECONDS = 5.0

inbox_files = Table(
    "inbox_files",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("model", String(64), nullable=False),
    Column("uri", Text, nullable=False),
    Column("fingerprint", String(128), nullable=False),  # size + mtime, or the S3 ETag
    Column("claimed_at", DateTime(timezone=True), nullable=False, default=utcnow),
    UniqueConstraint("model", "uri", "fingerprint", name="uq_inbox_files_version"),
)


@dataclass(frozen=True)
class InboxFile:
    uri: str  # what the pipeline's `dataset_path` takes: a local path or s3://bucket/key
    fingerprint: str


def inbox_location(spec: ModelSpec) -> str | None:
    """The spec's inbox as an absolute folder or an s3:// prefix (None: no inbox)."""
    inbox = spec.retrain.inbox
    if not inbox:
        return None
    if inbox.startswith("s3://"):
        return inbox.rstrip("/") + "/"
    path = Path(inbox)
    return str(path if path.is_absolute() else get_settings().project_dir / path)


def list_inbox(location: str, *, now: float | None = None) -> list[InboxFile]:
    """Data files in the inbox that are complete, oldest name first."""
    if location.startswith("s3://"):
        return _list_s3(location)
    folder = Path(location)
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in DATA_SUFFIXES or not path.is_file():
            continue
        stat = path.stat()
        if now - stat.st_mtime < SETTLE_SECONDS:
            continue
        found.append(InboxFile(str(path), f"{stat.st_size}-{stat.st_mtime_ns}"))
    return found


def _list_s3(location: str) -> list[InboxFile]:
    from mlaas.storage import minio_client

    parsed = urlparse(location)
    client = minio_client(get_settings())
    objects = client.list_objects(parsed.netloc, prefix=parsed.path.lstrip("/"), recursive=True)
    return sorted(
        (
            InboxFile(f"s3://{parsed.netloc}/{o.object_name}", str(o.etag).strip('"'))
            for o in objects
            if str(o.object_name).lower().endswith(DATA_SUFFIXES)
        ),
        key=lambda f: f.uri,
    )


def claim_new_files(spec: ModelSpec, *, now: float | None = None) -> list[str]:
    """URIs of inbox files never claimed before; each is claimed by exactly one caller."""
    location = inbox_location(spec)
    if location is None:
        return []
    files = list_inbox(location, now=now)
    if not files:
        return []
    engine = get_engine()
    table = inbox_files.c
    with engine.connect() as conn:
        known = {
            (row.uri, row.fingerprint)
            for row in conn.execute(
                select(table.uri, table.fingerprint).where(table.model == spec.name)
            )
        }
    claimed = []
    for file in files:
        if (file.uri, file.fingerprint) in known:
            continue
        if _claim(spec.name, file):
            claimed.append(file.uri)
    return claimed


def _claim(model: str, file: InboxFile) -> bool:
    """Insert the claim row; False when another caller got there first."""
    engine = get_engine()
    insert = insert_ignoring_conflicts(engine, inbox_files, ["model", "uri", "fingerprint"])
    row = {"id": new_id(), "model": model, "uri": file.uri, "fingerprint": file.fingerprint}
    with engine.begin() as conn:
        return conn.execute(insert.values(**row)).rowcount == 1


def claimed_files(spec: ModelSpec) -> list[str]:
    """Every file ever claimed from the model's inbox, oldest first claim first (a file claimed
    again after it changed keeps its place): the inbox part of what a run trains on."""
    from sqlalchemy import func

    table = inbox_files.c
    query = (
        select(table.uri, func.min(table.claimed_at).label("first"))
        .where(table.model == spec.name)
        .group_by(table.uri)
        .order_by("first", table.uri)
    )
    with get_engine().connect() as conn:
        return [str(row.uri) for row in conn.execute(query)]
