"""The model specs the platform knows: what a training job or a pipeline run can be asked for."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mlaas.settings import get_settings
from mlaas.specs import ModelSpec, load_specs
from services.training.deps import TrainKey

router = APIRouter(tags=["specs"])


class SpecSummary(BaseModel):
    name: str
    description: str
    owner: str
    task: str
    target: str
    features: list[str]
    families: list[str] = Field(description="The model families its search may try")
    trials: int
    timeout_seconds: int
    primary_metric: str
    source: str = Field(description="The dataset a run reads unless told otherwise")
    secondary_objective: str | None


class SpecList(BaseModel):
    specs: list[SpecSummary]


def _summary(spec: ModelSpec) -> SpecSummary:
    return SpecSummary(
        name=spec.name,
        description=spec.description,
        owner=spec.owner,
        task=spec.task,
        target=spec.target,
        features=[f.name for f in spec.features],
        families=sorted(spec.training.families),
        trials=spec.training.trials,
        timeout_seconds=spec.training.timeout_seconds,
        primary_metric=spec.training.primary_metric,
        source=spec.dataset.source,
        secondary_objective=spec.training.secondary_objective,
    )


@router.get("/v1/specs")
def specs(key: TrainKey) -> SpecList:
    """Every spec in the specs folder (`MLAAS_SPECS_DIR`), by name."""
    found = sorted(load_specs(get_settings().specs_dir), key=lambda s: s.name)
    found = [spec for spec in found if key.allows_model(spec.name)]
    return SpecList(specs=[_summary(s) for s in found])
