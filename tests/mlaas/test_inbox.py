"""The inbox: each complete data file (per content version) is claimed exactly once, from a local
folder or an S3 prefix on a real S3 API (moto)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from mlaas.inbox import SETTLE_SECONDS, claim_new_files, inbox_location
from tests.factories import small_spec
from tests.mlaas.test_storage import s3_endpoint, use_s3  # noqa: F401 - the fixture

OLD = time.time() - 60


def _drop(folder: Path, name: str, data: bytes = b"a,b\n1,2\n", mtime: float = OLD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_local_files_are_claimed_once_per_content_version(
    mlaas_home: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    spec = small_spec("churn", retrain__inbox=str(inbox))
    assert claim_new_files(spec) == []  # the folder does not exist yet
    first = _drop(inbox, "2026-11-01.csv")
    _drop(inbox, "notes.txt")  # not data
    fresh = _drop(inbox, "2026-11-02.parquet", mtime=time.time())  # may still be written

    assert claim_new_files(spec) == [str(first)]
    assert claim_new_files(spec) == []  # a second poke (or a racing one) gets nothing
    assert claim_new_files(spec, now=time.time() + SETTLE_SECONDS + 1) == [str(fresh)]

    _drop(inbox, "2026-11-01.csv", data=b"a,b\n1,2\n3,4\n")  # same name, new content
    assert claim_new_files(spec) == [str(first)]


def test_relative_inbox_is_under_the_project_and_none_means_no_inbox(mlaas_home: Path) -> None:
    from mlaas.settings import get_settings

    spec = small_spec("churn", retrain__inbox="data/inbox/churn")
    assert inbox_location(spec) == str(get_settings().project_dir / "data/inbox/churn")
    assert claim_new_files(small_spec("churn", retrain__inbox=None)) == []


def test_s3_prefix_files_are_claimed_once(
    mlaas_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_endpoint: str,  # noqa: F811 - the fixture
) -> None:
    from mlaas.settings import get_settings
    from mlaas.storage import minio_client

    bucket = "mlaas-inbox"
    use_s3(monkeypatch, s3_endpoint, f"s3://{bucket}/lake-{uuid.uuid4().hex[:6]}")
    client = minio_client(get_settings())
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    prefix = f"inbox-{uuid.uuid4().hex[:6]}/churn"
    import io

    for name in ("a.csv", "b.parquet", "readme.md"):
        client.put_object(bucket, f"{prefix}/{name}", io.BytesIO(b"x,y\n1,2\n"), 8)
    spec = small_spec("churn", retrain__inbox=f"s3://{bucket}/{prefix}")

    assert claim_new_files(spec) == [
        f"s3://{bucket}/{prefix}/a.csv",
        f"s3://{bucket}/{prefix}/b.parquet",
    ]
    assert claim_new_files(spec) == []


def test_a_run_trains_on_the_source_and_every_inbox_file(mlaas_home: Path, tmp_path: Path) -> None:
    """The spec's source plus each claimed inbox file, oldest claim first; a row a later file
    repeats (same key and event time) is replaced by it, counted in the earlier part's lineage.
    A run given the inbox file reads the same; a run given another file reads only that. With
    nothing new since a version, the files are named unchanged; a new inbox file is new data."""
    from mlaas.data.churn import generate_churn
    from mlaas.ingest import assemble, ingest, nothing_new_since

    source = tmp_path / "churn.parquet"
    inbox = tmp_path / "inbox"
    base = generate_churn(300, seed=1)
    base.to_parquet(source, index=False)
    spec = small_spec(
        "churn",
        dataset={"source": str(source), "generator": "churn"},
        retrain__inbox=str(inbox),
    )
    later = generate_churn(200, seed=2)
    later["customer_id"] += 10_000
    corrected = base.iloc[:3].assign(balance=1.0)  # three source rows, sent again corrected
    inbox.mkdir()
    batch = inbox / "2026-12-01.parquet"
    pd.concat([later, corrected]).to_parquet(batch, index=False)
    os.utime(batch, (OLD, OLD))
    assert claim_new_files(spec) == [str(batch)]

    assembled = assemble(spec)
    assert [(p.kind, p.uri, p.rows, p.left_out) for p in assembled.parts] == [
        ("source", str(source), 297, 3),
        ("inbox", str(batch), 203, 0),
    ]
    frame = assembled.frame
    assert len(frame) == 500
    first = base.iloc[:3]["customer_id"].tolist()
    assert frame.loc[frame["customer_id"].isin(first), "balance"].tolist() == [1.0] * 3
    assert assemble(spec, str(batch)).parts == assembled.parts  # the inbox run reads the same

    other = tmp_path / "elsewhere.parquet"
    later.to_parquet(other, index=False)
    [alone] = assemble(spec, str(other)).parts
    assert (alone.kind, alone.rows) == ("file", 200)

    ref = ingest(spec)
    said = nothing_new_since(spec, "1", ref.content_hash)
    assert said is not None and said.startswith(
        f"no new data since v1: source hash {assembled.parts[0].content_hash[:12]} and 1 inbox "
        "file(s) unchanged, 0 new label(s)"
    )
    _drop(inbox, "2026-12-02.csv", data=generate_churn(5, seed=3).to_csv(index=False).encode())
    assert len(claim_new_files(spec)) == 1
    assert nothing_new_since(spec, "1", ref.content_hash) is None
