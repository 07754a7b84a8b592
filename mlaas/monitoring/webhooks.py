"""Alert notifications to webhooks through an outbox: every delivery is kept until it is
delivered, refused or expired.

A webhook belongs to one model or, with no model, to all. `notify` (the monitoring run) puts one
`webhook_outbox` row per (event, webhook) with the exact JSON body, and tries each once. A
failed attempt (connection error, timeout, 408/425/429 or 5xx) leaves the row pending;
`deliver_pending` (the monitoring DAG's `deliver_alerts` task, every run) retries due rows after
`webhook_backoff_s * 2**(attempts - 1)` until delivered, or marks them expired once
`webhook_expiry_hours` have passed. Any other 4xx is final (refused). The body carries the event
id as idempotency key (also the `Idempotency-Key` header), so a receiver that sees a retry can
drop it; a row is claimed with a guarded UPDATE before each attempt, so two deliverers never
send the same attempt, and a delivered row is never sent again. Every attempt is also recorded
in `webhook_deliveries`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, field_serializer
from sqlalchemy import case, delete, func, or_, select, update

from mlaas.db import as_utc, get_engine, new_id, utcnow
from mlaas.errors import FieldError
from mlaas.monitoring.alerts import SEVERITY_RANK, AlertEvent, Severity
from mlaas.monitoring.tables import webhook_deliveries, webhook_outbox, webhooks
from mlaas.settings import get_settings

log = logging.getLogger("mlaas.monitoring.webhooks")

IDEMPOTENCY_HEADER = "Idempotency-Key"
_RETRIED_STATUS = {408, 425, 429}


class WebhookError(FieldError):
    """A webhook that cannot be registered; `field` names the part at fault."""

    code = "invalid_webhook"


class Webhook(BaseModel):
    id: str
    model: str | None
    url: str  # as registered (deliveries use it); shown with its password masked
    min_severity: Severity
    created_at: datetime
    created_by: str

    @field_serializer("url", when_used="json")
    def _masked(self, url: str) -> str:
        return masked_url(url)


def masked_url(url: str) -> str:
    """The URL with the password of its user info (`https://user:secret@host`) masked, so
    what the API shows back never holds a credential."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


# Never a receiver, whatever the allow-list says: the metadata service lives at 169.254.169.254.
_NEVER = ("unspecified", "link_local", "multicast")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """At delivery, the webhook's host resolves to an address no webhook may reach."""


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to now (the system resolver; tests stub this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _allow_list() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    """(host names, networks) named by MLAAS_WEBHOOK_ALLOWED_HOSTS."""
    names, networks = set(), []
    for entry in get_settings().webhook_allowed_hosts.split(","):
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry)
    return names, networks


def _address_problem(address: Address) -> str | None:
    """Why no webhook may reach `address` (None: it may): never the unspecified, link-local,
    multicast or reserved ones; not a loopback, private or other non-public one unless
    MLAAS_WEBHOOK_ALLOWED_HOSTS names it. An IPv4-mapped IPv6 address is judged as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in _NEVER:
        if getattr(address, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address: no receiver is there"
    if address.is_reserved and not address.is_loopback:  # ::1 lies in IPv6's reserved ::/8
        return "a reserved address: no receiver is there"
    if address.is_global:
        return None
    if any(address in network for network in _allow_list()[1]):
        return None
    kind = "loopback" if address.is_loopback else "private" if address.is_private else "non-public"
    return (
        f"a {kind} address; a receiver inside this network must be allowed by name or "
        "network in MLAAS_WEBHOOK_ALLOWED_HOSTS"
    )


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or ""), parts.port or (443 if parts.scheme == "https" else 80)


def _destination_problem(url: str) -> str | None:
    """Why no webhook may point at this URL (None: it may), at registration. A host written
    as one integer or in hex (`2130706433` is 127.0.0.1) is refused; an address is judged by
    `_address_problem`; a name by every address it resolves to now (a name that does not
    resolve yet is accepted: every delivery resolves and checks it again)."""
    host, port = _host_and_port(url)
    if host.isdigit() or host.lower().startswith("0x"):
        return f"host {host!r} is an address in integer form; write it as an IP or a name"
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        problem = _address_problem(literal)
        return f"host {host} is {problem}" if problem else None
    if host.lower() in _allow_list()[0]:
        return None
    try:
        addresses = resolve_host(host, port)
    except OSError:
        return None
    return _resolved_problem(host, addresses)


def _resolved_problem(host: str, addresses: list[str]) -> str | None:
    for address in addresses:
        problem = _address_problem(ipaddress.ip_address(address))
        if problem:
            return f"host {host} resolves to {address}, {problem}"
    return None


def pinned_request(url: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(URL to connect to, extra headers, httpx extensions) for one delivery: a name is resolved
    now, every address checked (DNS may have changed since registration: rebinding), and the
    request goes to the checked address with the name as Host header and TLS server name, so
    the connection cannot land anywhere else. DestinationRefused when an address is refused;
    OSError when the name does not resolve."""
    host, port = _host_and_port(url)
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = False
    if literal or host.lower() in _allow_list()[0]:
        problem = _destination_problem(url) if literal else None
        if problem:
            raise DestinationRefused(problem)
        return url, {}, {}
    addresses = resolve_host(host, port)
    problem = _resolved_problem(host, addresses)
    if problem:
        raise DestinationRefused(problem)
    parts = urlsplit(url)
    address = addresses[0]
    shown = f"[{address}]" if ":" in address else address
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    netloc = f"{userinfo}{shown}" + (f":{parts.port}" if parts.port else "")
    host_header = host + (f":{parts.port}" if parts.port else "")
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, extensions


