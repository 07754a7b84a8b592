"""Which rows a retraining mode learns from, as a training frame of its own.

`window` keeps the last N days of the new dataset, `replay_mix` adds a seeded sample of the rows
of earlier datasets, and the champion-based modes keep the rows newer than anything the champion
was trained on (so a recalibration or a stack never learns on the champion's own training rows).
A selection is stored next to the canonical training frames under its own content hash, so
tuning studies, training runs and `mlaas reproduce` key on exactly the rows that were used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from mlaas.refs import FrameRef
from mlaas.specs import ModelSpec

if TYPE_CHECKING:
    from datetime import datetime

log = logging.getLogger("mlaas.training")

MIN_ROWS = 20  # fewer rows than this cannot be split, cross-validated and gated meaningfully


class RetrainError(ValueError):
    """A retraining request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Selection:
    """Rows picked for one mode, and what to record about the choice in lineage."""

    frame: pd.DataFrame
    details: dict[str, str] = field(default_factory=dict)


def _keys(spec: ModelSpec) -> list[str]:
    return [spec.event_timestamp, spec.entity_key]


def _times(spec: ModelSpec, frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame[spec.event_timestamp], utc=True)


def _canonical(spec: ModelSpec, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(_keys(spec), kind="mergesort").reset_index(drop=True)


def _enough(spec: ModelSpec, selection: Selection, what: str) -> Selection:
    rows = len(selection.frame)
    if rows < MIN_ROWS:
        raise RetrainError(f"{spec.name}: {what} has {rows} row(s); at least {MIN_ROWS} needed")
    return selection


def window_rows(spec: ModelSpec, frame: pd.DataFrame, days: int) -> Selection:
    """Rows in (latest timestamp - `days`, latest timestamp]."""
    times = _times(spec, frame)
    end = times.max()
    start = end - pd.Timedelta(days=days)
    chosen = frame[(times > start).to_numpy()]
    details = {
        "window_days": str(days),
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "rows": str(len(chosen)),
        "rows_dropped": str(len(frame) - len(chosen)),
    }
    return _enough(spec, Selection(_canonical(spec, chosen), details), f"the last {days} days")


def replay_rows(
    spec: ModelSpec,
    new: pd.DataFrame,
    earlier: dict[str, pd.DataFrame],
    *,
    fraction: float,
    seed: int,
) -> Selection:
    """All new rows plus round(`fraction` * old) rows drawn (seeded) from the earlier datasets.

    `earlier` maps dataset hash -> training frame. Old rows that repeat an (entity, timestamp)
    of the new data, or of another earlier dataset, count once: snapshots that overlap are not
    replayed twice.
    """
    keys = _keys(spec)
    frames = [f for f in earlier.values() if len(f)]
    pool = pd.concat(frames, ignore_index=True) if frames else new.iloc[:0]
    pool = _canonical(spec, pool.drop_duplicates(keys))
    seen = pd.MultiIndex.from_frame(new[keys].assign(**{spec.event_timestamp: _times(spec, new)}))
    pool_index = pd.MultiIndex.from_frame(
        pool[keys].assign(**{spec.event_timestamp: _times(spec, pool)})
    )
    pool = pool[~pool_index.isin(seen)].reset_index(drop=True)
    count = round(fraction * len(pool))
    replayed = pool.sample(n=count, random_state=seed) if count else pool.iloc[:0]
    combined = pd.concat([new, replayed], ignore_index=True)
    details = {
        "replay_fraction": str(fraction),
        "rows_new": str(len(new)),
        "rows_old": str(len(pool)),
        "rows_replayed": str(count),
        "replay_datasets": ",".join(sorted(earlier)) or "none",
    }
    return _enough(spec, Selection(_canonical(spec, combined), details), "new + replayed data")


def rows_after(spec: ModelSpec, frame: pd.DataFrame, cutoff: datetime, version: str) -> Selection:
    """Rows strictly after `cutoff` (the end of champion `version`'s training data)."""
    chosen = frame[(_times(spec, frame) > pd.Timestamp(cutoff)).to_numpy()]
    details = {
        "after": pd.Timestamp(cutoff).isoformat(),
        "rows": str(len(chosen)),
        "rows_dropped": str(len(frame) - len(chosen)),
    }
    what = f"the data newer than champion v{version}'s training data ({details['after']})"
    return _enough(spec, Selection(_canonical(spec, chosen), details), what)


def store_selection(spec: ModelSpec, frame: FrameRef, selection: Selection, mode: str) -> FrameRef:
    """The selection as a stored training frame; the source frame itself when nothing was left
    out (so a window covering all the data tunes and trains exactly like `full`)."""
    from mlaas.ingest import content_hash
    from mlaas.storage import get_store, write_parquet

    if len(selection.frame) == frame.rows:
        return frame
    digest = content_hash(selection.frame)
    key = f"training/{spec.name}/{mode}/{digest}.parquet"
    store = get_store()
    if not store.exists(key):
        write_parquet(store, key, selection.frame)
    return FrameRef(
        model=spec.name,
        content_hash=digest,
        key=key,
        rows=len(selection.frame),
        materialized_entities=int(selection.frame[spec.entity_key].nunique()),
    )


def earlier_frames(spec: ModelSpec, content_hash: str) -> dict[str, pd.DataFrame]:
    """Training frames of the validated datasets of this model ingested before `content_hash`.

    Read from the lake by their recorded URI. The features come from the dataset itself (the
    feature view's source), so projecting a dataset onto the spec's columns gives the rows its
    point-in-time join gave when it was current. Datasets lacking a column the spec now needs
    are skipped (and logged).
    """
    from sqlalchemy import select

    from mlaas.db import datasets, get_engine
    from mlaas.features import normalise_dtypes, training_columns
    from mlaas.ingest import read_source

    table = datasets.c
    with get_engine().connect() as conn:
        current = conn.execute(
            select(table.ingested_at).where(
                (table.model == spec.name) & (table.content_hash == content_hash)
            )
        ).scalar_one_or_none()
        if current is None:
            raise RetrainError(f"{spec.name}: dataset {content_hash[:12]} was never ingested")
        rows = conn.execute(
            select(table.content_hash, table.uri)
            .where(
                (table.model == spec.name)
                & (table.status == "validated")
                & (table.content_hash != content_hash)
                & (table.ingested_at < current)
            )
            .order_by(table.ingested_at)
        ).all()
    columns = training_columns(spec)
    found: dict[str, pd.DataFrame] = {}
    for digest, uri in rows:
        data = read_source(uri)
        missing = [c for c in columns if c not in data.columns]
        if missing:
            log.warning("%s: not replaying dataset %s: lacks %s", spec.name, digest[:12], missing)
            continue
        found[digest] = normalise_dtypes(data[columns], spec, like=data)
    return found
