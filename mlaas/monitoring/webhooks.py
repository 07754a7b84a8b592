"""Alert notifications to webhooks, with retries, back-off and de-duplication.

A webhook belongs to one model or, with no model, to all. Each event is POSTed as JSON with the
event id as idempotency key (in the body and the `Idempotency-Key` header), so a receiver that
sees a retry can drop it. A failed attempt (connection error, timeout, 429 or 5xx) is retried up
to `settings.webhook_retries` times with exponential back-off; other 4xx answers are final. Every
attempt is recorded, and an event already delivered to a webhook is never sent to it again
(`notify` can be called again safely, e.g. to retry later what failed now).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel
from sqlalchemy import case, delete, func, or_, select

from mlaas.db import as_utc, get_engine, new_id, utcnow
from mlaas.errors import FieldError
from mlaas.monitoring.alerts import SEVERITY_RANK, AlertEvent, Severity
from mlaas.monitoring.tables import webhook_deliveries, webhooks
from mlaas.settings import get_settings

log = logging.getLogger("mlaas.monitoring.webhooks")

IDEMPOTENCY_HEADER = "Idempotency-Key"
BACKOFF_BASE_S = 0.5  # wait before retry k: base * 2**(k-1)
_RETRIED_STATUS = {408, 425, 429}


class WebhookError(FieldError):
    """A webhook that cannot be registered; `field` names the part at fault."""

    code = "invalid_webhook"


class Webhook(BaseModel):
    id: str
    model: str | None
    url: str
    min_severity: Severity
    created_at: datetime
    created_by: str


class Delivery(BaseModel):
    event_id: str
    webhook_id: str
    delivered: bool
    attempts: int
    status_code: int | None = None
    error: str | None = None
    skipped: bool = False  # already delivered earlier


def _webhook(row: Any) -> Webhook:
    data = dict(row._mapping)
    data["created_at"] = as_utc(data["created_at"])
    return Webhook.model_validate(data)


def add_webhook(
    url: str,
    *,
    model: str | None = None,
    min_severity: Severity = "info",
    actor: str | None = None,
) -> Webhook:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebhookError("url", f"expected an http(s) URL, got {url!r}")
    if min_severity not in SEVERITY_RANK:
        raise WebhookError("min_severity", f"expected one of {list(SEVERITY_RANK)}")
    row = {
        "id": new_id(),
        "model": model,
        "url": url,
        "min_severity": min_severity,
        "created_at": utcnow(),
        "created_by": actor or get_settings().actor,
    }
    with get_engine().begin() as conn:
        conn.execute(webhooks.insert().values(**row))
    return Webhook.model_validate(row)


def list_webhooks(model: str | None = None, *, include_global: bool = True) -> list[Webhook]:
    """A model's webhooks (and the global ones), or every webhook when `model` is None."""
    query = select(webhooks).order_by(webhooks.c.created_at)
    if model is not None:
        condition = webhooks.c.model == model
        query = query.where(
            or_(condition, webhooks.c.model.is_(None)) if include_global else condition
        )
    with get_engine().connect() as conn:
        return [_webhook(row) for row in conn.execute(query)]


def delete_webhook(webhook_id: str) -> bool:
    """Remove a webhook (its delivery records stay); False when there is no such webhook."""
    with get_engine().begin() as conn:
        return bool(conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id)).rowcount)


def _delivered(event_id: str, webhook_id: str) -> bool:
    query = select(webhook_deliveries.c.id).where(
        webhook_deliveries.c.event_id == event_id,
        webhook_deliveries.c.webhook_id == webhook_id,
        webhook_deliveries.c.delivered.is_(True),
    )
    with get_engine().connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def _record(
    event_id: str,
    webhook_id: str,
    attempt: int,
    status: int | None,
    error: str | None,
    delivered: bool,
) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            webhook_deliveries.insert().values(
                id=new_id(),
                event_id=event_id,
                webhook_id=webhook_id,
                attempt=attempt,
                at=utcnow(),
                status_code=status,
                error=error,
                delivered=delivered,
            )
        )


def payload(event: AlertEvent) -> dict[str, Any]:
    return {
        "type": "mlaas.alert",
        "idempotency_key": event.id,
        **event.model_dump(mode="json"),
    }