class Delivery(BaseModel):
    """Where one (event, webhook) delivery stands after an attempt (or why none was made)."""

    event_id: str
    webhook_id: str
    delivered: bool
    attempts: int
    state: str = "pending"  # pending | delivered | refused | expired
    status_code: int | None = None
    error: str | None = None
    skipped: bool = False  # not attempted now: already delivered, or another deliverer has it


class OutboxItem(BaseModel):
    """One delivery in the outbox."""

    id: str
    event_id: str
    webhook_id: str
    model: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    expires_at: datetime
    last_status: int | None
    last_error: str | None


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
        raise WebhookError("url", f"expected an http(s) URL, got {masked_url(url)!r}")
    problem = _destination_problem(url)
    if problem:
        raise WebhookError("url", problem)
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


def payload(event: AlertEvent, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON body of an event: the event itself and what the run that raised it saw
    (`context`: the model version, the window, the drifted features with their scores, a link
    to the report)."""
    return {
        "type": "mlaas.alert",
        "idempotency_key": event.id,
        **event.model_dump(mode="json"),
        **(context or {}),
    }


def notify(
    events: list[AlertEvent],
    *,
    context: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime | None = None,
    timeout_s: float | None = None,
) -> list[Delivery]:
    """Queue each event for the webhooks of its model and the global ones (severity allowing)
    and try each delivery once now; what fails stays pending for `deliver_pending`.
    `context` maps a model to what its payloads add (see `payload`)."""
    now = as_utc(now or utcnow())
    expires = now + timedelta(hours=get_settings().webhook_expiry_hours)
    queued: list[dict[str, Any]] = []
    results: list[Delivery] = []
    hooks_by_model: dict[str, list[Webhook]] = {}
    for event in events:
        if event.model not in hooks_by_model:
            hooks_by_model[event.model] = list_webhooks(event.model)
        body = payload(event, (context or {}).get(event.model))
        for hook in hooks_by_model[event.model]:
            if SEVERITY_RANK[event.severity] < SEVERITY_RANK[hook.min_severity]:
                continue
            row = _enqueue(event, hook, body, now, expires)
            if row["state"] == "pending":
                queued.append(row)
            else:  # queued by an earlier call and settled since
                results.append(_settled(row))
    return results + _attempt_all(queued, now, timeout_s)


def deliver_pending(
    *, now: datetime | None = None, limit: int = 500, timeout_s: float | None = None
) -> list[Delivery]:
    """Retry every pending delivery that is due (oldest first); expire those past their time."""
    now = as_utc(now or utcnow())
    rows = outbox_rows(state="pending", due_by=now, limit=limit)
    return _attempt_all(rows, now, timeout_s)


def _enqueue(
    event: AlertEvent, hook: Webhook, body: dict[str, Any], now: datetime, expires: datetime
) -> dict[str, Any]:
    """The outbox row of (event, webhook): inserted now, or the one queued before."""
    from sqlalchemy.exc import IntegrityError

    row = {
        "id": new_id(),
        "event_id": event.id,
        "webhook_id": hook.id,
        "model": event.model,
        "payload": body,
        "state": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
        "expires_at": expires,
        "last_status": None,
        "last_error": None,
    }
    try:
        with get_engine().begin() as conn:
            conn.execute(webhook_outbox.insert().values(**row))
        return row
    except IntegrityError:  # (event, webhook) already queued
        query = select(webhook_outbox).where(
            webhook_outbox.c.event_id == event.id, webhook_outbox.c.webhook_id == hook.id
        )
        with get_engine().connect() as conn:
            return _outbox_dict(conn.execute(query).one())


def _outbox_dict(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("created_at", "next_attempt_at", "expires_at"):
        data[key] = as_utc(data[key])
    return data


def _settled(row: dict[str, Any], *, skipped: bool = True) -> Delivery:
    return Delivery(
        event_id=row["event_id"],
        webhook_id=row["webhook_id"],
        delivered=row["state"] == "delivered",
        attempts=int(row["attempts"]),
        state=row["state"],
        status_code=row["last_status"],
        error=row["last_error"],
        skipped=skipped,
    )


def _attempt_all(
    rows: list[dict[str, Any]], now: datetime, timeout_s: float | None
) -> list[Delivery]:
    if not rows:
        return []
    urls = {hook.id: hook.url for hook in list_webhooks()}
    timeout = get_settings().webhook_timeout_s if timeout_s is None else timeout_s
    with httpx.Client(timeout=timeout) as client:
        return [_attempt(row, urls.get(row["webhook_id"]), client, now) for row in rows]


def _attempt(
    row: dict[str, Any], url: str | None, client: httpx.Client, now: datetime
) -> Delivery:
    """One attempt of one pending row, claimed first; the row's new state is stored."""
    out = webhook_outbox.c
    if now >= row["expires_at"] or url is None:  # too late, or the webhook was deleted
        why = "expired before delivery" if url else "the webhook was deleted"
        _settle(row, now, state="expired", status=row["last_status"], error=why)
        return _settled({**row, "state": "expired", "last_error": why}, skipped=False)
    claim = (
        update(webhook_outbox)
        .where(out.id == row["id"], out.state == "pending", out.attempts == row["attempts"])
        .values(attempts=row["attempts"] + 1)
    )
    with get_engine().begin() as conn:
        if not conn.execute(claim).rowcount:
            return _settled(row)  # another deliverer took it
    attempt = int(row["attempts"]) + 1
    event_id = row["event_id"]
    status: int | None
    error: str | None
    try:
        target, headers, extensions = pinned_request(url)
        headers[IDEMPOTENCY_HEADER] = event_id
        response = client.post(target, json=row["payload"], headers=headers, extensions=extensions)
        status, ok = response.status_code, response.is_success
        retry = status >= 500 or status in _RETRIED_STATUS
        error = None if ok else f"HTTP {status}: {response.text[:200]}"
    except DestinationRefused as refused:  # nothing was sent
        status, ok, retry, error = None, False, False, f"destination refused: {refused}"
    except (httpx.HTTPError, OSError) as failure:
        status, ok, retry, error = None, False, True, f"{type(failure).__name__}: {failure}"
    _record(event_id, row["webhook_id"], attempt, status, error, ok)
    backoff = get_settings().webhook_backoff_s * 2 ** (attempt - 1)
    next_at = now + timedelta(seconds=backoff)
    if ok:
        state = "delivered"
    elif not retry:
        state = "refused"
    else:
        state = "expired" if next_at >= row["expires_at"] else "pending"
    if state != "delivered":
        log.warning("webhook %s: event %s %s: %s", url, event_id, state, error)
    _settle(row, next_at, state=state, status=status, error=error)
    return Delivery(
        event_id=event_id,
        webhook_id=row["webhook_id"],
        delivered=ok,
        attempts=attempt,
        state=state,
        status_code=status,
        error=error,
    )


def _settle(
    row: dict[str, Any], next_at: datetime, *, state: str, status: int | None, error: str | None
) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            update(webhook_outbox)
            .where(webhook_outbox.c.id == row["id"])
            .values(state=state, next_attempt_at=next_at, last_status=status, last_error=error)
        )


