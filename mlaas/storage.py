"""The object store (data lake, quarantine, reference profiles, batch outputs).

Two backends behind one small interface, chosen by `MLAAS_OBJECT_STORE_URL`:
`file:///abs/folder` (embedded default) and `s3://bucket[/prefix]` (MinIO or any S3 API, through
the `minio` client). Keys are always `/`-separated relative paths.
"""

from __future__ import annotations

import io
import shutil
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlparse

import pandas as pd

from mlaas.settings import Settings, get_settings

if TYPE_CHECKING:
    from minio import Minio


class ObjectNotFound(KeyError):
    """The key has no object."""


class ObjectStore(Protocol):
    url: str

    def put_bytes(self, key: str, data: bytes) -> str: ...
    def get_bytes(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def list(self, prefix: str = "") -> list[str]: ...
    def uri(self, key: str) -> str: ...


def check_key(key: str) -> str:
    """A relative `/`-separated path that stays inside the store (same rule on every backend)."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"object key escapes the store or is not a clean relative path: {key!r}")
    return key


class LocalObjectStore:
    """A folder on disk; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.as_uri()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"object key escapes the store: {key!r}")
        return path

    def put_bytes(self, key: str, data: bytes) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return self.uri(key)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> list[str]:
        if not self.root.exists():
            return []
        keys = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix) and not k.endswith(".tmp"))

    def uri(self, key: str) -> str:
        return str(self._path(key))

    def wipe(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class S3ObjectStore:
    """A bucket (and optional prefix) on MinIO or any S3 API."""

    def __init__(self, url: str, client: Minio) -> None:
        parsed = urlparse(url)
        self.url = url
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.client = client
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_bytes(self, key: str, data: bytes) -> str:
        self.client.put_object(self.bucket, self._name(key), io.BytesIO(data), len(data))
        return self.uri(key)

    def get_bytes(self, key: str) -> bytes:
        return read_s3_object(self.client, self.bucket, self._name(key))

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, self._name(key))
        except S3Error:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, self._name(key))

    def list(self, prefix: str = "") -> list[str]:
        strip = len(self.prefix) + 1 if self.prefix else 0
        full = f"{self.prefix}/{prefix}" if self.prefix else prefix
        objects = self.client.list_objects(self.bucket, prefix=full, recursive=True)
        return sorted(str(o.object_name)[strip:] for o in objects)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._name(key)}"


def minio_client(settings: Settings) -> Minio:
    """A client for the S3 API the settings name (MinIO on the full stack)."""
    from minio import Minio

    if not settings.s3_endpoint:
        raise ValueError("MLAAS_S3_ENDPOINT is not set; it is needed for s3:// URLs")
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
    )


def read_s3_object(client: Minio, bucket: str, name: str) -> bytes:
    """The object's bytes; ObjectNotFound when the bucket or key does not exist."""
    from minio.error import S3Error

    try:
        response = client.get_object(bucket, name)
    except S3Error as error:
        if error.code in ("NoSuchKey", "NoSuchObject", "NoSuchBucket"):
            raise ObjectNotFound(f"s3://{bucket}/{name}") from None
        raise
    try:
        return bytes(response.read())
    finally:
        response.close()
        response.release_conn()


def open_store(settings: Settings) -> ObjectStore:
    url = settings.object_store_url
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"MLAAS_OBJECT_STORE_URL: {url!r} must be file:///absolute/path")
        return LocalObjectStore(Path(unquote(parsed.path)))  # as_uri() escapes spaces as %20
    if parsed.scheme == "s3":
        if not settings.s3_endpoint:
            raise ValueError("MLAAS_OBJECT_STORE_URL is s3:// but MLAAS_S3_ENDPOINT is not set")
        return S3ObjectStore(url, minio_client(settings))
    raise ValueError(f"MLAAS_OBJECT_STORE_URL: unsupported scheme {parsed.scheme!r} in {url!r}")


@lru_cache(maxsize=1)
def get_store() -> ObjectStore:
    return open_store(get_settings())


def write_parquet(store: ObjectStore, key: str, frame: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return store.put_bytes(key, buffer.getvalue())


def read_parquet(store: ObjectStore, key: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(store.get_bytes(key)))