def deliver(
    event: AlertEvent, hook: Webhook, *, client: httpx.Client, retries: int, backoff_s: float
) -> Delivery:
    """POST one event to one webhook: up to 1 + `retries` attempts, each recorded."""
    if _delivered(event.id, hook.id):
        return Delivery(
            event_id=event.id, webhook_id=hook.id, delivered=True, attempts=0, skipped=True
        )
    body = payload(event)
    status: int | None = None
    error: str | None = None
    for attempt in range(1, retries + 2):
        if attempt > 1:
            time.sleep(backoff_s * 2 ** (attempt - 2))
        try:
            response = client.post(hook.url, json=body, headers={IDEMPOTENCY_HEADER: event.id})
            status, error = response.status_code, None
            ok = response.is_success
            retry = status >= 500 or status in _RETRIED_STATUS
            if not ok:
                error = f"HTTP {status}: {response.text[:200]}"
        except httpx.HTTPError as failure:
            status, error, ok, retry = None, f"{type(failure).__name__}: {failure}", False, True
        _record(event.id, hook.id, attempt, status, error, ok)
        if ok or not retry:
            return Delivery(
                event_id=event.id,
                webhook_id=hook.id,
                delivered=ok,
                attempts=attempt,
                status_code=status,
                error=error,
            )
    log.warning("webhook %s: event %s not delivered: %s", hook.url, event.id, error)
    return Delivery(
        event_id=event.id,
        webhook_id=hook.id,
        delivered=False,
        attempts=retries + 1,
        status_code=status,
        error=error,
    )


def notify(
    events: list[AlertEvent],
    *,
    retries: int | None = None,
    timeout_s: float | None = None,
    backoff_s: float = BACKOFF_BASE_S,
) -> list[Delivery]:
    """Send each event to the webhooks of its model and the global ones (severity allowing)."""
    settings = get_settings()
    retries = settings.webhook_retries if retries is None else retries
    timeout = settings.webhook_timeout_s if timeout_s is None else timeout_s
    results: list[Delivery] = []
    hooks_by_model: dict[str, list[Webhook]] = {}
    with httpx.Client(timeout=timeout) as client:
        for event in events:
            if event.model not in hooks_by_model:
                hooks_by_model[event.model] = list_webhooks(event.model)
            for hook in hooks_by_model[event.model]:
                if SEVERITY_RANK[event.severity] < SEVERITY_RANK[hook.min_severity]:
                    continue
                results.append(
                    deliver(event, hook, client=client, retries=retries, backoff_s=backoff_s)
                )
    return results


class DeliveryAttempt(BaseModel):
    """One HTTP attempt to deliver an alert event to a webhook."""

    event_id: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    delivered: bool


def attempts_of(webhook_id: str, *, limit: int = 100) -> list[DeliveryAttempt] | None:
    """A webhook's delivery attempts, newest first; None when there is no such webhook."""
    with get_engine().connect() as conn:
        if conn.execute(select(webhooks.c.id).where(webhooks.c.id == webhook_id)).first() is None:
            return None
        rows = conn.execute(
            select(webhook_deliveries)
            .where(webhook_deliveries.c.webhook_id == webhook_id)
            .order_by(webhook_deliveries.c.at.desc(), webhook_deliveries.c.attempt.desc())
            .limit(limit)
        )
        return [
            DeliveryAttempt.model_validate({**row._mapping, "at": as_utc(row._mapping["at"])})
            for row in rows
        ]


def deliveries(event_id: str) -> list[dict[str, Any]]:
    query = (
        select(webhook_deliveries)
        .where(webhook_deliveries.c.event_id == event_id)
        .order_by(webhook_deliveries.c.at, webhook_deliveries.c.attempt)
    )
    with get_engine().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


DELIVERY_OUTCOMES = ("delivered", "rejected", "unreachable")


def delivery_counts() -> dict[str, int]:
    """Delivery attempts ever made, by outcome: delivered (2xx), rejected (the receiver answered
    another status), unreachable (no answer: refused, timed out). Every outcome, 0 included."""
    rows = webhook_deliveries.c
    outcome = case(
        (rows.delivered.is_(True), "delivered"),
        (rows.status_code.is_not(None), "rejected"),
        else_="unreachable",
    )
    query = select(outcome, func.count()).group_by(outcome)
    with get_engine().connect() as conn:
        counts = {str(name): int(n) for name, n in conn.execute(query)}
    return {name: counts.get(name, 0) for name in DELIVERY_OUTCOMES}
