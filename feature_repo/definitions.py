"""Feast objects for the `feast` CLI (`feast plan`, `feast apply`, `feast ui`), generated.

Each spec in ../specs yields one Entity, FileSource, FeatureView and FeatureService
(mlaas.features.feast_objects), reading the model's latest ingested, non-quarantined batch in the
lake; models with no batch yet are skipped. Every object is bound to a module variable named after
its `name=`, which is how the CLI finds it. The platform itself does not import this file:
`mlaas.features.publish_features` applies the same objects for each batch it publishes.
"""

from __future__ import annotations

from sqlalchemy import select

from mlaas.db import datasets, get_engine
from mlaas.features import entity_type, feast_objects, lake_source
from mlaas.settings import get_settings
from mlaas.specs import load_specs
from mlaas.storage import get_store, read_parquet

with get_engine().connect() as _conn:
    for _spec in load_specs(get_settings().specs_dir):
        _latest = _conn.execute(
            select(datasets.c.content_hash)
            .where(datasets.c.model == _spec.name, datasets.c.status != "quarantined")
            .order_by(datasets.c.ingested_at.desc())
            .limit(1)
        ).scalar()
        if _latest is None:
            continue
        _key = f"datasets/{_spec.name}/{_latest}.parquet"
        _path, _endpoint = lake_source(_key)
        _ids = read_parquet(get_store(), _key)[_spec.entity_key]
        for _obj in feast_objects(
            _spec, source_path=_path, s3_endpoint=_endpoint, entity_key_type=entity_type(_ids)
        ):
            globals()[_obj.name] = _obj  # e.g. churn_features, churn_service, customer_id
