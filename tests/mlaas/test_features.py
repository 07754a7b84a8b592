"""Feature publishing through real Feast (SQLite online store, parquet offline store)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlaas.db import datasets, get_engine
from mlaas.feast_config import FeastConfigError, repo_config
from mlaas.features import frame_key, online_features, publish_features
from mlaas.refs import DatasetRef
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec
from mlaas.storage import get_store, read_parquet, write_parquet
from tests.factories import reset_platform_caches, small_spec

REPEATED = 7  # a customer seen four times, with different values each time
UNKNOWN = 999_999


def churn_frame(rows: int = 200) -> pd.DataFrame:
    """Rows over 90 days for 60 customers; REPEATED has four rows with distinct ages/countries."""
    rng = np.random.default_rng(7)
    start = pd.Timestamp("2025-01-01", tz="UTC")
    frame = pd.DataFrame(
        {
            "customer_id": rng.integers(1, 61, rows),
            "event_timestamp": start + pd.to_timedelta(rng.permutation(90 * 24)[:rows], unit="h"),
            "age": rng.integers(18, 80, rows),
            "tenure_months": rng.integers(0, 120, rows),
            "balance": rng.normal(5_000, 1_500, rows).round(2),
            "num_products": rng.integers(1, 5, rows),
            "credit_score": rng.integers(300, 850, rows),
            "estimated_salary": rng.normal(50_000, 10_000, rows).round(2),
            "support_calls": rng.integers(0, 10, rows),
            "has_credit_card": rng.random(rows) < 0.6,
            "is_active_member": rng.random(rows) < 0.5,
            "country": rng.choice(["France", "Germany", "Spain"], rows).astype(object),
            "gender": rng.choice(["Female", "Male"], rows).astype(object),
            "churned": rng.integers(0, 2, rows),
        }
    )
    frame.loc[frame["customer_id"] == REPEATED, "customer_id"] = REPEATED + 1
    history = frame.tail(4).copy()  # the last four rows become REPEATED's history
    history["customer_id"] = REPEATED
    history["event_timestamp"] = start + pd.to_timedelta([100, 400, 900, 1500], unit="h")
    history["age"] = [40, 41, 42, 43]
    history["country"] = ["France", "Spain", "Germany", "Spain"]
    frame.loc[5, "balance"] = np.nan  # a missing float stays a float NaN
    frame.loc[6, "country"] = None  # a missing category stays None
    return pd.concat([frame.head(rows - 4), history], ignore_index=True)


def ingest_frame(spec: ModelSpec, frame: pd.DataFrame) -> DatasetRef:
    """What ingestion leaves behind: the batch in the lake under its content hash."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame).values.tobytes()).hexdigest()
    key = f"datasets/{spec.name}/{digest}.parquet"
    uri = write_parquet(get_store(), key, frame)
    return DatasetRef(
        model=spec.name, content_hash=digest, key=key, uri=uri, source="test", rows=len(frame)
    )


