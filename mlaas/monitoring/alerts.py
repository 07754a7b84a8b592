"""Alert rules per model, their evaluation, and the firing/resolved history.

A rule compares one named value (`mlaas.monitoring.values`) computed over its own window (the last
`window_minutes` before the evaluation) with a threshold. Its `state` is ok or firing; an event
is stored only on a change (ok -> firing: `firing`, firing -> ok: `resolved`), through a
conditional UPDATE, so a firing rule never fires again until it has resolved, even when two
evaluations race. A value of None (not enough data) changes nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from mlaas.db import as_utc, get_engine, new_id, utcnow
from mlaas.errors import FieldError
from mlaas.monitoring.tables import alert_events, alert_rules
from mlaas.monitoring.values import Values, known_metric
from mlaas.settings import get_settings
from mlaas.specs import ModelSpec

Comparator = Literal[">", ">=", "<", "<="]
Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}
COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class RuleError(FieldError):
    """A rule that cannot be stored; `field` names the part at fault."""

    code = "invalid_rule"


class RuleNameTaken(RuleError):
    """The model already has a rule with that name."""

    status = 409


class AlertRule(BaseModel):
    id: str
    model: str
    name: str
    metric: str
    comparator: Comparator
    threshold: float
    window_minutes: int
    severity: Severity
    state: Literal["ok", "firing"]
    created_at: datetime
    created_by: str

    def breached(self, value: float) -> bool:
        return COMPARATORS[self.comparator](value, self.threshold)


class AlertEvent(BaseModel):
    id: str
    rule_id: str
    model: str
    rule_name: str
    state: Literal["firing", "resolved"]
    severity: Severity
    metric: str
    value: float | None
    threshold: float
    comparator: Comparator
    message: str
    at: datetime


def _rule(row: Any) -> AlertRule:
    data = dict(row._mapping)
    data["created_at"] = as_utc(data["created_at"])
    return AlertRule.model_validate(data)


def _event(row: Any) -> AlertEvent:
    data = dict(row._mapping)
    data["at"] = as_utc(data["at"])
    return AlertEvent.model_validate(data)


def create_rule(
    spec: ModelSpec,
    *,
    name: str,
    metric: str,
    comparator: Comparator,
    threshold: float,
    window_minutes: int,
    severity: Severity = "warning",
    actor: str | None = None,
) -> AlertRule:
    """Store a rule for `spec`'s model (RuleError: unknown metric or a name already used)."""
    row = {
        "id": new_id(),
        "model": spec.name,
        "state": "ok",
        "created_at": utcnow(),
        "created_by": actor or get_settings().actor,
        **_checked_fields(spec, name, metric, comparator, threshold, window_minutes, severity),
    }
    with _unique_name(spec.name, name), get_engine().begin() as conn:
        conn.execute(alert_rules.insert().values(**row))
    return AlertRule.model_validate(row)


def update_rule(
    spec: ModelSpec,
    rule_id: str,
    *,
    name: str,
    metric: str,
    comparator: Comparator,
    threshold: float,
    window_minutes: int,
    severity: Severity = "warning",
) -> AlertRule | None:
    """Replace a rule's definition, checked as on creation; None when there is no such rule.
    Its state and history stay: the next monitoring run evaluates the new definition."""
    fields = _checked_fields(spec, name, metric, comparator, threshold, window_minutes, severity)
    where = (alert_rules.c.model == spec.name, alert_rules.c.id == rule_id)
    with _unique_name(spec.name, name), get_engine().begin() as conn:
        if not conn.execute(update(alert_rules).where(*where).values(**fields)).rowcount:
            return None
        return _rule(conn.execute(select(alert_rules).where(*where)).one())


def _checked_fields(
    spec: ModelSpec,
    name: str,
    metric: str,
    comparator: str,
    threshold: float,
    window_minutes: int,
    severity: str,
) -> dict[str, Any]:
    """A rule's definition, or RuleError naming the part at fault."""
    problem = known_metric(spec, metric)
    if problem is not None:
        raise RuleError("metric", problem)
    if comparator not in COMPARATORS:
        raise RuleError("comparator", f"expected one of {list(COMPARATORS)}")
    if window_minutes < 1:
        raise RuleError("window", "must be at least one minute")
    return {
        "name": name,
        "metric": metric,
        "comparator": comparator,
        "threshold": float(threshold),
        "window_minutes": int(window_minutes),
        "severity": severity,
    }


