"""Features through Feast: definitions made from the spec, apply + materialize, training frame.

A user adding a model writes only YAML: Entity, FileSource, FeatureView and FeatureService are
built here from the spec. The store itself comes from `mlaas.feast_config`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from mlaas.feast_config import feature_store, s3_endpoint_url
from mlaas.refs import DatasetRef, FrameRef
from mlaas.settings import Settings, get_settings
from mlaas.specs import ModelSpec
from mlaas.storage import LocalObjectStore, get_store, read_parquet, write_parquet

if TYPE_CHECKING:
    from feast import FeatureStore
    from feast.feast_object import FeastObject

log = logging.getLogger(__name__)

FEAST_DTYPES = {"int": "Int64", "float": "Float64", "bool": "Bool", "category": "String"}
TTL = timedelta(days=3650)  # features never expire for training; serving wants the latest row
FEAST_TS = "event_timestamp"  # the entity_df timestamp column name Feast looks for
FOUND = "found"  # key of the per-id mask in online_features()
MODEL_TAG = "model"  # every Feast object names the model it belongs to


def entity_type(ids: pd.Series) -> Literal["int", "string"]:
    """The spec does not type the entity key; the ingested data does."""
    return "int" if pd.api.types.is_integer_dtype(ids) else "string"


def entity_name(spec: ModelSpec) -> str:
    """The model's own Feast entity: two specs keyed by a column of the same name (one of ints,
    one of strings) never share, or retype, one entity. The join key stays the column."""
    return f"{spec.name}__{spec.entity_key}"


def feast_objects(
    spec: ModelSpec,
    *,
    source_path: str,
    s3_endpoint: str | None = None,
    entity_key_type: Literal["int", "string"] = "int",
) -> list[FeastObject]:
    """Entity, FileSource, FeatureView and FeatureService for one model, all from its spec."""
    from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType, types

    tags = {MODEL_TAG: spec.name}
    entity = Entity(
        name=entity_name(spec),
        join_keys=[spec.entity_key],
        value_type=ValueType.INT64 if entity_key_type == "int" else ValueType.STRING,
        tags=tags,
    )
    source = FileSource(
        name=f"{spec.feature_view}_source",
        path=source_path,
        timestamp_field=spec.event_timestamp,
        s3_endpoint_override=s3_endpoint,
        tags=tags,
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
        tags=tags,
    )
    service = FeatureService(
        name=f"{spec.name}_service", features=[view], owner=spec.owner, tags=tags
    )
    return [entity, source, view, service]


def _registered(fs: FeatureStore) -> list[Any]:
    return [
        *fs.list_feature_services(),
        *fs.list_feature_views(),
        *fs.list_entities(),
        *fs.list_data_sources(),
    ]


def _owner(item: Any) -> str | None:
    return (getattr(item, "tags", None) or {}).get(MODEL_TAG)


def stale_objects(fs: FeatureStore, model: str, current: list[FeastObject]) -> list[Any]:
    """The model's registered objects that its current definitions no longer name (a renamed
    view, a source or entity from before): applying without them would leave them behind."""
    wanted = {(type(o).__name__, o.name) for o in current}
    return [
        item
        for item in _registered(fs)
        if _owner(item) == model and (type(item).__name__, item.name) not in wanted
    ]


def orphans(fs: FeatureStore, models: set[str]) -> list[Any]:
    """Objects of models that have no spec any more, and entities no view uses (the shared,
    un-namespaced entities of platforms before `entity_name`)."""
    registered = _registered(fs)
    used = {name for view in fs.list_feature_views() for name in view.entities}
    return [
        item
        for item in registered
        if (_owner(item) is not None and _owner(item) not in models)
        or (type(item).__name__ == "Entity" and item.name not in used)
    ]


def remove(fs: FeatureStore, items: list[Any]) -> list[str]:
    """Delete registry objects (views before what they use); their names, for the log."""
    if items:
        with _quiet():
            fs.apply([], objects_to_delete=items, partial=False)
    return [f"{type(item).__name__} {item.name}" for item in items]


def prune_features(models: set[str]) -> list[str]:
    """Remove the Feast objects of deleted specs and unused entities; what was removed."""
    fs = feature_store()
    removed = remove(fs, orphans(fs, models))
    for line in removed:
        log.info("feast: removed %s", line)
    return removed


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
    for line in remove(fs, stale_objects(fs, spec.name, objects)):
        log.info("feast %s: removed %s (no longer in the spec)", spec.name, line)
    times = pd.to_datetime(data[spec.event_timestamp], utc=True)
    with _quiet():  # always: the online store must serve the batch the view now points at
        fs.materialize(
            start_date=times.min().to_pydatetime(),
            end_date=(times.max() + pd.Timedelta(seconds=1)).to_pydatetime(),
            feature_views=[spec.feature_view],
        )
    if store.exists(key):
        frame = read_parquet(store, key)
        if list(frame.columns) == training_columns(spec):  # same data, same definitions: reuse
            return _frame_ref(spec, dataset, key, frame)
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
