"""Ingest: a source file (plus labelled live traffic) becomes a content-addressed parquet in the
lake and a lineage row saying where each part of it came from.

The content hash depends on the table only (column names, dtypes, values in row order), not on
the file format or parquet layout, so the same data sent twice, as csv or parquet, is stored
once and keeps its lineage row (and its validation status). Each file is checked against the
spec first (`mlaas.spec_check`: every named column present, values of the spec's types, the
suite covering them); the values themselves are the Great Expectations suite's job
(mlaas.validation).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mlaas.data.generate import resolve_source
from mlaas.db import datasets, get_engine, new_id, utcnow
from mlaas.live_labels import LiveRows, live_rows
from mlaas.refs import DataPart, DatasetRef, FileKind
from mlaas.settings import get_settings
from mlaas.spec_check import SpecDataMismatch, problems_with
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
    parts = [part.to_xcom() for part in ref.parts]
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
                    parts=parts,
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
    # Every column the spec names, with values of its type, before anything is stored.
    problems = problems_with(spec, frame, source=resolved)
    if problems:
        raise SpecDataMismatch(problems)
    return resolved, normalize_frame(frame, timestamp=spec.event_timestamp, source=resolved)


@dataclass(frozen=True)
class Assembled:
    """What a run trains on: its files (the spec's source and the model's inbox files, or one
    file given for the run) followed by the labelled live rows when the spec uses them and there
    are enough."""

    source: str  # the first file, resolved
    frame: pd.DataFrame
    parts: list[DataPart]
    live: LiveRows | None  # None: live labels are off for this spec

    @property
    def files(self) -> list[DataPart]:
        return [part for part in self.parts if part.kind != "live"]


def _run_files(spec: ModelSpec, source: str | None) -> list[tuple[FileKind, str]]:
    """The files a run reads: the spec's source and every file claimed from its inbox (oldest
    claim first) — or just `source` when the run was given a file that is neither."""
    from mlaas.inbox import claimed_files

    inbox = claimed_files(spec)
    given = None if source is None else resolve_source(spec, source)
    if given is not None and given != resolve_source(spec) and given not in inbox:
        return [("file", given)]
    return [("source", resolve_source(spec)), *(("inbox", uri) for uri in inbox)]


def _read_files(
    spec: ModelSpec, files: list[tuple[FileKind, str]]
) -> tuple[pd.DataFrame, list[DataPart]]:
    """The files' rows in order; a row a later file repeats (same entity key and event time)
    is replaced by it and counted as `left_out` of the earlier file's part."""
    frames, parts = [], []
    for kind, uri in files:
        if kind == "inbox" and not uri.startswith("s3://") and not Path(uri).is_file():
            log.warning("ingest %s: inbox file %s is gone; not used", spec.name, uri)
            continue
        resolved, frame = read_dataset(spec, uri)
        frames.append(frame)
        parts.append(
            DataPart(kind=kind, rows=len(frame), uri=resolved, content_hash=content_hash(frame))
        )
    if len(frames) == 1:
        return frames[0], parts
    origin = np.repeat(np.arange(len(frames)), [len(frame) for frame in frames])
    combined = pd.concat(frames, ignore_index=True)
    replaced = combined.duplicated([spec.entity_key, spec.event_timestamp], keep="last")
    dropped = np.bincount(origin[replaced.to_numpy()], minlength=len(parts))
    parts = [
        part.model_copy(update={"rows": part.rows - int(n), "left_out": int(n)})
        for part, n in zip(parts, dropped, strict=True)
    ]
    return combined[~replaced].reset_index(drop=True), parts