@contextmanager
def _unique_name(model: str, name: str) -> Iterator[None]:
    """The unique (model, name) index refusing a write, as a 409 naming the rule."""
    try:
        yield
    except IntegrityError:
        raise RuleNameTaken("name", f"model {model!r} already has a rule named {name!r}") from None


def list_rules(model: str) -> list[AlertRule]:
    query = select(alert_rules).where(alert_rules.c.model == model).order_by(alert_rules.c.name)
    with get_engine().connect() as conn:
        return [_rule(row) for row in conn.execute(query)]


def delete_rule(model: str, rule_id: str) -> bool:
    """Remove a rule (its events stay in the history); False when there is no such rule."""
    with get_engine().begin() as conn:
        result = conn.execute(
            delete(alert_rules).where(alert_rules.c.model == model, alert_rules.c.id == rule_id)
        )
    return bool(result.rowcount)


def _message(rule: AlertRule, value: float | None, state: str) -> str:
    shown = "no data" if value is None else f"{value:.6g}"
    if state == "firing":
        return (
            f"{rule.model}: {rule.metric} = {shown} {rule.comparator} {rule.threshold:g} "
            f"over the last {rule.window_minutes} min ({rule.name})"
        )
    return f"{rule.model}: {rule.metric} = {shown} is back within {rule.threshold:g} ({rule.name})"


def _transition(
    rule: AlertRule, value: float | None, to_state: str, at: datetime
) -> AlertEvent | None:
    """Move the rule's state and store the event, only if this call made the change."""
    event_state = "firing" if to_state == "firing" else "resolved"
    from_state = "ok" if to_state == "firing" else "firing"
    event = AlertEvent(
        id=new_id(),
        rule_id=rule.id,
        model=rule.model,
        rule_name=rule.name,
        state=event_state,
        severity=rule.severity,
        metric=rule.metric,
        value=value,
        threshold=rule.threshold,
        comparator=rule.comparator,
        message=_message(rule, value, event_state),
        at=at,
    )
    with get_engine().begin() as conn:
        changed = conn.execute(
            update(alert_rules)
            .where(alert_rules.c.id == rule.id, alert_rules.c.state == from_state)
            .values(state=to_state)
        ).rowcount
        if not changed:
            return None
        conn.execute(alert_events.insert().values(**event.model_dump()))
    return event


def evaluate_rules(
    model: str, values_for: Callable[[int], Values], *, now: datetime | None = None
) -> list[AlertEvent]:
    """Evaluate every rule of `model`; `values_for(window_minutes)` gives the values of the
    window ending now (called once per distinct window). Returns the events this call stored."""
    at = as_utc(now or utcnow())
    cache: dict[int, Values] = {}
    events: list[AlertEvent] = []
    for rule in list_rules(model):
        if rule.window_minutes not in cache:
            cache[rule.window_minutes] = values_for(rule.window_minutes)
        value = cache[rule.window_minutes].get(rule.metric)
        if value is None:
            continue
        target = "firing" if rule.breached(value) else "ok"
        if target != rule.state:
            event = _transition(rule, value, target, at)
            if event is not None:
                events.append(event)
    return events


def alert_history(
    *, model: str | None = None, state: str | None = None, limit: int = 200
) -> list[AlertEvent]:
    """Stored events, newest first."""
    query = select(alert_events).order_by(alert_events.c.at.desc()).limit(limit)
    if model:
        query = query.where(alert_events.c.model == model)
    if state:
        query = query.where(alert_events.c.state == state)
    with get_engine().connect() as conn:
        return [_event(row) for row in conn.execute(query)]


def firing_rules(model: str | None = None) -> list[AlertRule]:
    query = select(alert_rules).where(alert_rules.c.state == "firing")
    if model:
        query = query.where(alert_rules.c.model == model)
    with get_engine().connect() as conn:
        return [_rule(row) for row in conn.execute(query)]


def all_rules() -> list[AlertRule]:
    with get_engine().connect() as conn:
        return [_rule(row) for row in conn.execute(select(alert_rules))]
