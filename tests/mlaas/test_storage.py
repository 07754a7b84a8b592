"""The object store: one contract, checked on the local folder and on a real S3 API (moto)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from moto.server import ThreadedMotoServer

from mlaas.settings import Settings
from mlaas.storage import (
    LocalObjectStore,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    get_store,
    open_store,
    read_parquet,
    write_parquet,
)
from tests.factories import reset_platform_caches

BUCKET = "mlaas-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API server (moto) on loopback, shared by this module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


def use_s3(monkeypatch: pytest.MonkeyPatch, endpoint: str, url: str) -> None:
    monkeypatch.setenv("MLAAS_OBJECT_STORE_URL", url)
    monkeypatch.setenv("MLAAS_S3_ENDPOINT", endpoint)
    monkeypatch.setenv("MLAAS_S3_ACCESS_KEY", "test")
    monkeypatch.setenv("MLAAS_S3_SECRET_KEY", "test")
    reset_platform_caches()


@pytest.fixture(params=["local", "s3"])
def store(
    request: pytest.FixtureRequest, mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> ObjectStore:
    """The configured store of a fresh home: the local lake, or a fresh prefix in a bucket."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        use_s3(monkeypatch, endpoint, f"s3://{BUCKET}/run-{uuid.uuid4().hex[:8]}")
    return get_store()


def test_open_the_backend_named_by_the_url(store: ObjectStore, mlaas_home: Path) -> None:
    if isinstance(store, LocalObjectStore):
        assert store.root == mlaas_home / "lake"
    else:
        assert isinstance(store, S3ObjectStore)
        assert store.bucket == BUCKET


def test_put_and_get_bytes(store: ObjectStore) -> None:
    uri = store.put_bytes("datasets/churn/abc.parquet", b"\x00payload\xff")
    assert store.get_bytes("datasets/churn/abc.parquet") == b"\x00payload\xff"
    assert uri == store.uri("datasets/churn/abc.parquet")
    assert uri.endswith("datasets/churn/abc.parquet")


def test_overwrite_object(store: ObjectStore) -> None:
    store.put_bytes("profiles/p.json", b"old")
    store.put_bytes("profiles/p.json", b"new")
    assert store.get_bytes("profiles/p.json") == b"new"
    assert store.list() == ["profiles/p.json"]


def test_put_empty_object(store: ObjectStore) -> None:
    store.put_bytes("empty", b"")
    assert store.exists("empty")
    assert store.get_bytes("empty") == b""


def test_report_existence(store: ObjectStore) -> None:
    assert not store.exists("a/b.txt")
    store.put_bytes("a/b.txt", b"x")
    assert store.exists("a/b.txt")
    assert not store.exists("a")  # a "folder" is not an object


def test_list_keys_under_a_prefix(store: ObjectStore) -> None:
    assert store.list() == []
    for key in ("datasets/churn/2.parquet", "datasets/churn/1.parquet", "quarantine/x.parquet"):
        store.put_bytes(key, b"x")
    assert store.list("datasets/") == ["datasets/churn/1.parquet", "datasets/churn/2.parquet"]
    assert store.list("quarantine") == ["quarantine/x.parquet"]
    assert store.list("nothing/") == []
    assert len(store.list()) == 3


def test_delete_object(store: ObjectStore) -> None:
    store.put_bytes("tmp/a", b"x")
    store.delete("tmp/a")
    assert not store.exists("tmp/a")
    assert store.list() == []
    store.delete("tmp/a")  # deleting twice is not an error


def test_raise_object_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        store.get_bytes("datasets/missing.parquet")
    assert isinstance(caught.value, KeyError)
    assert "datasets/missing.parquet" in str(caught.value)


@pytest.mark.parametrize("key", ["../outside", "a/../../outside", "/etc/passwd", "", "a//b", "."])
def test_reject_key_escaping_the_store(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError, match="object key escapes the store"):
        store.put_bytes(key, b"x")
    with pytest.raises(ValueError, match="object key escapes the store"):
        store.get_bytes(key)


