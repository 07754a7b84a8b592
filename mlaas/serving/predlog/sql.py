"""The SQL side of the prediction log: inserts that skip rows already stored.

The values go to the driver ready-made (JSON encoded once by msgspec): SQLAlchemy's per-row
processing cost 12-20 µs a row, held the GIL for tens of milliseconds per flush and showed in
the service's p99. SQLite takes multi-row VALUES statements (`SqliteRows`); PostgreSQL takes
`COPY` (`PostgresCopy`; rows already stored go through a staging table instead). `row_at_fault`
tells a row the table refuses from a database that is not there.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from mlaas.db import insert_ignoring_conflicts, json_text, prediction_log, prediction_log_blocks
from mlaas.serving.predlog.blocks import Item, LogBlock, split_items


def insert_ignoring_duplicates(engine: Engine) -> Any:
    """INSERT into prediction_log that skips rows already there (same request id + variant)."""
    return insert_ignoring_conflicts(engine, prediction_log, ["request_id", "variant"])


class LogRows:
    """The values of `prediction_log` rows and `prediction_log_blocks` rows, ready for a
    driver: JSON encoded by msgspec, timestamps by `stamp`."""

    COLUMNS = ("request_id", "created_at", "model", "version", "variant", "inputs", "outputs")
    ROW_COLUMNS = (*COLUMNS, "latency_ms")
    BLOCK_COLUMNS = (*COLUMNS[:5], "records", *COLUMNS[5:], "latency_ms")

    def __init__(self, stamp: Callable[[datetime], Any] | None = None) -> None:
        self._stamp = stamp

    def stamp(self, value: datetime) -> Any:
        return self._stamp(value) if self._stamp else value

    def block_params(self, block: LogBlock) -> tuple[Any, ...]:
        return (
            block.request_id,
            self.stamp(block.created_at),
            block.model,
            block.version,
            block.variant,
            len(block),
            block.inputs_text(),
            block.outputs_json(),
            float(block.latency_ms),
        )

    def row_params(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            row["request_id"],
            self.stamp(row["created_at"]),
            row["model"],
            row["version"],
            row["variant"],
            json_text(row["inputs"]),
            json_text(row["outputs"]),
            float(row["latency_ms"]),
        )


class SqliteRows(LogRows):
    """Driver-level inserts for SQLite: multi-row VALUES statements of ready values (the
    timestamp bound once per block), per-record rows into `prediction_log` and one row per
    large block into `prediction_log_blocks`.

    Never executemany: Python's sqlite3 driver drops the GIL around every row it steps, and
    while the event loop is busy each take-back waits for the GIL switch interval; per-row
    executemany left the writer thousands of rows a second behind a loaded service."""

    ROWS_PER_STATEMENT = 250  # x 8 values: far below SQLite's 32,766 bound variables
    BLOCKS_PER_STATEMENT = 100  # x 9 values

    def __init__(self, engine: Engine) -> None:
        column = prediction_log.c.created_at
        super().__init__(column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect))
        self._rows = ValuesInsert(prediction_log.name, list(self.ROW_COLUMNS))
        self._blocks = ValuesInsert(prediction_log_blocks.name, list(self.BLOCK_COLUMNS))
        self.sql = self._rows.sql(1)

    def statements(self, items: Sequence[Item]) -> list[tuple[str, Any]]:
        """(SQL, parameters) to run in one transaction, in order."""
        rows, blocks = split_items(items)
        return [
            *self._blocks.chunks(
                [self.block_params(b) for b in blocks], self.BLOCKS_PER_STATEMENT
            ),
            *self._rows.chunks([self.row_params(r) for r in rows], self.ROWS_PER_STATEMENT),
        ]


class ValuesInsert:
    """`INSERT INTO table (...) VALUES (...), (...) ON CONFLICT DO NOTHING` per chunk of rows."""

    def __init__(self, table: str, columns: list[str]) -> None:
        self._head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        self._row = f"({', '.join('?' for _ in columns)})"
        self._sql: dict[int, str] = {}

    def sql(self, rows: int) -> str:
        if rows not in self._sql:
            values = ", ".join([self._row] * rows)
            self._sql[rows] = f"{self._head}{values} ON CONFLICT (request_id, variant) DO NOTHING"
        return self._sql[rows]

    def chunks(self, rows: list[tuple[Any, ...]], size: int) -> list[tuple[str, Any]]:
        return [
            (self.sql(len(chunk)), tuple(chain.from_iterable(chunk)))
            for chunk in (rows[start : start + size] for start in range(0, len(rows), size))
        ]


_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
YIELD_AFTER_S = 0.0005  # of Python work between two GIL hand-overs to the serving thread


def _copy_text(value: Any) -> str:
    """A value in COPY's text format: backslash, tab, newline and return escaped. JSON from
    msgspec holds a backslash only in escape sequences and never a raw control character, so
    the usual case costs four `in` scans in C (a `str.translate` table looks every character
    up one by one: milliseconds for a 1,000-record block)."""
    text = value if isinstance(value, str) else str(value)
    if any(special in text for special in _COPY_SPECIAL):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_lines(params: Iterable[Sequence[Any]]) -> Iterator[str]:
    """COPY text lines, the GIL let go every YIELD_AFTER_S: a flush of a thousand rows is
    ~20 ms of Python, and held in one stretch it would stall the thread serving requests for
    the GIL switch interval (5 ms) at a time, again and again (the p99 of single records)."""
    since = time.perf_counter()
    for row in params:
        yield "\t".join(map(_copy_text, row)) + "\n"
        if time.perf_counter() - since > YIELD_AFTER_S:
            time.sleep(0)
            since = time.perf_counter()


class PostgresCopy(LogRows):
    """PostgreSQL: `COPY ... FROM STDIN` (text format) straight into the log table, in a
    savepoint of the caller's transaction. COPY cannot skip duplicates: when a row is already
    there (a spool file replayed after a half-finished write) the savepoint is rolled back and
    the rows go through a temporary table and INSERT ... SELECT ... ON CONFLICT DO NOTHING.
    Measured on 200 kB blocks: COPY 1.2 ms of server CPU a block (with lz4, migration 0006),
    staging and insert 4 ms; SQLAlchemy's executemany was slower still and held the GIL."""

    def __init__(self) -> None:
        super().__init__(datetime.isoformat)

    def write(self, conn: Connection, items: Sequence[Item]) -> None:
        rows, blocks = split_items(items)
        if rows:
            self._write(conn, prediction_log.name, self.ROW_COLUMNS, map(self.row_params, rows))
        if blocks:
            params = map(self.block_params, blocks)
            self._write(conn, prediction_log_blocks.name, self.BLOCK_COLUMNS, params)

    def _write(self, conn: Connection, table: str, columns: Sequence[str], params: Any) -> None:
        text = "".join(_copy_lines(params))
        try:
            with conn.begin_nested():
                self._copy(conn, table, columns, text)
        except IntegrityError:
            stage = f"{table}_stage"
            types = {"created_at": "timestamptz", "latency_ms": "float8", "records": "integer"}
            declared = ", ".join(f"{column} {types.get(column, 'text')}" for column in columns)
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({declared}) ON COMMIT DELETE ROWS"
            )
            self._copy(conn, stage, columns, text)
            cast = {"inputs": "inputs::json", "outputs": "outputs::json"}
            conn.exec_driver_sql(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(cast.get(c, c) for c in columns)} FROM {stage} "
                "ON CONFLICT (request_id, variant) DO NOTHING"
            )

    @staticmethod
    def _copy(conn: Connection, table: str, columns: Sequence[str], text: str) -> None:
        copy = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.copy_expert(copy, io.StringIO(text), size=1 << 20)
        except Exception as error:  # the driver's own error: give it SQLAlchemy's class
            dbapi = conn.dialect.loaded_dbapi
            if isinstance(error, dbapi.Error):
                raise DBAPIError.instance(copy, None, error, dbapi.Error) from None
            raise
        finally:
            cursor.close()


def row_at_fault(error: SQLAlchemyError) -> bool:
    """A constraint or value the table refuses, or a value that cannot be bound at all."""
    if isinstance(error, IntegrityError | DataError):
        return True
    return isinstance(error, StatementError) and not isinstance(error, DBAPIError)
