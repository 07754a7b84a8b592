"""The prediction log writer: requests enqueue, one thread inserts in batches, a disk spool
absorbs database outages.

`submit()` only puts the row on a queue, so a slow or dead database never slows a request. The
writer thread collects what arrived within `flush_interval_s` (at most `batch_size` rows;
sooner when that many wait) and inserts them in one transaction. When that fails the batch is
written to a JSONL file in `spool_dir`; while spool files exist, new batches go to the spool
too, so rows reach the table in the order they were served. Every `retry_interval_s` the writer
replays the spool, oldest file first, deleting each file once its rows are in; files left by a
crashed process are replayed on start. A file that keeps failing is tried row by row: rows the
table refuses (a constraint, a value that cannot be bound) go to `spool_dir/rejected/` and are
never retried; any other error (connection, missing table in a restored database) means "not
yet" and the file waits.

Duplicates: the table is unique on (request_id, variant) and inserts use the dialect's
ON CONFLICT DO NOTHING (SQLite, PostgreSQL). A file that failed half-way is simply replayed whole;
rows already in are skipped by the database, so nothing is written twice.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError, StatementError

from mlaas.db import utcnow
from mlaas.serving.predlog.blocks import (
    COLUMNS,
    REQUIRED,
    Item,
    LogBlock,
    count_rows,
    expand_items,
)
from mlaas.serving.predlog.spool import read_line, spool_line, spool_lines
from mlaas.serving.predlog.sql import PostgresCopy, SqliteRows, row_at_fault

log = logging.getLogger("mlaas.serving.predlog")


class PredictionLogWriter:
    """`submit(row)` from request handlers; `close()` at shutdown flushes and replays."""

    def __init__(
        self,
        engine: Engine,
        spool_dir: Path | str,
        *,
        batch_size: int = 50_000,
        flush_interval_s: float = 0.5,
        retry_interval_s: float = 2.0,
        max_backlog_rows: int = 250_000,
    ) -> None:
        self.engine = engine
        self.spool_dir = Path(spool_dir)
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.retry_interval_s = retry_interval_s
        self.max_backlog_rows = max_backlog_rows
        self.queued = 0  # rows submitted
        self.written = 0  # rows inserted straight from the queue
        self.spooled = 0  # rows written to spool files
        self.replayed = 0  # rows inserted from spool files
        self.rejected = 0  # rows the table refused (kept in spool_dir/rejected)
        self._handed_off = 0  # rows that left the queue for the table or the spool
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(f"the prediction log needs SQLite or PostgreSQL, not {engine.url}")
        self._sqlite = SqliteRows(engine) if engine.dialect.name == "sqlite" else None
        self._postgres = PostgresCopy()
        self._queue: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._wake = threading.Event()  # set: collect now (a full batch waits, or close())
        self._uncollected = 0  # rows submitted since the writer last collected
        self._lock = threading.Lock()
        self._sequence = 0
        self._next_retry = 0.0
        self._held: list[Item] = []
        # Why rows are held in memory (the DB and the spool both failed); while set, the service
        # refuses predictions (503) rather than serve answers it cannot log.
        self.cannot_store: str | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="mlaas-predlog", daemon=True)
        self._thread.start()

    @property
    def queue_depth(self) -> int:
        """Rows submitted and not yet in the table or a spool file."""
        return self.queued - self._handed_off

    @property
    def has_room(self) -> bool:
        """False while more than `max_backlog_rows` rows wait for the table: a sustained load
        the database cannot keep up with must slow its callers down (the batch route waits)
        rather than grow this process's memory."""
        return self.queue_depth < self.max_backlog_rows

    def spool_files(self) -> list[Path]:
        return sorted(self.spool_dir.glob("*.jsonl"))

    def submit(self, row: Mapping[str, Any]) -> None:
        """Enqueue one row (request_id, model, version, variant, inputs, outputs, latency_ms)."""
        missing = [key for key in REQUIRED if key not in row]
        unknown = [key for key in row if key not in COLUMNS]
        if missing or unknown:
            raise ValueError(f"prediction log row lacks {missing}, has unknown {unknown}")
        if self._closed:
            raise RuntimeError("prediction log writer is closed")
        item = dict(row)
        if isinstance(item.get("created_at"), str):
            item["created_at"] = datetime.fromisoformat(item["created_at"])
        item.setdefault("created_at", utcnow())
        item.setdefault("inputs", {})
        item.setdefault("latency_ms", 0.0)
        self._enqueue(item, 1)

    def submit_block(self, block: LogBlock) -> None:
        """Enqueue the rows of one request at once (see LogBlock)."""
        if self._closed:
            raise RuntimeError("prediction log writer is closed")
        self._enqueue(block, len(block))

    def _enqueue(self, item: Item, rows: int) -> None:
        """Queue `item` (counted first: the writer may take it at once) and wake the writer
        once a batch's worth waits (rows held back by a failing database do not count: the
        writer retries those on its own clock)."""
        with self._lock:
            self.queued += rows
            self._uncollected += rows
            full = self._uncollected >= self.batch_size
        self._queue.put(item)
        if full:
            self._wake.set()

    def close(self, timeout_s: float = 60.0) -> int:
        """Write everything queued, replay the spool; returns rows still spooled (DB down)."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._wake.set()
            self._thread.join(timeout_s)
        return sum(1 for path in self.spool_files() for _ in spool_lines(path))

    # -- writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = self._collect()
            self._guarded(batch, replay_due=time.monotonic() >= self._next_retry)
        while batch := self._collect(wait=False)[0]:  # rows that raced with close()
            self._guarded(batch, replay_due=False)
        self._guarded([], replay_due=True)
        if self._held:
            log.error(
                "%d prediction log rows could not be stored anywhere", count_rows(self._held)
            )

    def _guarded(self, batch: list[Item], *, replay_due: bool) -> None:
        batch, self._held = self._held + batch, []
        try:
            self._handle(batch, replay_due=replay_due)
        except Exception:  # noqa: BLE001 - the writer thread must outlive any bad batch
            log.exception("prediction log writer failed; holding %d rows", count_rows(batch))
            self._held = batch
            self._next_retry = time.monotonic() + self.retry_interval_s

    def _collect(self, *, wait: bool = True) -> tuple[list[Item], bool]:
        """About batch_size rows (a block is never split): what arrived within
        flush_interval_s, or sooner once batch_size rows wait; True once close() was asked.

        The thread sleeps through the interval and then drains the queue, instead of waking for
        every row: a wake-up per request cost the serving thread a GIL hand-over per request
        (~3,500 a second under load)."""
        if wait:
            self._wake.wait(self.flush_interval_s)
            self._wake.clear()
        with self._lock:
            self._uncollected = 0
        batch: list[Item] = []
        rows = 0
        while rows < self.batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
            if item is None:
                return batch, True
            batch.append(item)
            rows += len(item)
        self._wake.set()  # a full batch: more may be waiting, collect again at once
        return batch, False

    def _handle(self, batch: list[Item], *, replay_due: bool) -> None:
        """Replay the spool when due; then insert the batch, or spool it behind older rows."""
        if replay_due and self.spool_files():
            self._replay()
        if not batch:
            return
        if not self.spool_files() and self._write(batch) is None:
            self.written += count_rows(batch)
            self._handed_off += count_rows(batch)
            self.cannot_store = None
            return
        try:
            self._spool(expand_items(batch))
            self._handed_off += count_rows(batch)
            self.cannot_store = None
        except OSError as error:  # disk full or spool gone: keep the rows in memory, retry
            if self.cannot_store is None:
                log.error(
                    "cannot spool %d prediction log rows; holding them: %s",
                    count_rows(batch),
                    error,
                )
            self.cannot_store = f"the prediction log cannot be written: {error.strerror or error}"
            self._held = batch

    def _write(self, items: Sequence[Item]) -> SQLAlchemyError | None:
        """Insert (duplicates skipped); the error if the database said no."""
        try:
            if self._sqlite is not None:
                try:
                    params = self._sqlite.statements(items)
                except (TypeError, ValueError, KeyError) as bad:  # a value no table could bind
                    raise StatementError(str(bad), self._sqlite.sql, None, bad) from None
                with self.engine.begin() as conn:
                    # Take the write lock first (waiting out other writers with the busy
                    # timeout): a transaction that reads the schema and then writes gets
                    # "database is locked" at once if another connection wrote in between.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                    for sql, values in params:
                        conn.exec_driver_sql(sql, values)
            else:
                with self.engine.begin() as conn:
                    self._postgres.write(conn, items)
        except SQLAlchemyError as error:
            log.warning("prediction log insert of %d rows failed: %s", count_rows(items), error)
            return error
        return None

    def _spool(self, rows: list[dict[str, Any]]) -> None:
        lines = []
        for row in rows:
            try:
                lines.append(spool_line(row))
            except (TypeError, ValueError) as error:  # not JSON: no table could take it either
                log.error("dropping a prediction log row that is not JSON: %s", error)
                self.rejected += 1
        if not lines:
            return
        self._sequence += 1
        name = f"{time.time_ns():020d}-{self._sequence:08d}"
        partial = self.spool_dir / f"{name}.tmp"
        try:
            partial.write_text("".join(lines), encoding="utf-8")
        except OSError:
            partial.unlink(missing_ok=True)  # a half-written file is never left behind
            raise
        partial.rename(self.spool_dir / f"{name}.jsonl")  # readers only ever see whole files
        self.spooled += len(lines)

    def _replay(self) -> None:
        """Insert spool files oldest first; stop at the first failure and retry later."""
        for path in self.spool_files():
            try:
                rows = [read_line(line) for line in spool_lines(path)]
            except ValueError:  # edited or damaged by hand: set it aside, keep the rest moving
                log.error("unreadable spool file %s moved to rejected/", path.name)
                path.rename(self._rejected_dir() / path.name)
                continue
            chunks = range(0, len(rows), self.batch_size)
            if all(self._write(rows[i : i + self.batch_size]) is None for i in chunks):
                path.unlink()
                self.replayed += len(rows)
                continue
            if self._reject_bad_rows(path, rows):
                continue
            self._next_retry = time.monotonic() + self.retry_interval_s
            return

    def _rejected_dir(self) -> Path:
        (self.spool_dir / "rejected").mkdir(exist_ok=True)
        return self.spool_dir / "rejected"

    def _reject_bad_rows(self, path: Path, rows: list[dict[str, Any]]) -> bool:
        """Row by row: set aside what the table refuses. False (file kept) on any other error."""
        bad = []
        for row in rows:
            error = self._write([row])
            if error is None:
                continue
            if not row_at_fault(error):
                return False  # the file stays whole; rows already in are skipped next time
            bad.append(row)
        if bad:
            with (self._rejected_dir() / path.name).open("a", encoding="utf-8") as out:
                out.writelines(spool_line(row) for row in bad)
            log.error("%d prediction log rows refused by the table: %s", len(bad), path.name)
        path.unlink()
        self.replayed += len(rows) - len(bad)
        self.rejected += len(bad)
        return True
