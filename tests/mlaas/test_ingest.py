"""Ingest: content-addressed parquet in the lake, one lineage row per content, clear errors."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from mlaas.data.churn import generate_churn
from mlaas.db import datasets, get_engine
from mlaas.ingest import IngestError, content_hash, ingest
from mlaas.spec_check import SpecDataMismatch
from mlaas.specs import load_spec
from mlaas.storage import get_store, read_parquet
from mlaas.validation import validate_dataset
from tests.factories import reset_platform_caches

CHURN = load_spec("churn")


def lineage_rows(model: str = "churn") -> list[dict[str, Any]]:
    with get_engine().connect() as conn:
        rows = conn.execute(select(datasets).where(datasets.c.model == model))
        return [dict(row._mapping) for row in rows]


def write(frame: pd.DataFrame, path: Path, **parquet_options: object) -> str:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False, **parquet_options)  # type: ignore[arg-type]
    return str(path)


def test_ingest_stores_the_table_under_its_content_hash(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(300, seed=1)
    ref = ingest(CHURN, source=write(frame, tmp_path / "churn.parquet"))
    assert ref.key == f"datasets/churn/{ref.content_hash}.parquet"
    assert ref.rows == 300 and ref.model == "churn"
    assert ref.source == str(tmp_path / "churn.parquet")
    stored = read_parquet(get_store(), ref.key)
    pd.testing.assert_frame_equal(stored, frame)
    assert Path(ref.uri).is_file()
    [row] = lineage_rows()
    assert (row["content_hash"], row["status"], row["rows"]) == (ref.content_hash, "ingested", 300)
    assert row["columns"]["event_timestamp"] == "datetime64[ns, UTC]"
    assert row["source"] == ref.source and row["uri"] == ref.uri


def test_ingest_hash_ignores_file_format_and_layout(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(400, seed=2)
    refs = [
        ingest(CHURN, source=write(frame, tmp_path / "a.parquet")),
        ingest(CHURN, source=write(frame, tmp_path / "b.csv")),
        ingest(CHURN, source=write(frame, tmp_path / "c.parquet", row_group_size=37)),
        ingest(CHURN, source=write(frame, tmp_path / "a.parquet")),
    ]
    assert len({ref.content_hash for ref in refs}) == 1
    assert len(lineage_rows()) == 1
    assert get_store().list("datasets/churn/") == [refs[0].key]


def test_ingest_hash_changes_with_the_content(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(200, seed=3)
    changed = frame.copy()
    changed.loc[5, "balance"] += 0.01
    first = ingest(CHURN, source=write(frame, tmp_path / "a.parquet"))
    second = ingest(CHURN, source=write(changed, tmp_path / "b.parquet"))
    assert first.content_hash != second.content_hash
    assert content_hash(frame) == first.content_hash
    assert len(lineage_rows()) == 2


def test_reingest_keeps_the_validated_status(mlaas_home: Path, tmp_path: Path) -> None:
    source = write(generate_churn(300, seed=4), tmp_path / "churn.parquet")
    ref = ingest(CHURN, source=source)
    validate_dataset(CHURN, ref)
    assert ingest(CHURN, source=source) == ref
    [row] = lineage_rows()
    assert row["status"] == "validated"


def test_ingest_parses_timestamps_to_utc(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(3, seed=5)
    frame["event_timestamp"] = ["2025-03-01 10:00:00", "2025-03-01T12:00:00+02:00", "2025-03-02"]
    ref = ingest(CHURN, source=write(frame, tmp_path / "churn.csv"))
    stamps = read_parquet(get_store(), ref.key)["event_timestamp"]
    assert str(stamps.dt.tz) == "UTC"
    assert stamps.tolist() == [
        pd.Timestamp("2025-03-01 10:00", tz="UTC"),
        pd.Timestamp("2025-03-01 10:00", tz="UTC"),
        pd.Timestamp("2025-03-02 00:00", tz="UTC"),
    ]


def test_ingest_checks_the_spec_against_the_file_before_storing(
    mlaas_home: Path, tmp_path: Path
) -> None:
    frame = generate_churn(50, seed=6).drop(columns=["age"])
    frame["credit_score"] = "excellent"
    with pytest.raises(SpecDataMismatch) as refused:
        ingest(CHURN, source=write(frame, tmp_path / "odd.parquet"))
    assert refused.value.problems[0].endswith("features[0].name: feature 'age' is not a column "
                                              f"of {tmp_path / 'odd.parquet'}")  # fmt: skip
    assert "'credit_score' is int but the column 50 non-numeric values" in str(refused.value)
    assert lineage_rows() == [] and not get_store().list("datasets/")


def test_ingest_stores_categories_as_plain_strings(mlaas_home: Path, tmp_path: Path) -> None:
    frame = generate_churn(100, seed=8)
    categorical = frame.astype({"country": "category", "gender": "string"})
    plain = ingest(CHURN, source=write(frame, tmp_path / "plain.parquet"))
    typed = ingest(CHURN, source=write(categorical, tmp_path / "typed.parquet"))
    assert typed.content_hash == plain.content_hash
    assert read_parquet(get_store(), typed.key)["country"].dtype == object


def bad_sources(tmp_path: Path) -> dict[str, tuple[str, str]]:
    frame = generate_churn(20, seed=7)
    (tmp_path / "data.json").write_text("{}")
    (tmp_path / "empty.csv").write_text("customer_id,event_timestamp\n")
    (tmp_path / "nothing.csv").write_text("")
    garbled = frame.astype({"event_timestamp": str})
    garbled.loc[3, "event_timestamp"] = "next tuesday"
    return {
        "missing file": (str(tmp_path / "absent.parquet"), "file not found"),
        "unsupported format": (str(tmp_path / "data.json"), "unsupported format '.json'"),
        "header only": (str(tmp_path / "empty.csv"), "empty table"),
        "zero bytes": (str(tmp_path / "nothing.csv"), "empty table"),
        "no entity": (
            write(frame.drop(columns=["customer_id"]), tmp_path / "noid.csv"),
            "entity_key: entity key 'customer_id' is not a column of",
        ),
        "no timestamp": (
            write(frame.drop(columns=["event_timestamp"]), tmp_path / "nots.parquet"),
            "event_timestamp: event timestamp 'event_timestamp' is not a column of",
        ),
        "bad timestamp": (
            write(garbled, tmp_path / "garbled.csv"),
            "column 'event_timestamp' has unparseable timestamps",
        ),
        "corrupt parquet": (
            str(tmp_path / "data.json").replace("data.json", "corrupt.parquet"),
            "cannot read as parquet",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "unsupported format",
        "header only",
        "zero bytes",
        "no entity",
        "no timestamp",
        "bad timestamp",
        "corrupt parquet",
    ],
)
def test_ingest_rejects_bad_sources_clearly(mlaas_home: Path, tmp_path: Path, case: str) -> None:
    (tmp_path / "corrupt.parquet").write_bytes(b"PAR1 not really parquet")
    source, message = bad_sources(tmp_path)[case]
    with pytest.raises((IngestError, SpecDataMismatch), match=message) as error:
        ingest(CHURN, source=source)
    assert source in str(error.value)
    assert lineage_rows() == []


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real S3 API (moto) on the loopback, with credentials in the settings."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("MLAAS_S3_ENDPOINT", f"{host}:{port}")
    monkeypatch.setenv("MLAAS_S3_ACCESS_KEY", "test-access")
    monkeypatch.setenv("MLAAS_S3_SECRET_KEY", "test-secret")
    reset_platform_caches()
    yield f"{host}:{port}"
    server.stop()


def test_ingest_reads_from_s3(mlaas_home: Path, s3_endpoint: str, tmp_path: Path) -> None:
    from minio import Minio

    frame = generate_churn(150, seed=9)
    body = frame.to_csv(index=False).encode()
    client = Minio(s3_endpoint, access_key="test-access", secret_key="test-secret", secure=False)
    client.make_bucket("incoming")
    client.put_object("incoming", "batches/churn.csv", io.BytesIO(body), len(body))
    ref = ingest(CHURN, source="s3://incoming/batches/churn.csv")
    local = ingest(CHURN, source=write(frame, tmp_path / "churn.parquet"))
    assert ref.source == "s3://incoming/batches/churn.csv"
    assert ref.content_hash == local.content_hash and ref.rows == 150
    with pytest.raises(IngestError, match="file not found"):
        ingest(CHURN, source="s3://incoming/batches/absent.csv")


def test_data_roots_confine_named_files_through_dots_and_symlinks(tmp_path: Path) -> None:
    from mlaas.data.access import PathNotAllowed, allowed_data_file
    from tests.factories import home_env

    data = tmp_path / "data"
    data.mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    (data / "link.csv").symlink_to(outside)
    (data / "ok.csv").write_text("a\n1\n")
    with home_env(tmp_path / "home", MLAAS_DATA_ROOTS=f"{data}, s3://raw/team-a"):
        assert allowed_data_file(str(data / "ok.csv"), field="f") == str(data / "ok.csv")
        assert (
            allowed_data_file("s3://raw/team-a/x/../y.csv", field="f") == "s3://raw/team-a/y.csv"
        )
        for refused in (
            str(data / "link.csv"),  # a symlink out of the root
            str(data / ".." / "outside.csv"),
            str(data) + "-evil/x.csv",  # a sibling whose name starts like the root
            "s3://raw/team-a/../team-b/x.csv",
            "s3://raw/team-ab/x.csv",
            "s3://other/x.csv",
        ):
            with pytest.raises(PathNotAllowed, match="not under a data folder"):
                allowed_data_file(refused, field="f")
