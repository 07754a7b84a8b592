"""Alert history and webhooks."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from mlaas.auth import ApiKey
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
from services.common import check_model, require_json
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
    """Firing and resolved events, newest first (a rule fires once until it resolves); a key
    limited to models sees only theirs."""
    if model is not None:
        check_model(key, model)
    events = alert_history(model=model, state=state, limit=limit)
    return AlertList(alerts=[event for event in events if key.allows_model(event.model)])


@router.get("/alerts/outbox")
def alert_outbox(
    key: MonitorKey,
    model: str | None = None,
    state: Literal["pending", "delivered", "refused", "expired"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OutboxList:
    """Every alert delivery (event x webhook) and where it stands: pending (retried with
    exponential back-off), delivered, refused (the receiver answered a final 4xx) or expired;
    attempts, the next attempt's time and the last status or error. Oldest first; a key
    limited to models sees only theirs."""
    if model is not None:
        check_model(key, model)
    rows = outbox(model=model, state=state, limit=limit)
    return OutboxList(deliveries=[row for row in rows if key.allows_model(row.model)])


@router.post("/webhooks", status_code=201, responses=errors(404))
def create_webhook(body: WebhookRequest, key: MonitorKey) -> Webhook:
    """Register a URL that receives alert events as JSON POSTs (one model's, or all).

    Each event carries `idempotency_key` (also the `Idempotency-Key` header): retries of the
    same event repeat it. Failed deliveries stay in the outbox (`GET /v1/alerts/outbox`) and are
    retried with exponential back-off until delivered or expired."""
    if body.model is not None:
        check_model(key, body.model)
        served_version(body.model)
    elif key.limited_to is not None:
        raise ApiError(
            403,
            "model_not_allowed",
            f"this key is limited to models {list(key.limited_to)}: name one of them in "
            "`model` (a webhook without one receives every model's alerts)",
        )
    return add_webhook(
        body.url, model=body.model, min_severity=body.min_severity, actor=actor(key)
    )


@router.get("/webhooks")
def webhooks(key: MonitorKey, model: str | None = None) -> WebhookList:
    """All webhooks, or those a model's events go to (its own and the global ones); a key
    limited to models sees only its models' own webhooks."""
    if model is not None:
        check_model(key, model)
    return WebhookList(webhooks=[hook for hook in list_webhooks(model) if _visible(key, hook)])


def _visible(key: ApiKey, hook: Webhook) -> bool:
    """Global webhooks (every model's alerts) only to keys that reach every model."""
    return key.allows_model(hook.model) if hook.model else key.limited_to is None


def _own_webhook(key: ApiKey, webhook_id: str) -> None:
    """404 for a webhook the key may not see (as for one that does not exist)."""
    if not any(hook.id == webhook_id and _visible(key, hook) for hook in list_webhooks()):
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id!r}")


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=errors(404))
def remove_webhook(webhook_id: str, key: MonitorKey) -> Response:
    _own_webhook(key, webhook_id)
    if not delete_webhook(webhook_id):
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id!r}")
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", responses=errors(404))
def webhook_deliveries(
    webhook_id: str, key: MonitorKey, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> DeliveryList:
    """The webhook's delivery attempts, newest first: status code or error, delivered or not."""
    _own_webhook(key, webhook_id)
    found = attempts_of(webhook_id, limit=limit)
    if found is None:
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id!r}")
    return DeliveryList(deliveries=found)