def outbox_rows(
    *,
    model: str | None = None,
    state: str | None = None,
    due_by: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Outbox rows, oldest first (due ones first when `due_by` is given)."""
    out = webhook_outbox.c
    query = select(webhook_outbox).order_by(out.next_attempt_at, out.created_at).limit(limit)
    if model is not None:
        query = query.where(out.model == model)
    if state is not None:
        query = query.where(out.state == state)
    if due_by is not None:
        query = query.where(out.next_attempt_at <= due_by)
    with get_engine().connect() as conn:
        return [_outbox_dict(row) for row in conn.execute(query)]


def outbox(
    *, model: str | None = None, state: str | None = None, limit: int = 100
) -> list[OutboxItem]:
    """The outbox as the API shows it (payloads left out)."""
    return [
        OutboxItem.model_validate(row)
        for row in outbox_rows(model=model, state=state, limit=limit)
    ]


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


OUTBOX_STATES = ("pending", "delivered", "refused", "expired")


def outbox_counts() -> dict[str, int]:
    """Deliveries in the outbox by state, every state (0 included)."""
    state = webhook_outbox.c.state
    with get_engine().connect() as conn:
        counts = {
            str(s): int(n) for s, n in conn.execute(select(state, func.count()).group_by(state))
        }
    return {name: counts.get(name, 0) for name in OUTBOX_STATES}


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
