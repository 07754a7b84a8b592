"""Logged predictions, one row per record, whichever table holds them.

Single records and small requests are rows of `prediction_log`; large batch requests are one
row of `prediction_log_blocks` each (see mlaas.db). Everything that reads the log (drift windows,
performance, feedback) goes through here and sees the same thing: one `LoggedRow` per record,
record i of a block under `<request id>:<i>`.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from mlaas.db import prediction_log_blocks
from mlaas.monitoring.context import Window


class LoggedRow(NamedTuple):
    request_id: str
    created_at: datetime
    model: str
    version: str
    variant: str
    inputs: Any
    outputs: Any


def split_id(request_id: str) -> tuple[str, int] | None:
    """(block request id, record index) of a `<request id>:<i>` id, else None."""
    head, colon, tail = request_id.rpartition(":")
    if not colon or not tail.isdigit():
        return None
    return head, int(tail)


def _record_id(block: Any, index: int) -> str:
    return f"{block.request_id}:{index}" if block.records > 1 else block.request_id


def block_inputs(stored: Any) -> Sequence[Any]:
    """A block's records as dicts. Blocks store them as columns (a JSON object of equal-length
    arrays, mlaas.serving.predlog.blocks.columns_of); blocks written before that, and blocks of
    records with differing fields, as an array of objects."""
    if isinstance(stored, dict):
        names = list(stored)
        rows = zip(*stored.values(), strict=True)  # equal lengths, by construction
        return [dict(zip(names, values, strict=True)) for values in rows]
    records: Sequence[Any] = stored
    return records


def _record(block: Any, index: int, inputs: Sequence[Any] | None = None) -> LoggedRow:
    """Record `index` of a block row, as a row of its own (`inputs`: the block's records, when
    the caller has them already)."""
    return LoggedRow(
        _record_id(block, index),
        block.created_at,
        block.model,
        str(block.version),
        block.variant,
        (block_inputs(block.inputs) if inputs is None else inputs)[index],
        block.outputs[index],
    )


def _expand(block: Any) -> Iterator[LoggedRow]:
    inputs = block_inputs(block.inputs)
    return (_record(block, index, inputs) for index in range(block.records))


def block_rows(
    conn: Connection,
    model: str,
    window: Window,
    *,
    variants: Sequence[str] | None = None,
    newest: int | None = None,
    only: Container[str] | None = None,
) -> list[LoggedRow]:
    """The records of the model's blocks in the window, oldest first (only the newest `newest`
    records when given; only records whose id is in `only` when given, blocks streamed so the
    others are never built)."""
    log = prediction_log_blocks.c
    query = select(prediction_log_blocks).where(
        log.model == model, log.created_at >= window.start, log.created_at < window.end
    )
    if variants is not None:
        query = query.where(log.variant.in_(list(variants)))
    rows: list[LoggedRow] = []
    if only is not None:
        streamed = conn.execution_options(yield_per=64).execute(query.order_by(log.created_at))
        for block in streamed:
            chosen = [i for i in range(block.records) if _record_id(block, i) in only]
            if chosen:
                inputs = block_inputs(block.inputs)
                rows.extend(_record(block, index, inputs) for index in chosen)
        return rows
    if newest is None:
        for block in conn.execute(query.order_by(log.created_at, log.id)):
            rows.extend(_expand(block))
        return rows
    blocks = []
    for block in conn.execute(query.order_by(log.created_at.desc(), log.id.desc())):
        blocks.append(block)
        newest -= block.records
        if newest <= 0:
            break
    for block in reversed(blocks):
        rows.extend(_expand(block))
    return rows


def blocks_for(conn: Connection, request_ids: Iterable[str]) -> dict[str, list[LoggedRow]]:
    """For ids of records logged in blocks: every logged row of that record (one per variant)."""
    wanted: dict[str, set[int]] = {}
    for request_id in request_ids:
        parts = split_id(request_id)
        if parts is not None:
            wanted.setdefault(parts[0], set()).add(parts[1])
    found: dict[str, list[LoggedRow]] = {}
    heads = list(wanted)
    log = prediction_log_blocks.c
    for start in range(0, len(heads), 500):
        chunk = heads[start : start + 500]
        for block in conn.execute(select(prediction_log_blocks).where(log.request_id.in_(chunk))):
            inputs = block_inputs(block.inputs)
            for index in wanted[block.request_id]:
                if index < block.records:
                    row = _record(block, index, inputs)
                    found.setdefault(row.request_id, []).append(row)
    return found


def block_counts(conn: Connection, model: str, window: Window) -> dict[str, int]:
    """Records logged in blocks in the window, per variant."""
    log = prediction_log_blocks.c
    query = (
        select(log.variant, func.sum(log.records))
        .where(log.model == model, log.created_at >= window.start, log.created_at < window.end)
        .group_by(log.variant)
    )
    return {variant: int(count) for variant, count in conn.execute(query)}
