"""Request and response bodies of the native API (/v1)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlaas.data.churn import EXAMPLE_RECORD

Record = dict[str, Any]


class PredictRequest(BaseModel):
    """Feature values (one record or a list) or entity ids looked up in the feature store."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "features": dict(EXAMPLE_RECORD),
                    "explain": True,
                },
                {"entity_ids": [1001, 1002]},
            ]
        },
    )

    features: Record | list[Record] | None = None
    entity_ids: list[int | str] | None = None
    explain: bool = False
    routing_key: str | None = Field(None, description="Same key, same variant (A/B stickiness)")

    @model_validator(mode="after")
    def _one_input(self) -> PredictRequest:
        if (self.features is None) == (self.entity_ids is None):
            raise ValueError("give exactly one of 'features' or 'entity_ids'")
        return self

    def records(self) -> list[Record]:
        if isinstance(self.features, dict):
            return [self.features]
        return list(self.features or [])


class PredictionItem(BaseModel):
    output: float | int | str
    probabilities: dict[str, float] | None = None
    explanation: dict[str, float] | None = None


class PredictResponse(BaseModel):
    request_id: str
    model: str
    version: str
    variant: str
    cached: bool
    predictions: list[PredictionItem]


class RoutingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenger_weight: float = Field(ge=0.0, le=1.0)
    shadow: bool = False
    reason: str = ""
