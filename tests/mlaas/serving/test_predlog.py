"""The prediction log writer on SQLite: bursts, an outage spooled to disk and replayed, no row
lost or written twice."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.pool import NullPool

from mlaas import db
from mlaas.serving.predictor import Prediction
from mlaas.serving.predlog import BLOCK_ROWS, LogBlock, PredictionLogWriter
from tests.servers import wait_for


def sqlite_engine(path: Path) -> Engine:
    """No connection pool: every insert opens the file, so moving it away is a real outage."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return db.init_db(create_engine(f"sqlite:///{path}", poolclass=NullPool))


def row(i: int, *, variant: str = "champion") -> dict[str, object]:
    return {
        "request_id": f"req-{i:06d}",
        "model": "churn",
        "version": "3",
        "variant": variant,
        "inputs": {"age": 30 + i % 50, "plan": "pro"},
        "outputs": {"output": "yes", "probabilities": {"no": 0.25, "yes": 0.75}},
        "latency_ms": 1.5,
    }


def logged(engine: Engine) -> list[tuple[str, str]]:
    query = select(db.prediction_log.c.request_id, db.prediction_log.c.variant)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query.order_by(db.prediction_log.c.id))]


def test_a_burst_of_rows_is_all_written_by_close(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.05)

    def submit_range(start: int) -> None:
        for i in range(start, start + 1_250):
            writer.submit(row(i))

    threads = [threading.Thread(target=submit_range, args=(n * 1_250,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert writer.close() == 0

    rows = logged(engine)
    assert len(rows) == 5_000
    assert {r[0] for r in rows} == {f"req-{i:06d}" for i in range(5_000)}
    assert (writer.queued, writer.written) == (5_000, 5_000)
    assert (writer.spooled, writer.queue_depth) == (0, 0)
    with engine.connect() as conn:
        first = conn.execute(select(db.prediction_log).limit(1)).one()._mapping
    assert first["outputs"] == {"output": "yes", "probabilities": {"no": 0.25, "yes": 0.75}}
    assert first["created_at"] is not None and first["latency_ms"] == 1.5


def test_an_outage_is_spooled_then_replayed_in_order(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    spool = tmp_path / "spool"
    writer = PredictionLogWriter(
        engine, spool, batch_size=50, flush_interval_s=0.02, retry_interval_s=0.05
    )
    for i in range(100):
        writer.submit(row(i))
    wait_for(lambda: writer.written == 100)

    (tmp_path / "db").rename(tmp_path / "db-away")  # the database is gone
    for i in range(100, 400):
        writer.submit(row(i))
    wait_for(lambda: writer.spooled == 300)
    assert writer.spool_files()
    assert writer.written == 100 and writer.replayed == 0

    (tmp_path / "db-away").rename(tmp_path / "db")  # and back
    for i in range(400, 500):
        writer.submit(row(i))
    # rows that arrive while older ones are still spooled queue up behind them in the spool
    wait_for(lambda: writer.written + writer.replayed == 500 and not writer.spool_files())
    assert writer.replayed >= 300
    assert writer.close() == 0
    assert writer.spool_files() == []

    assert logged(engine) == [(f"req-{i:06d}", "champion") for i in range(500)]


def test_close_keeps_the_spool_when_the_database_is_still_down(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    (tmp_path / "db").rename(tmp_path / "db-away")
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    for i in range(50):
        writer.submit(row(i))
    assert writer.close() == 50
    with pytest.raises(RuntimeError):
        writer.submit(row(51))

    (tmp_path / "db-away").rename(tmp_path / "db")
    again = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    assert again.close() == 0  # a new writer replays what the last one left behind
    assert len(logged(engine)) == 50
    assert again.replayed == 50


def test_a_database_without_its_table_is_an_outage_not_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "db" / "platform.db"
    path.parent.mkdir()
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)  # restored, schema not yet
    writer = PredictionLogWriter(
        engine, tmp_path / "spool", flush_interval_s=0.02, retry_interval_s=0.05
    )
    replays: list[int] = []
    replay = writer._replay

    def counted_replay() -> None:
        replays.append(len(writer.spool_files()))
        replay()

    writer._replay = counted_replay  # type: ignore[method-assign]
    for i in range(20):
        writer.submit(row(i))
    wait_for(lambda: writer.spooled == 20 and len(replays) >= 3)  # replays fail on the table
    assert (writer.rejected, writer.replayed) == (0, 0)
    assert len(writer.spool_files()) >= 1  # kept for later, nothing set aside as bad

    db.init_db(engine)
    assert writer.close() == 0
    assert len(logged(engine)) == 20 and writer.rejected == 0


def test_replaying_a_half_written_file_does_not_duplicate(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    spool = tmp_path / "spool"
    spool.mkdir()
    with engine.begin() as conn:  # the first half made it in before the failure
        conn.execute(
            db.prediction_log.insert(), [{**row(i), "created_at": db.utcnow()} for i in range(30)]
        )
    stamp = {"$datetime": "2025-01-01T00:00:00+00:00"}
    lines = [json.dumps({**row(i), "created_at": stamp}) for i in range(60)]
    (spool / "00000000000000000001-00000001.jsonl").write_text("\n".join(lines) + "\n")

    writer = PredictionLogWriter(engine, spool, batch_size=25, flush_interval_s=0.02)
    writer.submit(row(0, variant="shadow"))  # same request, other variant: a separate row
    writer.close()
    rows = logged(engine)
    assert len(rows) == len(set(rows)) == 61
    assert writer.replayed == 60


def test_rows_the_table_refuses_are_set_aside_not_retried(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    writer.submit(row(0))
    writer.submit({**row(1), "version": None})  # NOT NULL
    writer.submit({**row(2), "outputs": {"x": object()}})  # not JSON at all
    writer.submit(row(3))
    assert writer.close() == 0
    assert [r[0] for r in logged(engine)] == ["req-000000", "req-000003"]
    assert writer.rejected == 2
    kept = list((tmp_path / "spool" / "rejected").glob("*.jsonl"))
    assert [json.loads(line)["request_id"] for line in kept[0].read_text().splitlines()] == [
        "req-000001"
    ]


def test_submit_refuses_rows_without_their_keys(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool")
    with pytest.raises(ValueError, match="request_id"):
        writer.submit({"model": "churn", "version": "1", "variant": "champion", "outputs": 1})
    with pytest.raises(ValueError, match="colour"):
        writer.submit({**row(0), "colour": "red"})
    writer.submit({**row(0), "request_id": str(uuid.uuid4()), "created_at": "2025-01-01T00:00"})
    writer.close()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.prediction_log)).scalar() == 1


def block(request_id: str, n: int, *, variant: str = "champion") -> LogBlock:
    """The rows of one n-record request, as the prediction service hands them over."""
    records = [{"age": 30 + i, "plan": None if i % 3 else "pro", "ratio": i / 7} for i in range(n)]
    return LogBlock(
        request_id=request_id,
        model="churn",
        version="3",
        variant=variant,
        inputs=records,
        prediction=Prediction(
            outputs=[i % 2 for i in range(n)],
            probabilities=[{"0": 1 - i / n, "1": i / n} for i in range(n)],
        ),
        latency_ms=2.5,
        created_at=db.utcnow(),
    )


def records_logged(engine: Engine) -> list[str]:
    """Every logged record's id: rows of prediction_log, then the records of each block."""
    blocks = select(db.prediction_log_blocks.c.request_id, db.prediction_log_blocks.c.records)
    with engine.connect() as conn:
        ids = [rid for rid, _ in logged(engine)]
        for rid, records in conn.execute(blocks.order_by(db.prediction_log_blocks.c.id)):
            ids += [f"{rid}:{i}" for i in range(records)]
    return ids


@pytest.mark.parametrize("records", [1, BLOCK_ROWS - 1])
def test_small_requests_are_a_row_per_record_with_the_same_json(
    tmp_path: Path, records: int
) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    small = block("req-small", records, variant="shadow")
    writer.submit_block(small)
    writer.submit_block(small)  # delivered twice: still one row per record
    assert writer.close() == 0

    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT request_id, variant, inputs, outputs, latency_ms, created_at "
            "FROM prediction_log ORDER BY id"
        ).all()
    expected = small.rows()
    assert [r[0] for r in rows] == [e["request_id"] for e in expected]
    assert rows[0][0] == ("req-small" if records == 1 else "req-small:0")
    assert {r[1] for r in rows} == {"shadow"} and {r[4] for r in rows} == {2.5}
    assert [r[2] for r in rows] == [db.json_text(e["inputs"]) for e in expected]  # same text
    assert [json.loads(r[3]) for r in rows] == [e["outputs"] for e in expected]
    with engine.connect() as conn:  # and SQLAlchemy reads them back as the other rows
        first = conn.execute(select(db.prediction_log).limit(1)).one()._mapping
    assert first["inputs"] == {"age": 30, "plan": "pro", "ratio": 0.0}
    assert first["created_at"].replace(tzinfo=None) == small.created_at.replace(tzinfo=None)
    assert writer.queue_depth == 0


def test_a_large_request_is_one_block_row_read_back_record_by_record(tmp_path: Path) -> None:
    from mlaas.monitoring.context import Window
    from mlaas.monitoring.logged import block_counts, block_rows, blocks_for

    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    many, shadow = block("req-many", 1_200), block("req-many", 1_200, variant="shadow")
    writer.submit_block(many)
    writer.submit_block(shadow)
    writer.submit_block(many)  # delivered twice: still one block
    assert writer.close() == 0
    assert (writer.queued, writer.written, writer.queue_depth) == (3_600, 3_600, 0)
    assert logged(engine) == []  # no row per record

    window = Window(many.created_at - timedelta(seconds=1), db.utcnow() + timedelta(seconds=1))
    with engine.connect() as conn:
        assert block_counts(conn, "churn", window) == {"champion": 1_200, "shadow": 1_200}
        rows = block_rows(conn, "churn", window, variants=["champion"])
        newest = block_rows(conn, "churn", window, newest=10)
        found = blocks_for(conn, ["req-many:7", "req-many:1200", "req-many", "other:1"])
    expected = many.rows()
    assert [r.request_id for r in rows] == [e["request_id"] for e in expected]
    assert [r.inputs for r in rows] == [e["inputs"] for e in expected]
    assert [r.outputs for r in rows] == [e["outputs"] for e in expected]
    assert {(r.model, r.version, r.variant) for r in rows} == {("churn", "3", "champion")}
    assert len(newest) == 1_200  # whole blocks: the newest block covers the newest 10 records
    assert list(found) == ["req-many:7"]  # index past the end, no index, unknown: not found
    assert sorted(r.variant for r in found["req-many:7"]) == ["champion", "shadow"]
    assert found["req-many:7"][0].inputs == expected[7]["inputs"]


def test_blocks_are_spooled_through_an_outage_and_replayed_once(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(
        engine, tmp_path / "spool", flush_interval_s=0.02, retry_interval_s=0.05
    )
    (tmp_path / "db").rename(tmp_path / "db-away")
    writer.submit_block(block("req-a", 300))
    writer.submit_block(block("req-b", 1))
    wait_for(lambda: writer.spooled == 301)
    (tmp_path / "db-away").rename(tmp_path / "db")
    writer.submit_block(block("req-c", 5))
    assert writer.close() == 0

    names = records_logged(engine)  # spooled blocks come back as rows per record
    assert names == [f"req-a:{i}" for i in range(300)] + ["req-b"] + [
        f"req-c:{i}" for i in range(5)
    ]


def test_a_full_batch_is_written_without_waiting_out_the_interval(tmp_path: Path) -> None:
    """The writer sleeps through its interval rather than waking for each row, but a batch's
    worth of rows wakes it at once."""
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool", batch_size=100, flush_interval_s=60.0)
    try:
        for i in range(99):
            writer.submit(row(i))
        assert writer.written == 0  # under a batch: waits for the interval
        writer.submit(row(99))
        wait_for(lambda: writer.written == 100, 10, "the full batch to be written")
        assert len(logged(engine)) == 100
    finally:
        writer.close()


def test_a_backlog_over_the_bound_asks_callers_to_wait(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(
        engine, tmp_path / "spool", flush_interval_s=30.0, max_backlog_rows=1_000
    )  # collects for 30 s: nothing is written before close
    writer.submit_block(block("req-a", 600))
    assert writer.has_room and writer.queue_depth == 600
    writer.submit_block(block("req-b", 600))
    assert not writer.has_room and writer.queue_depth == 1_200
    assert writer.close() == 0
    assert writer.has_room and writer.queue_depth == 0 and len(records_logged(engine)) == 1_200


def test_the_writer_waits_for_another_writer_instead_of_spooling(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "db" / "platform.db"
    engine = sqlite_engine(path)
    holding, release = threading.Event(), threading.Event()

    def other_writer() -> None:  # another part of the platform writing to the same file
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO spec_snapshots VALUES ('h', 'm', 'body', '2025-01-01')")
        holding.set()
        release.wait(5)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    holding.wait(5)
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    attempting = threading.Event()
    write = writer._write

    def observed_write(items: Any) -> Any:
        attempting.set()
        return write(items)

    writer._write = observed_write  # type: ignore[method-assign]
    writer.submit_block(block("req-a", 200))
    writer.submit(row(1))
    assert attempting.wait(10)  # the writer is in its transaction, behind the other writer
    assert writer.spooled == 0 and records_logged(engine) == []
    release.set()
    thread.join()
    assert writer.close() == 0
    assert writer.spooled == 0 and len(records_logged(engine)) == 201


def test_blocks_store_records_as_columns_and_read_back_as_records(tmp_path: Path) -> None:
    """A block's records go in as JSON columns (typed structs and dicts alike); records whose
    fields differ, and blocks written before columns, stay arrays of objects; every reader
    gets the same records back."""
    import msgspec

    from mlaas.monitoring.logged import block_inputs
    from mlaas.serving.predlog.blocks import columns_of

    Record = msgspec.defstruct("Record", [("age", int), ("plan", str | None)])
    structs = [Record(age=30 + i, plan=None if i % 2 else "pro") for i in range(3)]
    assert columns_of(structs) == {"age": [30, 31, 32], "plan": ["pro", None, "pro"]}
    dicts = [{"age": 1, "plan": "a"}, {"plan": "b", "age": 2}]
    assert columns_of(dicts) == {"age": [1, 2], "plan": ["a", "b"]}
    assert columns_of([{"age": 1}, {"age": 2, "plan": "x"}]) is None
    assert columns_of([]) is None
    assert block_inputs(columns_of(dicts)) == [{"age": 1, "plan": "a"}, {"age": 2, "plan": "b"}]
    assert block_inputs([{"age": 1}]) == [{"age": 1}]  # the older array form

    engine = sqlite_engine(tmp_path / "db" / "platform.db")
    writer = PredictionLogWriter(engine, tmp_path / "spool", flush_interval_s=0.02)
    uneven = block("req-uneven", 70)
    uneven.inputs.append({"age": 1})  # one record without `plan` or `ratio`
    writer.submit_block(block("req-even", 70))
    writer.submit_block(uneven)
    assert writer.close() == 0
    log = db.prediction_log_blocks.c
    with engine.connect() as conn:
        rows = conn.execute(select(log.request_id, log.inputs))
        stored = {row.request_id: row.inputs for row in rows}
    assert isinstance(stored["req-even"], dict) and isinstance(stored["req-uneven"], list)
    assert block_inputs(stored["req-even"]) == block("req-even", 70).inputs
    assert block_inputs(stored["req-uneven"]) == uneven.inputs
