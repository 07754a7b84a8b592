"""Ingest: a source file becomes a content-addressed parquet in the lake plus a lineage row.

The content hash depends on the table only (column names, dtypes, values in row order), not on
the file format or parquet layout, so the same data sent twice, as csv or parquet, is stored
once and keeps its lineage row (and its validation status). Feature schema is not checked here:
that is the Great Expectations suite's job (mlaas.validation).
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mlaas.data.generate import resolve_source
from mlaas.db import datasets, get_engine, new_id, utcnow
from mlaas.refs import DatasetRef
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec
from mlaas.storage import get_store, write_parquet

log = logging.getLogger("mlaas.ingest")

FORMATS = (".csv", ".parquet")


class IngestError(ValueError):
    """A source that cannot be ingested; the message names the source and the problem."""


def read_s3_bytes(uri: str) -> bytes:
    """The bytes of s3://bucket/key through the S3 API configured in the settings."""
    from mlaas.storage import ObjectNotFound, minio_client, read_s3_object

    parsed = urlparse(uri)
    try:
        client = minio_client(get_settings())
        return read_s3_object(client, parsed.netloc, parsed.path.lstrip("/"))
    except ObjectNotFound:
        raise IngestError(f"{uri}: file not found") from None
    except ValueError as error:  # no endpoint configured
        raise IngestError(f"{uri}: {error}") from None


def read_source(source: str) -> pd.DataFrame:
    """Read a csv or parquet file from a local path or s3:// URI."""
    suffix = Path(urlparse(source).path if source.startswith("s3://") else source).suffix
    if suffix not in FORMATS:
        raise IngestError(
            f"{source}: unsupported format {suffix or '(none)'!r}; use .csv or .parquet"
        )
    if source.startswith("s3://"):
        data = read_s3_bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise IngestError(f"{source}: file not found")
        data = path.read_bytes()
    try:
        if suffix == ".csv":
            return pd.read_csv(io.BytesIO(data), float_precision="round_trip")
        return pd.read_parquet(io.BytesIO(data))
    except pd.errors.EmptyDataError:
        raise IngestError(f"{source}: empty table (no columns)") from None
    except Exception as error:  # a corrupt file: name it rather than leak a parser trace
        raise IngestError(f"{source}: cannot read as {suffix[1:]}: {error}") from None


def normalize_frame(frame: pd.DataFrame, *, timestamp: str, source: str) -> pd.DataFrame:
    """Parse the timestamp to UTC and store categories/strings as plain str (object) columns."""
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype | pd.StringDtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    try:
        parsed = pd.to_datetime(frame[timestamp], utc=True, format="ISO8601")
    except (ValueError, TypeError):
        try:
            parsed = pd.to_datetime(frame[timestamp], utc=True, format="mixed")
        except (ValueError, TypeError, OverflowError) as error:
            raise IngestError(
                f"{source}: column {timestamp!r} has unparseable timestamps: {error}"
            ) from None
    frame[timestamp] = parsed.astype("datetime64[ns, UTC]")
    return frame


def content_hash(frame: pd.DataFrame) -> str:
    """sha256 over column names, dtypes and row-ordered values (format- and layout-free)."""
    digest = hashlib.sha256()
    for column in frame.columns:
        series = frame[column]
        digest.update(f"{column}\x1f{series.dtype}\x1e".encode())
        try:
            values = pd.util.hash_pandas_object(series, index=False)
        except TypeError:  # unhashable cells (lists, dicts): hash their text form
            values = pd.util.hash_pandas_object(series.astype(str), index=False)
        digest.update(values.to_numpy().tobytes())
    return digest.hexdigest()


def _upsert_lineage(spec: ModelSpec, ref: DatasetRef, frame: pd.DataFrame) -> str:
    """Insert the lineage row unless (model, hash) exists; returns the row's status."""
    where = (datasets.c.model == spec.name) & (datasets.c.content_hash == ref.content_hash)
    engine = get_engine()
    with engine.connect() as conn:
        status = conn.execute(select(datasets.c.status).where(where)).scalar_one_or_none()
    if status is not None:
        return str(status)
    columns = {str(name): str(dtype) for name, dtype in frame.dtypes.items()}
    try:
        with engine.begin() as conn:
            conn.execute(
                datasets.insert().values(
                    id=new_id(),
                    model=spec.name,
                    content_hash=ref.content_hash,
                    uri=ref.uri,
                    source=ref.source,
                    rows=ref.rows,
                    columns=columns,
                    status="ingested",
                    ingested_at=utcnow(),
                )
            )
    except IntegrityError:  # a concurrent ingest of the same content won the race
        pass
    return "ingested"


def read_dataset(spec: ModelSpec, source: str | None = None) -> tuple[str, pd.DataFrame]:
    """(resolved source, its normalised frame): what `ingest` stores and hashes."""
    resolved = resolve_source(spec, source)
    log.info("ingest %s: reading %s", spec.name, resolved)
    frame = read_source(resolved)
    if frame.empty or len(frame.columns) == 0:
        raise IngestError(f"{resolved}: empty table ({len(frame)} rows)")
    missing = [c for c in (spec.entity_key, spec.event_timestamp) if c not in frame.columns]
    if missing:
        raise IngestError(
            f"{resolved}: missing column(s) {missing} (entity key / event timestamp); "
            f"found {list(frame.columns)}"
        )
    return resolved, normalize_frame(frame, timestamp=spec.event_timestamp, source=resolved)


def source_hash(spec: ModelSpec, source: str | None = None) -> str:
    """The content hash `ingest` would give the source now (nothing is stored)."""
    return content_hash(read_dataset(spec, source)[1])


def ingest(spec: ModelSpec, *, source: str | None = None) -> DatasetRef:
    """Read the source, store it under its content hash, record lineage; idempotent."""
    resolved, frame = read_dataset(spec, source)
    digest = content_hash(frame)
    key = f"datasets/{spec.name}/{digest}.parquet"
    store = get_store()
    if store.exists(key):
        log.info("ingest %s: %s already in the lake", spec.name, digest[:12])
    else:
        write_parquet(store, key, frame)
        log.info("ingest %s: wrote %d rows to %s", spec.name, len(frame), key)
    ref = DatasetRef(
        model=spec.name,
        content_hash=digest,
        key=key,
        uri=store.uri(key),
        source=resolved,
        rows=len(frame),
    )
    status = _upsert_lineage(spec, ref, frame)
    log.info("ingest %s: dataset %s status %s", spec.name, digest[:12], status)
    return ref
