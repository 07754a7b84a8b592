"""Rebuild a registered version from its lineage and check it gets the same holdout metrics.

The lineage tags name everything needed: the dataset by content hash (re-hashed here, so silent
corruption of the lake is caught), the exact spec by hash (snapshot in the platform DB), the model
family, its hyper-parameters and the seed. The code revision is compared and reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlaas.lineage import code_revision, load_spec_snapshot
from mlaas.registry import get_version

TOLERANCE = 1e-9


# Retrain modes whose model starts from the champion's fitted state (docs/retraining.md).
BUILT_ON_A_CHAMPION = ("incremental", "recalibration", "stacking")


class LineageError(LookupError):
    """A version whose lineage is incomplete or whose data no longer matches its hash."""


@dataclass(frozen=True)
class ReproduceReport:
    model: str
    version: str
    registered: dict[str, float]
    rebuilt: dict[str, float]
    code_then: str
    code_now: str

    @property
    def identical(self) -> bool:
        return set(self.registered) == set(self.rebuilt) and all(
            abs(self.registered[k] - self.rebuilt[k]) <= TOLERANCE for k in self.registered
        )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "metric": k,
                "registered": self.registered[k],
                "rebuilt": self.rebuilt.get(k),
                "abs_diff": abs(self.registered[k] - self.rebuilt.get(k, float("nan"))),
            }
            for k in sorted(self.registered)
        ]

    def summary(self) -> str:
        verdict = "reproduced" if self.identical else "NOT reproduced"
        code = (
            "same code"
            if self.code_then == self.code_now
            else (f"code then {self.code_then[:12]}, now {self.code_now[:12]}")
        )
        return f"{self.model} v{self.version}: {verdict} (tolerance {TOLERANCE:g}; {code})"


def reproduce(model: str, version: str) -> ReproduceReport:
    from mlaas.features import publish_features
    from mlaas.ingest import content_hash
    from mlaas.refs import DatasetRef
    from mlaas.storage import get_store, read_parquet
    from mlaas.training.train import refit_and_score

    info = get_version(model, version)
    tags = info.lineage()
    missing = [
        k for k in ("data_hash", "spec_hash", "family", "params", "frame_key") if k not in tags
    ]
    if missing:
        raise LineageError(f"{model} v{version}: lineage tags missing: {missing}")
    mode = tags.get("retrain_mode", "full")
    if mode in BUILT_ON_A_CHAMPION:
        raise LineageError(
            f"{model} v{version} was trained in retrain mode {mode!r}, on top of an earlier "
            "champion: rebuilding it from data alone would give another model"
        )
    spec = load_spec_snapshot(tags["spec_hash"])
    store = get_store()
    dataset_key = f"datasets/{model}/{tags['data_hash']}.parquet"
    if not store.exists(dataset_key):
        raise LineageError(f"{model} v{version}: dataset {dataset_key} is gone from the lake")
    data = read_parquet(store, dataset_key)
    if content_hash(data) != tags["data_hash"]:
        raise LineageError(f"{model} v{version}: {dataset_key} no longer matches its hash")
    if not store.exists(tags["frame_key"]):  # rebuild the point-in-time frame from the dataset
        ref = DatasetRef(
            model=model,
            content_hash=tags["data_hash"],
            key=dataset_key,
            uri=store.uri(dataset_key),
            source=f"lake:{dataset_key}",
            rows=len(data),
        )
        publish_features(spec, ref)
    rebuilt = refit_and_score(spec, tags["frame_key"], tags["family"], json.loads(tags["params"]))
    registered = {
        k.removeprefix("holdout_"): v for k, v in info.metrics.items() if k.startswith("holdout_")
    }
    return ReproduceReport(
        model=model,
        version=version,
        registered=registered,
        rebuilt={k: float(v) for k, v in rebuilt.items() if k in registered},
        code_then=tags.get("git_revision", "unknown"),
        code_now=code_revision(),
    )