def assemble(
    spec: ModelSpec, source: str | None = None, *, now: datetime | None = None
) -> Assembled:
    """Read the run's files and add labelled live traffic (mlaas.live_labels); nothing stored.
    Each file is checked against the spec and its suite first (`mlaas.spec_check`)."""
    files = _run_files(spec, source)
    frame, parts = _read_files(spec, files)
    resolved = parts[0].uri or files[0][1]
    if not spec.retrain.live_labels.use:
        return Assembled(resolved, frame, parts, None)
    live = _not_in(live_rows(spec, frame, now=now), frame, spec)
    if len(live.frame) < spec.retrain.live_labels.min_rows:
        log.info(
            "ingest %s: %d labelled live rows, fewer than retrain.live_labels.min_rows (%d): "
            "none added",
            spec.name,
            len(live.frame),
            spec.retrain.live_labels.min_rows,
        )
        return Assembled(resolved, frame, parts, live)
    combined = pd.concat([frame, live.frame], ignore_index=True)
    return Assembled(resolved, combined, [*parts, live.part()], live)


def _not_in(live: LiveRows, frame: pd.DataFrame, spec: ModelSpec) -> LiveRows:
    """The live rows the files do not already hold (a run given an earlier assembled dataset,
    `dataset_version`, has them: adding them twice would repeat a key and event time)."""
    columns = [spec.entity_key, spec.event_timestamp]
    held = pd.MultiIndex.from_frame(frame[columns])
    new = ~pd.MultiIndex.from_frame(live.frame[columns]).isin(held)
    if new.all():
        return live
    return replace(
        live,
        frame=live.frame[new].reset_index(drop=True),
        labelled_at=live.labelled_at[new].reset_index(drop=True),
    )


def ingest(
    spec: ModelSpec, *, source: str | None = None, now: datetime | None = None
) -> DatasetRef:
    """Assemble the dataset, store it under its content hash, record lineage; idempotent."""
    assembled = assemble(spec, source, now=now)
    frame = assembled.frame
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
        source=assembled.source,
        rows=len(frame),
        parts=assembled.parts,
    )
    status = _upsert_lineage(spec, ref, frame)
    log.info("ingest %s: dataset %s status %s", spec.name, digest[:12], status)
    return ref


def dataset_parts(model: str, content_hash: str) -> list[DataPart] | None:
    """The recorded parts of an ingested dataset (None: unknown dataset, or ingested before
    parts were recorded)."""
    where = (datasets.c.model == model) & (datasets.c.content_hash == content_hash)
    with get_engine().connect() as conn:
        parts = conn.execute(select(datasets.c.parts).where(where)).scalar_one_or_none()
    return None if parts is None else [DataPart.model_validate(part) for part in parts]


def nothing_new_since(
    spec: ModelSpec, version: str, data_hash: str, *, now: datetime | None = None
) -> str | None:
    """Why a run now would learn nothing version `version` (trained on dataset `data_hash`)
    has not seen, or None when it would: its files (source, inbox) are unchanged and fewer
    than `retrain.live_labels.min_rows` labels arrived since."""
    assembled = assemble(spec, now=now)
    trained_on = dataset_parts(spec.name, data_hash)
    hashes = [str(part.content_hash) for part in assembled.files]
    if trained_on is None:  # a version from before parts were recorded: one file, its hash
        hashes_then = [data_hash]
    else:
        hashes_then = [str(part.content_hash) for part in trained_on if part.kind != "live"]
    if hashes != hashes_then:
        return None
    policy = spec.retrain.live_labels
    files = f"source hash {hashes[0][:12]}"
    if len(hashes) > 1:
        files += f" and {len(hashes) - 1} inbox file(s)"
    said = f"no new data since v{version}: {files} unchanged"
    if assembled.live is None:
        return f"{said}, live labels not used (retrain.live_labels.use is false)"
    live_then = next((part for part in trained_on or [] if part.kind == "live"), None)
    new = assembled.live.labelled_after(live_then.labels_until if live_then else None)
    if new >= policy.min_rows:
        return None
    return (
        f"{said}, {new} new label(s) (a retrain needs {policy.min_rows}: "
        "retrain.live_labels.min_rows)"
    )
