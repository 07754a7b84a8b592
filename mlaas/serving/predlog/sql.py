"""The SQL side of the prediction log: inserts that skip rows already stored.

On SQLite the values go to the driver ready-made (JSON encoded by msgspec, see `SqliteRows`):
SQLAlchemy's per-row processing cost 12-20 µs a row. Elsewhere (PostgreSQL) SQLAlchemy's
INSERT ... ON CONFLICT DO NOTHING takes the rows. `row_at_fault` tells a row the table refuses
from a database that is not there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from mlaas.db import insert_ignoring_conflicts, json_text, prediction_log, prediction_log_blocks
from mlaas.serving.predlog.blocks import Item, LogBlock, split_items


def insert_ignoring_duplicates(engine: Engine) -> Any:
    """INSERT into prediction_log that skips rows already there (same request id + variant)."""
    return insert_ignoring_conflicts(engine, prediction_log, ["request_id", "variant"])


class SqliteRows:
    """Driver-level inserts for SQLite: multi-row VALUES statements of ready values (JSON
    encoded by msgspec, the timestamp bound once per block), per-record rows into
    `prediction_log` and one row per large block into `prediction_log_blocks`.

    Never executemany: Python's sqlite3 driver drops the GIL around every row it steps, and
    while the event loop is busy each take-back waits for the GIL switch interval; per-row
    executemany left the writer thousands of rows a second behind a loaded service."""

    COLUMNS = ("request_id", "created_at", "model", "version", "variant", "inputs", "outputs")
    ROWS_PER_STATEMENT = 250  # x 8 values: far below SQLite's 32,766 bound variables
    BLOCKS_PER_STATEMENT = 100  # x 9 values

    def __init__(self, engine: Engine) -> None:
        self._rows = ValuesInsert(prediction_log.name, [*self.COLUMNS, "latency_ms"])
        self._blocks = ValuesInsert(
            prediction_log_blocks.name,
            [*self.COLUMNS[:5], "records", *self.COLUMNS[5:], "latency_ms"],
        )
        self.sql = self._rows.sql(1)
        column = prediction_log.c.created_at
        self._stamp = column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)

    def stamp(self, value: datetime) -> Any:
        return self._stamp(value) if self._stamp else value

    def statements(self, items: Sequence[Item]) -> list[tuple[str, Any]]:
        """(SQL, parameters) to run in one transaction, in order."""
        rows, blocks = split_items(items)
        return [
            *self._blocks.chunks(
                [self.block_params(b) for b in blocks], self.BLOCKS_PER_STATEMENT
            ),
            *self._rows.chunks([self.row_params(r) for r in rows], self.ROWS_PER_STATEMENT),
        ]

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


def row_at_fault(error: SQLAlchemyError) -> bool:
    """A constraint or value the table refuses, or a value that cannot be bound at all."""
    if isinstance(error, IntegrityError | DataError):
        return True
    return isinstance(error, StatementError) and not isinstance(error, DBAPIError)