def test_round_trip_parquet(store: ObjectStore) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "balance": [0.0, 1.5, float("nan")],
            "country": ["FR", "DE", None],
            "active": [True, False, True],
            "event_timestamp": pd.date_range("2025-01-01", periods=3, freq="D", tz="UTC"),
        }
    )
    write_parquet(store, "frames/f.parquet", frame)
    pd.testing.assert_frame_equal(read_parquet(store, "frames/f.parquet"), frame)


def test_keep_s3_prefixes_apart(mlaas_home: Path, s3_endpoint: str) -> None:
    settings = Settings(
        object_store_url=f"s3://{BUCKET}/team-a",
        s3_endpoint=s3_endpoint,
        s3_access_key="test",
        s3_secret_key="test",
    )
    team_a = open_store(settings)
    team_b = open_store(settings.model_copy(update={"object_store_url": f"s3://{BUCKET}/team-b"}))
    team_a.put_bytes("model.bin", b"a")
    assert team_a.uri("model.bin") == f"s3://{BUCKET}/team-a/model.bin"
    assert not team_b.exists("model.bin")
    assert team_b.list() == []
    team_a.delete("model.bin")


def test_create_missing_bucket(mlaas_home: Path, s3_endpoint: str) -> None:
    bucket = f"fresh-{uuid.uuid4().hex[:8]}"
    store = open_store(
        Settings(
            object_store_url=f"s3://{bucket}",
            s3_endpoint=s3_endpoint,
            s3_access_key="test",
            s3_secret_key="test",
        )
    )
    assert isinstance(store, S3ObjectStore)
    assert store.client.bucket_exists(bucket)
    store.put_bytes("k", b"v")
    assert store.uri("k") == f"s3://{bucket}/k"
    assert store.list() == ["k"]


def test_write_local_objects_atomically(mlaas_home: Path) -> None:
    store = get_store()
    assert isinstance(store, LocalObjectStore)
    store.put_bytes("a/b.bin", b"complete")
    stale = store.root / "a" / "b.bin.tmp"  # what a crash between write and rename leaves
    stale.write_bytes(b"half")
    assert sorted(p.name for p in (store.root / "a").iterdir()) == ["b.bin", "b.bin.tmp"]
    assert store.get_bytes("a/b.bin") == b"complete"
    assert store.list() == ["a/b.bin"]
    store.put_bytes("a/b.bin", b"again")
    assert sorted(p.name for p in (store.root / "a").iterdir()) == ["b.bin"]


def test_reject_symlink_out_of_the_local_store(mlaas_home: Path, tmp_path: Path) -> None:
    store = get_store()
    assert isinstance(store, LocalObjectStore)
    outside = tmp_path / "outside"
    outside.mkdir()
    store.root.mkdir(parents=True)
    (store.root / "link").symlink_to(outside)
    with pytest.raises(ValueError, match="escapes the store"):
        store.put_bytes("link/x", b"x")
    assert list(outside.iterdir()) == []


def test_list_nothing_before_the_local_lake_exists(mlaas_home: Path) -> None:
    assert not (mlaas_home / "lake").exists()
    assert get_store().list() == []


def test_open_local_store_in_a_folder_with_spaces(tmp_path: Path) -> None:
    root = tmp_path / "my lake"
    store = open_store(Settings(home=tmp_path / "home", object_store_url=root.as_uri()))
    assert "%20" in root.as_uri()
    store.put_bytes("k", b"v")
    assert (root / "k").read_bytes() == b"v"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gs://bucket/lake", "unsupported scheme 'gs'"),
        ("/plain/path", "unsupported scheme ''"),
        ("file://relative/lake", "must be file:///absolute/path"),
    ],
)
def test_reject_unusable_store_url(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_store(Settings(home=tmp_path, object_store_url=url))


def test_reject_s3_store_without_endpoint(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, object_store_url="s3://bucket/lake", s3_endpoint="")
    with pytest.raises(ValueError, match="MLAAS_S3_ENDPOINT is not set"):
        open_store(settings)
