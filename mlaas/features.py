"""Features through Feast: definitions made from the spec, apply + materialize, training frame.

A user adding a model writes only YAML: Entity, FileSource, FeatureView and FeatureService are
built here from the spec. The Feast config is resolved from `mlaas.settings`, never from the
process environment: Feast leaves an unset `${VAR}` literal and only fails at materialize time.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import re
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import unquote, urlparse

import pandas as pd
import yaml

from mlaas.refs import DatasetRef, FrameRef
from mlaas.settings import Settings, get_settings
from mlaas.specs import ModelSpec
from mlaas.storage import LocalObjectStore, get_store, read_parquet, write_parquet

if TYPE_CHECKING:
    from feast import FeatureStore
    from feast.feast_object import FeastObject
    from feast.repo_config import RepoConfig

log = logging.getLogger(__name__)

FEAST_DTYPES = {"int": "Int64", "float": "Float64", "bool": "Bool", "category": "String"}
TTL = timedelta(days=3650)  # features never expire for training; serving wants the latest row
FEAST_TS = "event_timestamp"  # the entity_df timestamp column name Feast looks for
FOUND = "found"  # key of the per-id mask in online_features()
_VAR = re.compile(r"\$\{([^}]*)\}")
_STORES: dict[tuple[str, str], FeatureStore] = {}


class FeastConfigError(ValueError):
    """The Feast config cannot be resolved; the message names the file and the variable."""


def config_variables(settings: Settings) -> dict[str, str]:
    """The `${VAR}` values a feature_store*.yaml may use, all derived from settings."""
    values = {
        "MLAAS_HOME": str(settings.home),
        "MLAAS_PROJECT_DIR": str(settings.project_dir),
        "MLAAS_DATABASE_URL": settings.database_url,
        "MLAAS_OBJECT_STORE_URL": settings.object_store_url,
    }
    if settings.s3_endpoint:
        values["MLAAS_S3_ENDPOINT_URL"] = s3_endpoint_url(settings)
    if settings.redis_url:  # Feast wants "host:port,db=N[,password=..][,ssl=true]"
        url = urlparse(settings.redis_url)
        host, port = url.hostname or "localhost", str(url.port or 6379)
        options = [f"db={url.path.strip('/') or '0'}"]
        options += [f"password={unquote(url.password)}"] if url.password else []
        options += ["ssl=true"] if url.scheme == "rediss" else []
        values["MLAAS_REDIS_HOST"], values["MLAAS_REDIS_PORT"] = host, port
        values["MLAAS_REDIS_CONNECTION"] = ",".join([f"{host}:{port}", *options])
    return values


def s3_endpoint_url(settings: Settings) -> str:
    return f"{'https' if settings.s3_secure else 'http'}://{settings.s3_endpoint}"


def _substitute(node: Any, values: dict[str, str], missing: set[str]) -> Any:
    if isinstance(node, dict):
        return {key: _substitute(value, values, missing) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, values, missing) for value in node]
    if isinstance(node, str):
        missing.update(name for name in _VAR.findall(node) if name not in values)
        return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), node)
    return node


def resolve_config(path: Path, settings: Settings) -> dict[str, Any]:
    """The YAML as a dict, `${VAR}`s filled in after parsing (a value cannot break the YAML)."""
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise FeastConfigError(f"{path}: Feast config not found (MLAAS_FEAST_CONFIG?)") from None
    if not isinstance(raw, dict):
        raise FeastConfigError(f"{path}: expected a mapping at the top level")
    missing: set[str] = set()
    resolved = _substitute(raw, config_variables(settings), missing)
    if missing:
        raise FeastConfigError(
            f"{path}: unresolved variable(s) {', '.join(sorted(missing))}; MLAAS_REDIS_* need "
            "MLAAS_REDIS_URL, MLAAS_S3_ENDPOINT_URL needs MLAAS_S3_ENDPOINT; known: "
            f"{sorted(config_variables(settings))}"
        )
    return cast(dict[str, Any], resolved)


def repo_config(settings: Settings | None = None) -> RepoConfig:
    from feast.repo_config import RepoConfig

    settings = settings or get_settings()
    resolved = resolve_config(settings.feature_store_yaml, settings)
    return RepoConfig(repo_path=settings.feature_repo_dir, **resolved)


def feature_store(settings: Settings | None = None) -> FeatureStore:
    """One FeatureStore per (config file, home) in a process: building one costs registry I/O."""
    settings = settings or get_settings()
    key = (str(settings.feature_store_yaml), str(settings.home))
    if key not in _STORES:
        from feast import FeatureStore

        (settings.home / "feast").mkdir(parents=True, exist_ok=True)
        logging.getLogger("feast").setLevel(logging.WARNING)  # its INFO lines are progress noise
        config = repo_config(settings)
        _STORES[key] = FeatureStore(repo_path=str(settings.feature_repo_dir), config=config)
    return _STORES[key]


def entity_type(ids: pd.Series) -> Literal["int", "string"]:
    """The spec does not type the entity key; the ingested data does."""
    return "int" if pd.api.types.is_integer_dtype(ids) else "string"


def feast_objects(
    spec: ModelSpec,
    *,
    source_path: str,
    s3_endpoint: str | None = None,
    entity_key_type: Literal["int", "string"] = "int",
) -> list[FeastObject]:
    """Entity, FileSource, FeatureView and FeatureService for one model, all from its spec."""
    from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType, types

    entity = Entity(
        name=spec.entity_key,
        join_keys=[spec.entity_key],
        value_type=ValueType.INT64 if entity_key_type == "int" else ValueType.STRING,
    )
    source = FileSource(
        name=f"{spec.feature_view}_source",
        path=source_path,
        timestamp_field=spec.event_timestamp,
        s3_endpoint_override=s3_endpoint,
    )
    schema = [
        Field(name=f.name, dtype=getattr(types, FEAST_DTYPES[f.type]), description=f.description)
        for f in spec.features
    ]
    view = FeatureView(
        name=spec.feature_view,
        entities=[entity],
        schema=schema,
        source=source,
        ttl=TTL,
        online=True,
        owner=spec.owner,
        tags={"model": spec.name},
    )
    service = FeatureService(name=f"{spec.name}_service", features=[view], owner=spec.owner)
    return [entity, source, view, service]


def lake_source(dataset_key: str, settings: Settings | None = None) -> tuple[str, str | None]:
    """Where Feast reads a lake object: a local path, or an s3:// URI plus its endpoint."""
    settings = settings or get_settings()
    store = get_store()
    if isinstance(store, LocalObjectStore):
        return store.uri(dataset_key), None
    return store.uri(dataset_key), s3_endpoint_url(settings)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Feast prints progress to stdout and warns freely; keep it in the debug log instead."""
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.filterwarnings("ignore", module=r"(feast|dask)(\.|$)")
        yield
    if out.getvalue().strip():
        log.debug("feast: %s", out.getvalue().strip())


def training_columns(spec: ModelSpec) -> list[str]:
    return [spec.entity_key, spec.event_timestamp, *spec.feature_names, spec.target]


def frame_key(spec: ModelSpec, content_hash: str) -> str:
    """Where the training frame of this dataset lives for this feature set.

    Two specs that select different features from the same data get different frames, so
    neither overwrites the frame an earlier version was trained (and is reproduced) on.
    """
    columns = json.dumps([(f.name, f.type) for f in spec.features] + training_columns(spec))
    feature_set = hashlib.sha256(columns.encode()).hexdigest()[:12]
    return f"training/{spec.name}/{content_hash}-{feature_set}.parquet"


def publish_features(spec: ModelSpec, dataset: DatasetRef) -> FrameRef:
    """Apply the spec's definitions, materialize the batch online, build the training frame."""
    store = get_store()
    key = frame_key(spec, dataset.content_hash)
    data = read_parquet(store, dataset.key)
    duplicated = int(data.duplicated([spec.entity_key, spec.event_timestamp]).sum())
    if duplicated:  # Feast would silently keep one of them (validation should have caught it)
        raise ValueError(
            f"{dataset.key}: {duplicated} row(s) repeat a ({spec.entity_key}, "
            f"{spec.event_timestamp}) pair; a point-in-time join needs them unique"
        )
    path, endpoint = lake_source(dataset.key)
    objects = feast_objects(
        spec,
        source_path=path,
        s3_endpoint=endpoint,
        entity_key_type=entity_type(data[spec.entity_key]),
    )
    fs = feature_store()
    with _quiet():
        fs.apply(objects)  # idempotent: unchanged objects are left as they are
    if store.exists(key):
        frame = read_parquet(store, key)
        if list(frame.columns) == training_columns(spec):  # same data, same definitions: reuse
            return _frame_ref(spec, dataset, key, frame)
    times = pd.to_datetime(data[spec.event_timestamp], utc=True)
    with _quiet():
        fs.materialize(
            start_date=times.min().to_pydatetime(),
            end_date=(times.max() + pd.Timedelta(seconds=1)).to_pydatetime(),
            feature_views=[spec.feature_view],
        )
    frame = training_frame(spec, data, fs)
    write_parquet(store, key, frame)
    return _frame_ref(spec, dataset, key, frame)


