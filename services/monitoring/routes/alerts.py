"""Alert history and webhooks."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from mlaas.monitoring.alerts import alert_history
from mlaas.monitoring.context import served_version
from mlaas.monitoring.webhooks import (
    Webhook,
    add_webhook,
    attempts_of,
    delete_webhook,
    list_webhooks,
    outbox,
)
from services.common import require_json
from services.contract import ApiError, errors
from services.monitoring.deps import MonitorKey, actor
from services.monitoring.schemas import (
    AlertList,
    DeliveryList,
    OutboxList,
    WebhookList,
    WebhookRequest,
)

router = APIRouter(prefix="/v1", tags=["alerts"], dependencies=[Depends(require_json)])


@router.get("/alerts")
def alerts(
    key: MonitorKey,
    model: str | None = None,
    state: Literal["firing", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AlertList:
    """Firing and resolved events, newest first (a rule fires once until it resolves)."""
    return AlertList(alerts=alert_history(model=model, state=state, limit=limit))


@router.get("/alerts/outbox")
def alert_outbox(
    key: MonitorKey,
    model: str | None = None,
    state: Literal["pending", "delivered", "refused", "expired"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OutboxList:
    """Every alert delivery (event x webhook) and where it stands: pending (retried with
    exponential back-off), delivered, refused (the receiver answered a final 4xx) or expired;
    attempts, the next attempt's time and the last status or error. Oldest first."""
    return OutboxList(deliveries=outbox(model=model, state=state, limit=limit))


@router.post("/webhooks", status_code=201, responses=errors(404))
def create_webhook(body: WebhookRequest, key: MonitorKey) -> Webhook:
    """Register a URL that receives alert events as JSON POSTs (one model's, or all).

    Each event carries `idempotency_key` (also the `Idempotency-Key` header): retries of the
    same event repeat it. Failed deliveries stay in the outbox (`GET /v1/alerts/outbox`) and are
    retried with exponential back-off until delivered or expired."""
    if body.model is not None:
        served_version(body.model)
    return add_webhook(
        body.url, model=body.model, min_severity=body.min_severity, actor=actor(key)
    )


@router.get("/webhooks")
def webhooks(key: MonitorKey, model: str | None = None) -> WebhookList:
    """All webhooks, or those a model's events go to (its own and the global ones)."""
    return WebhookList(webhooks=list_webhooks(model))


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=errors(404))
def remove_webhook(webhook_id: str, key: MonitorKey) -> Response:
    if not delete_webhook(webhook_id):
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id!r}")
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", responses=errors(404))
def webhook_deliveries(
    webhook_id: str, key: MonitorKey, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> DeliveryList:
    """The webhook's delivery attempts, newest first: status code or error, delivered or not."""
    found = attempts_of(webhook_id, limit=limit)
    if found is None:
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id!r}")
    return DeliveryList(deliveries=found)
