"""What every monitoring question starts from: the model's served version and a time window.

The served version is the registry's `champion`; its spec is the snapshot it was trained from
(features and task as that model knows them), cached per version since versions never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from mlaas.db import as_utc, utcnow
from mlaas.errors import FieldError, NotFound
from mlaas.specs import ModelSpec

Bucket = Literal["hour", "day"]
BUCKETS: dict[str, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_BUCKETS = 2_000  # a performance answer never has more time buckets than this


class UnknownModel(NotFound):
    """A model that is not registered, or has no champion to monitor."""

    code = "model_not_found"


class WindowError(FieldError):
    """A time window that cannot be used; `field` names the query parameter at fault."""

    code = "invalid_window"


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC."""

    start: datetime
    end: datetime

    @classmethod
    def ending(cls, end: datetime, *, minutes: int) -> Window:
        end = as_utc(end)
        return cls(start=end - timedelta(minutes=minutes), end=end)


def resolve_window(
    start: datetime | None,
    end: datetime | None,
    *,
    default_hours: int,
    now: datetime | None = None,
    bucket: Bucket | None = None,
) -> Window:
    """The asked window, defaulting to the last `default_hours` before `end` (default now)."""
    end = as_utc(end) if end is not None else as_utc(now or utcnow())
    start = as_utc(start) if start is not None else end - timedelta(hours=default_hours)
    if start >= end:
        raise WindowError(
            "start", f"must be before end ({start.isoformat()} >= {end.isoformat()})"
        )
    if bucket is not None and (end - start) / BUCKETS[bucket] > MAX_BUCKETS:
        raise WindowError(
            "bucket", f"the window holds more than {MAX_BUCKETS} {bucket}s; use a coarser bucket"
        )
    return Window(start=start, end=end)


@dataclass(frozen=True)
class ServedVersion:
    """The champion of a model, with the spec it was trained from and its holdout metrics."""

    model: str
    version: str
    spec: ModelSpec
    profile_key: str
    holdout: dict[str, float]  # metric -> value on the training holdout
    data_hash: str | None = None  # content hash of the dataset it was trained from


def served_version(model: str) -> ServedVersion:
    """The model's champion (UnknownModel when the model or its champion does not exist)."""
    from mlaas import registry

    info = registry.version_for_alias(model, registry.CHAMPION)
    if info is None:
        try:
            registry.list_versions(model)
        except registry.RegistryError:
            raise UnknownModel(f"model {model!r} is not registered") from None
        raise UnknownModel(f"model {model!r} has no champion version to monitor")
    spec = version_spec(model, info.version)
    profile_key = info.tags.get(f"{registry.TAG}profile_key")
    if profile_key is None:
        raise UnknownModel(f"{model} v{info.version} has no reference profile tag")
    holdout = {
        name.removeprefix("holdout_"): value
        for name, value in info.metrics.items()
        if name.startswith("holdout_")
    }
    return ServedVersion(
        model=model,
        version=info.version,
        spec=spec,
        profile_key=profile_key,
        holdout=holdout,
        data_hash=info.tags.get(f"{registry.TAG}data_hash"),
    )


def version_spec(model: str, version: str) -> ModelSpec:
    """The spec snapshot version `version` was trained from (versions are immutable: cached)."""
    from mlaas.settings import get_settings

    settings = get_settings()
    return _version_spec(settings.mlflow_tracking_uri, settings.database_url, model, version)


def policy_spec(served: ServedVersion) -> ModelSpec:
    """The spec whose drift and retrain policies apply now: the spec file when there is one
    (operators tune policies there), else the snapshot the champion was trained from."""
    from mlaas.specs import SpecError, load_spec

    try:
        return load_spec(served.model)
    except SpecError:
        return served.spec


@lru_cache(maxsize=256)
def _version_spec(_registry: str, _database: str, model: str, version: str) -> ModelSpec:
    """Keyed by the stores too: the same name and version in another home is another model."""
    from mlaas import registry
    from mlaas.lineage import load_spec_snapshot

    try:
        info = registry.get_version(model, version)
    except registry.RegistryError as error:
        raise UnknownModel(str(error)) from None
    spec_hash = info.tags.get(f"{registry.TAG}spec_hash")
    if spec_hash is None:
        raise UnknownModel(f"{model} v{version} has no spec snapshot tag")
    return load_spec_snapshot(spec_hash)