def _frame_ref(spec: ModelSpec, dataset: DatasetRef, key: str, frame: pd.DataFrame) -> FrameRef:
    return FrameRef(
        model=spec.name,
        content_hash=dataset.content_hash,
        key=key,
        rows=len(frame),
        materialized_entities=int(frame[spec.entity_key].nunique()),
    )


def training_frame(spec: ModelSpec, data: pd.DataFrame, fs: FeatureStore) -> pd.DataFrame:
    """Point-in-time join: each row gets the latest feature values at or before its timestamp."""
    entity_df = data[[spec.entity_key, spec.event_timestamp, spec.target]].rename(
        columns={spec.event_timestamp: FEAST_TS}
    )
    with _quiet():
        service = fs.get_feature_service(f"{spec.name}_service")
        joined = fs.get_historical_features(entity_df=entity_df, features=service).to_df()
    if len(joined) != len(data):
        raise RuntimeError(f"{spec.name}: the join gave {len(joined)} rows, not {len(data)}")
    frame = joined.rename(columns={FEAST_TS: spec.event_timestamp})[training_columns(spec)]
    frame = normalise_dtypes(frame, spec, like=data)
    return frame.sort_values([spec.event_timestamp, spec.entity_key]).reset_index(drop=True)


def normalise_dtypes(frame: pd.DataFrame, spec: ModelSpec, *, like: pd.DataFrame) -> pd.DataFrame:
    """Feast hands back object/float columns; restore the spec's types (and the dataset's keys)."""
    frame = frame.copy()
    for feature in spec.features:
        column = frame[feature.name]
        if feature.type in ("int", "float"):
            numbers = pd.to_numeric(column)
            exact = feature.type == "int" and bool(numbers.notna().all())
            frame[feature.name] = numbers.astype("int64" if exact else "float64")
        elif feature.type == "bool":
            frame[feature.name] = column.astype(bool if column.notna().all() else "boolean")
        else:
            strings = column.map(str, na_action="ignore").astype(object)
            frame[feature.name] = strings.where(strings.notna(), None)
    for name in (spec.entity_key, spec.target):
        frame[name] = frame[name].astype(like[name].dtype)
    stamps = pd.to_datetime(frame[spec.event_timestamp], utc=True)
    original = like[spec.event_timestamp]
    if pd.api.types.is_datetime64_any_dtype(original) and original.dt.tz is None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    frame[spec.event_timestamp] = stamps
    return frame


def online_features(spec: ModelSpec, entity_ids: list[Any]) -> dict[str, list[Any]]:
    """Latest feature values per id from the online store; unknown ids get None and found=False."""
    from feast.protos.feast.serving.ServingService_pb2 import FieldStatus

    if FOUND in spec.feature_names:
        raise ValueError(f"{spec.name}: feature name {FOUND!r} clashes with the found mask")
    fs = feature_store()  # no _quiet() here: it swaps process-wide state, serving is threaded
    response = fs.get_online_features(
        features=fs.get_feature_service(f"{spec.name}_service", allow_cache=True),
        entity_rows=[{spec.entity_key: i} for i in entity_ids],
    )
    values: dict[str, list[Any]] = response.to_dict()
    names = list(response.proto.metadata.feature_names.val)
    statuses = [response.proto.results[names.index(n)].statuses for n in spec.feature_names]
    present = (FieldStatus.PRESENT, FieldStatus.NULL_VALUE)
    found = [any(column[row] in present for column in statuses) for row in range(len(entity_ids))]
    return {
        spec.entity_key: list(entity_ids),
        **{name: values[name] for name in spec.feature_names},
        FOUND: found,
    }
