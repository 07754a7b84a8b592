"""The inbox: each complete data file (per content version) is claimed exactly once, from a local
folder or an S3 prefix on a real S3 API (moto)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

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
