"""Request and response bodies of the native API (/v1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PredictionItem(BaseModel):
    output: float | int | str
    probabilities: dict[str, float] | None = Field(
        None, description="Classifiers: the probability of every class, by class label"
    )
    explanation: dict[str, float] | None = Field(
        None,
        description="With `explain: true`: each feature's contribution and `_base`; they add "
        "up to the explained output (log-odds of `explained_class` for most classifiers)",
    )
    explained_class: float | int | str | None = Field(
        None,
        description="Classifiers: the class the explanation explains (binary: the positive "
        "class; multi-class: the predicted one)",
    )
    missing: list[str] | None = Field(
        None,
        description="Only when the record had nulls: the features it sent as null (how each "
        "reaches the model: `when_null` in `GET /v1/models/{name}`)",
    )
    imputed: dict[str, float | int | str] | None = Field(
        None,
        description="Only when the record had nulls: the value that replaced each imputed "
        "null (a feature the model takes as missing natively, or as a category of its own, "
        "is in `missing` only)",
    )


class PredictResponse(BaseModel):
    request_id: str
    model: str
    version: str
    variant: str
    cached: bool
    predictions: list[PredictionItem]


class RoutingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # false is not a weight, 0 no switch

    challenger_weight: float = Field(ge=0.0, le=1.0)
    shadow: bool = False
    reason: str = ""


# -- answers of the routes that build their JSON themselves (documented; checked by the tests) --


class ServedModel(BaseModel):
    name: str
    aliases: dict[str, str] = Field(description="alias -> version served under it")


class ServedModels(BaseModel):
    models: list[ServedModel]


class WhenNull(BaseModel):
    strategy: str = Field(
        description="How a null reaches the model: `median`, `mean` or `most_frequent` (the "
        "training statistic replaces it), `native` (the model takes it as missing) or "
        "`category` (missing is a category of its own)"
    )
    value: float | int | str | None = Field(None, description="The value that replaces a null")


class FeatureSignature(BaseModel):
    name: str
    type: str
    accepts: str
    categories: list[str] | None = Field(
        None,
        description="A category feature's training categories (any other is unseen: it sets "
        "none of the feature's one-hot columns)",
    )
    when_null: WhenNull | None = Field(
        None, description="How a null reaches the model (absent for a model on the generic path)"
    )


class SignatureOutputs(BaseModel):
    task: str
    target: str
    classes: list[str]
    positive_class: str | None = Field(
        None, description="Binary classifiers: the class `decision_threshold` is about"
    )
    decision_threshold: float | None = Field(
        None,
        description="Binary classifiers: the probability of the positive class at or above "
        "which the answer is the positive class (fixed by the spec or tuned in training)",
    )


class Signature(BaseModel):
    inputs: list[FeatureSignature]
    outputs: SignatureOutputs


class VersionSummary(BaseModel):
    version: str
    aliases: list[str]
    metrics: dict[str, float] = Field(description="Holdout metrics")
    lineage: dict[str, str]


class Routing(BaseModel):
    model: str
    challenger_weight: float
    shadow: bool
    updated_at: str | None
    updated_by: str | None


class ModelDetail(BaseModel):
    name: str
    task: str
    served: dict[str, str]
    signature: Signature
    routing: Routing
    versions: list[VersionSummary]


class Importance(BaseModel):
    model: str
    version: str
    importance: dict[str, float] = Field(description="Share of each feature (sums to 1)")


class Reloaded(BaseModel):
    changes: list[str]
    served: dict[str, dict[str, str]]


class JobQueued(BaseModel):
    job_id: str
    status: Literal["queued"]


class JobStatus(BaseModel):
    id: str
    model: str
    kind: str
    request_id: str
    submitted_at: str
    status: Literal["queued", "running", "succeeded", "failed"]
    result: dict[str, Any] | None = None
    error: str | None = None


class MlflowPredictions(BaseModel):
    predictions: list[Any]


class V2Tensor(BaseModel):
    name: str
    datatype: str
    shape: list[int]
    parameters: dict[str, Any] | None = Field(
        None,
        description="`predict_proba`: `classes`, the class of each column, in order",
    )


class V2ModelMetadata(BaseModel):
    name: str
    versions: list[str]
    platform: str
    inputs: list[V2Tensor]
    outputs: list[V2Tensor]


class V2ModelReady(BaseModel):
    name: str
    ready: bool


class V2OutputTensor(V2Tensor):
    data: list[Any]


class V2InferResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    outputs: list[V2OutputTensor]


class V2ServerMetadata(BaseModel):
    name: str
    version: str
    extensions: list[str]
