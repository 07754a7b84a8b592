"""Request and response bodies of the monitoring API (/v1)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
)

from mlaas.drift.results import DriftReport
from mlaas.monitoring.alerts import AlertEvent, AlertRule, Comparator, Severity
from mlaas.monitoring.retrain_policy import RetrainDecision, RetrainEvent
from mlaas.monitoring.run import DriftPoint
from mlaas.monitoring.webhooks import DeliveryAttempt, OutboxItem, Webhook

_WINDOW = re.compile(r"^(\d+)([mhd])$")
_MINUTES = {"m": 1, "h": 60, "d": 1440}


class FeedbackItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(min_length=1, max_length=64)
    label: StrictStr | StrictInt | StrictFloat | bool | None = Field(
        None, description="Classification: the true class (one the model knows)"
    )
    value: StrictFloat | StrictInt | None = Field(
        None, description="Regression: the true value (finite)"
    )


class FeedbackRequest(BaseModel):
    """Ground truth for logged predictions: one item or many (`items`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"items": [{"request_id": "3f1c...-b2:0", "label": 1}]},
                {
                    "items": [
                        {"request_id": "9a8b...", "value": 182500.0},
                        {"request_id": "9a8c...", "value": 99000.0},
                    ],
                    "overwrite": False,
                },
            ]
        },
    )

    items: list[FeedbackItemIn] = Field(min_length=1, max_length=10_000)
    overwrite: StrictBool = Field(
        False, description="Replace feedback already stored for an id (else the first wins)"
    )


class FeedbackItemOut(BaseModel):
    index: int
    request_id: str
    status: Literal["accepted", "updated", "duplicate", "unknown"]
    model: str | None = None
    message: str = ""


class FeedbackResponse(BaseModel):
    accepted: int
    updated: int
    duplicate: int
    unknown: int
    items: list[FeedbackItemOut]


class AlertRuleRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "too-much-drift",
                    "metric": "drifted_share",
                    "comparator": ">=",
                    "threshold": 0.3,
                    "window": "24h",
                    "severity": "critical",
                },
                {
                    "name": "age-shift",
                    "metric": "feature:age:statistic",
                    "comparator": ">",
                    "threshold": 0.1,
                    "window": "6h",
                },
                {
                    "name": "auc-floor",
                    "metric": "roc_auc",
                    "comparator": "<",
                    "threshold": 0.75,
                    "window": "7d",
                },
            ]
        },
    )

    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    metric: str = Field(min_length=1, max_length=256)
    comparator: Comparator
    threshold: StrictFloat | StrictInt = Field(allow_inf_nan=False)  # `false` is no number
    window: str = Field("24h", description="How far back the value is computed: 30m, 6h, 7d")
    severity: Severity = "warning"

    @field_validator("window")
    @classmethod
    def _check_window(cls, value: str) -> str:
        match = _WINDOW.match(value)
        if not match or int(match.group(1)) == 0:
            raise ValueError("expected a positive number of minutes, hours or days: 30m, 6h, 7d")
        return value

    @property
    def window_minutes(self) -> int:
        match = _WINDOW.match(self.window)
        assert match is not None  # checked by the validator
        return int(match.group(1)) * _MINUTES[match.group(2)]


class WebhookRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "https://hooks.example.com/mlaas", "model": "churn"},
                {"url": "https://pager.example.com/hook", "min_severity": "critical"},
            ]
        },
    )

    url: str = Field(min_length=1, max_length=2000)
    model: str | None = Field(None, description="Only this model's alerts (default: all)")
    min_severity: Severity = "info"


class ExpectationFailure(BaseModel):
    """One failing expectation: which, on which column, why, with a few offending values; its
    arguments come as GX names them (`kwargs`, kept as an extra field: a field of that name
    would clash with the model's own __init__)."""

    model_config = ConfigDict(extra="allow")

    expectation: str
    column: str | None = None
    reason: str = ""
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    partial_unexpected_list: list[object] = []
    observed_value: object = None
    exception: str | None = None


class ValidationRecord(BaseModel):
    """One validation of one dataset (its content hash) against the model's suite."""

    id: str
    model: str
    content_hash: str
    suite: str
    success: bool
    statistics: dict[str, float | int | None]
    failures: list[ExpectationFailure]
    created_at: str


class DataQualityResponse(BaseModel):
    model: str
    latest: ValidationRecord | None
    history: list[ValidationRecord]


class WindowOut(BaseModel):
    start: datetime
    end: datetime


class Snapshot(BaseModel):
    """One monitoring run's record: the drift report, live performance and the retrain decision."""

    id: str
    model: str
    version: str
    at: datetime
    window_start: datetime
    window_end: datetime
    rows: int
    drift: DriftReport
    performance: dict[str, object]
    metric_values: dict[str, object]
    decision: RetrainDecision


class SnapshotList(BaseModel):
    model: str
    snapshots: list[Snapshot]


class AlertList(BaseModel):
    alerts: list[AlertEvent]


class RuleList(BaseModel):
    rules: list[AlertRule]


class RetrainList(BaseModel):
    retrains: list[RetrainEvent]


class WebhookList(BaseModel):
    webhooks: list[Webhook]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryAttempt]


class OutboxList(BaseModel):
    deliveries: list[OutboxItem]


class MonitoredModel(BaseModel):
    name: str
    champion: str = Field(description="The version monitoring compares live traffic against")


class MonitoredModels(BaseModel):
    models: list[MonitoredModel]


class DriftHistory(BaseModel):
    model: str
    points: list[DriftPoint]