def test_publish_features_builds_point_in_time_training_frame(mlaas_home: Path) -> None:
    spec = small_spec("churn")
    frame = churn_frame()
    dataset = ingest_frame(spec, frame)

    ref = publish_features(spec, dataset)

    assert ref.key == frame_key(spec, dataset.content_hash)
    assert ref.key.startswith(f"training/churn/{dataset.content_hash}-")
    assert ref.rows == len(frame) == 200
    assert ref.materialized_entities == frame["customer_id"].nunique()
    training = read_parquet(get_store(), ref.key)
    columns = ["customer_id", "event_timestamp", *spec.feature_names, "churned"]
    assert list(training.columns) == columns
    expected_dtypes = {
        "customer_id": "int64",
        "event_timestamp": "datetime64[ns, UTC]",
        "age": "int64",
        "balance": "float64",
        "has_credit_card": "bool",
        "country": "object",
        "churned": "int64",
    }
    assert {c: str(training[c].dtype) for c in expected_dtypes} == expected_dtypes
    assert training["event_timestamp"].is_monotonic_increasing
    assert training["balance"].isna().sum() == 1
    assert training["country"].isna().sum() == 1
    assert set(training["country"].dropna()) <= {"France", "Germany", "Spain"}
    # Point in time: each of REPEATED's rows carries the values of its own time, not the latest.
    history = training[training["customer_id"] == REPEATED]
    assert history["age"].tolist() == [40, 41, 42, 43]
    assert history["country"].tolist() == ["France", "Spain", "Germany", "Spain"]
    # The whole frame equals the source rows joined on (customer, time).
    source = frame.sort_values(["event_timestamp", "customer_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(training, source[columns])


def test_online_features_returns_latest_values(mlaas_home: Path) -> None:
    spec = small_spec("churn")
    frame = churn_frame()
    publish_features(spec, ingest_frame(spec, frame))

    online = online_features(spec, [REPEATED, UNKNOWN])

    assert online["customer_id"] == [REPEATED, UNKNOWN]
    assert online["found"] == [True, False]
    assert online["age"] == [43, None]
    assert online["country"] == ["Spain", None]
    latest = frame[frame["customer_id"] == REPEATED].iloc[-1]
    assert online["has_credit_card"][0] == bool(latest["has_credit_card"])
    assert online["balance"][0] == pytest.approx(float(latest["balance"]))
    assert set(online) == {"customer_id", "found", *spec.feature_names}


def test_publish_features_is_idempotent(mlaas_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlaas import features

    spec = small_spec("churn")
    dataset = ingest_frame(spec, churn_frame())
    first = publish_features(spec, dataset)
    written = get_store().get_bytes(first.key)

    def no_join(*args: object) -> None:
        raise AssertionError("the training frame was rebuilt")

    monkeypatch.setattr(features, "training_frame", no_join)
    second = publish_features(spec, dataset)

    assert second == first
    assert get_store().get_bytes(first.key) == written  # reused, not rebuilt


def test_full_config_parses_with_redis_url(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLAAS_FEAST_CONFIG", "feature_store.full.yaml")
    monkeypatch.setenv("MLAAS_REDIS_URL", "redis://:s3cret@redis.internal:6380/2")
    monkeypatch.setenv("MLAAS_DATABASE_URL", "postgresql+psycopg2://mlaas:pw@postgres/mlaas")
    reset_platform_caches()

    config = repo_config()

    assert config.project == "mlaas"
    assert config.online_store.type == "redis"
    assert config.online_store.connection_string == "redis.internal:6380,db=2,password=s3cret"
    assert config.registry.registry_type == "sql"
    assert config.registry.path == "postgresql+psycopg2://mlaas:pw@postgres/mlaas"
    assert config.offline_store.type == "file"


def test_embedded_config_lives_under_home(mlaas_home: Path) -> None:
    config = repo_config()

    assert config.registry.path == f"sqlite:///{mlaas_home.resolve()}/feast/registry.db"
    assert config.online_store.path == f"{mlaas_home.resolve()}/feast/online_store.db"


def test_unresolved_variable_names_the_variable(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLAAS_FEAST_CONFIG", "feature_store.full.yaml")  # needs Redis
    reset_platform_caches()

    with pytest.raises(FeastConfigError, match=r"MLAAS_REDIS_CONNECTION.*MLAAS_REDIS_URL"):
        repo_config()


def test_publish_features_refuses_repeated_entity_times(mlaas_home: Path) -> None:
    spec = small_spec("churn")
    frame = churn_frame()
    twin = frame.iloc[[10]].assign(churned=1 - frame["churned"].iloc[10])
    dataset = ingest_frame(spec, pd.concat([frame, twin], ignore_index=True))

    with pytest.raises(ValueError, match=r"1 row\(s\) repeat a \(customer_id, event_timestamp\)"):
        publish_features(spec, dataset)


def test_definitions_expose_the_latest_batch_to_the_feast_cli(mlaas_home: Path) -> None:
    from feast.repo_operations import parse_repo

    spec = small_spec("churn")
    dataset = ingest_frame(spec, churn_frame())
    row = {"model": "churn", "uri": dataset.uri, "source": "test", "rows": dataset.rows}
    with get_engine().begin() as conn:
        conn.execute(
            datasets.insert().values(
                **row, content_hash=dataset.content_hash, columns=[], status="validated"
            )
        )
    repo = get_settings().feature_repo_dir
    sys.path.insert(0, str(repo))  # what the feast CLI does before importing the repo files
    try:
        contents = parse_repo(repo)
    finally:
        sys.path.remove(str(repo))
        sys.modules.pop("definitions", None)

    assert [view.name for view in contents.feature_views] == ["churn_features"]  # house: no batch
    assert contents.feature_views[0].batch_source.path == dataset.uri
    assert [service.name for service in contents.feature_services] == ["churn_service"]
    assert "churn__customer_id" in [entity.name for entity in contents.entities]


def test_two_specs_keyed_by_one_column_name_with_other_types_keep_their_own_entities(
    mlaas_home: Path,
) -> None:
    from feast import Entity

    from mlaas.features import feature_store, prune_features

    numbers = small_spec("churn")
    text = numbers.model_copy(update={"name": "churn_text", "feature_view": "churn_text_features"})
    frame = churn_frame()
    publish_features(numbers, ingest_frame(numbers, frame))
    labelled = frame.assign(customer_id="c" + frame["customer_id"].astype(str))
    publish_features(text, ingest_frame(text, labelled))

    fs = feature_store()
    types = {e.name: e.value_type.name for e in fs.list_entities()}
    assert types == {"churn__customer_id": "INT64", "churn_text__customer_id": "STRING"}
    assert online_features(numbers, [REPEATED])["age"] == [43]  # both still serve
    assert online_features(text, [f"c{REPEATED}"])["age"] == [43]

    # A spec that is deleted leaves its objects; pruning removes them, and any entity no view
    # uses (the shared entities of earlier platforms).
    fs.apply([Entity(name="customer_id", join_keys=["customer_id"])])
    removed = prune_features({"churn"})
    assert sorted(removed) == [
        "Entity churn_text__customer_id",
        "Entity customer_id",
        "FeatureService churn_text_service",
        "FeatureView churn_text_features",
        "FileSource churn_text_features_source",
    ]
    assert [v.name for v in fs.list_feature_views()] == ["churn_features"]
    assert online_features(numbers, [REPEATED])["age"] == [43]


def test_a_renamed_feature_view_replaces_the_old_one(mlaas_home: Path) -> None:
    from mlaas.features import feature_store

    spec = small_spec("churn")
    dataset = ingest_frame(spec, churn_frame())
    publish_features(spec, dataset)
    renamed = spec.model_copy(update={"feature_view": "churn_features_v2"})
    publish_features(renamed, dataset)
    fs = feature_store()
    assert [v.name for v in fs.list_feature_views()] == ["churn_features_v2"]
    assert [s.name for s in fs.list_data_sources()] == ["churn_features_v2_source"]
