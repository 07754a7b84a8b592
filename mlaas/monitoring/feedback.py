"""Ground truth for logged predictions, single or bulk, with every odd case answered per id.

- Unknown request ids (no prediction logged under that id) are not stored: a row that can never
  join a prediction would only hide a typo, and its label cannot be checked against a model. The
  answer marks them `unknown`; a client that sent feedback faster than the log was written
  (normally well under a second) simply sends them again.
- Duplicates: the first label wins (`duplicate`), unless the request says `overwrite`, which
  replaces it (`updated`). Within one request the first occurrence of an id wins the same way.
- Late arrivals are fine: performance is bucketed by prediction time, not feedback time.
- Labels are checked against the model that answered: a classification label must be one of
  the classes it could predict, a regression value a finite number. Any problem rejects the whole
  request (nothing stored) with every problem named by item index and field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, select, update

from mlaas.db import as_utc, get_engine, prediction_log, utcnow
from mlaas.errors import Invalid
from mlaas.monitoring.context import version_spec
from mlaas.monitoring.logged import blocks_for
from mlaas.monitoring.tables import feedback

MAX_ITEMS = 10_000  # per request
_CHUNK = 500  # ids per IN (...) query

Status = Literal["accepted", "updated", "duplicate", "unknown"]


@dataclass(frozen=True)
class FeedbackItem:
    request_id: str
    label: Any = None  # classification: a class the model knows (string or integer)
    value: Any = None  # regression: a finite number


@dataclass(frozen=True)
class FeedbackProblem:
    index: int | None  # item index, None for the request as a whole
    field: str
    problem: str

    @property
    def location(self) -> str:
        return self.field if self.index is None else f"items[{self.index}].{self.field}"


class FeedbackError(Invalid):
    """Items that cannot be stored; nothing from the request was."""

    code = "invalid_feedback"

    def field_problems(self) -> list[dict[str, str]]:
        return [{"field": p.location, "problem": p.problem} for p in self.problems]

    def __init__(self, problems: list[FeedbackProblem]) -> None:
        self.problems = problems
        shown = "; ".join(f"{p.location}: {p.problem}" for p in problems[:10])
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        super().__init__(f"invalid feedback ({len(problems)} problem(s)): {shown}{more}")


@dataclass(frozen=True)
class FeedbackResult:
    index: int
    request_id: str
    status: Status
    model: str | None = None
    message: str = ""


@dataclass(frozen=True)
class _Logged:
    model: str
    version: str
    classes: list[str] | None  # None: regression


def _chunks(values: Sequence[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _logged(engine: Engine, request_ids: list[str]) -> dict[str, _Logged]:
    """What the prediction log knows about each id (the answering row, not a shadow one)."""
    log = prediction_log.c
    found: dict[str, _Logged] = {}

    def note(row: Any) -> None:
        if row.request_id in found and row.variant == "shadow":
            return
        proba = (row.outputs or {}).get("probabilities")
        classes = list(proba) if isinstance(proba, dict) else None
        found[row.request_id] = _Logged(row.model, str(row.version), classes)

    with engine.connect() as conn:
        for chunk in _chunks(request_ids):
            query = select(log.request_id, log.model, log.version, log.variant, log.outputs)
            for row in conn.execute(query.where(log.request_id.in_(chunk))):
                note(row)
        missing = [request_id for request_id in request_ids if request_id not in found]
        for rows in blocks_for(conn, missing).values():  # records of large batch requests
            for block_row in sorted(rows, key=lambda r: r.variant == "shadow"):
                note(block_row)
    return found


def _label_text(label: Any) -> str | None:
    """Labels as the class names probabilities are logged under (1.0 -> '1')."""
    if isinstance(label, bool):
        return str(label)
    if isinstance(label, int | str):
        return str(label)
    if isinstance(label, float) and label.is_integer():
        return str(int(label))
    return None


def _check(index: int, item: FeedbackItem, logged: _Logged) -> tuple[str, Any] | FeedbackProblem:
    """('label', class name) / ('value', float), or the problem with the item."""
    task = version_spec(logged.model, logged.version).task
    if task == "classification":
        if item.label is None:
            return FeedbackProblem(
                index, "label", f"{logged.model!r} is a classification model: send 'label'"
            )
        text = _label_text(item.label)
        classes = logged.classes or []
        if text is None or text not in classes:
            return FeedbackProblem(
                index, "label", f"{item.label!r} is not a class of {logged.model!r}: {classes}"
            )
        return "label", text
    if item.value is None:
        return FeedbackProblem(
            index, "value", f"{logged.model!r} is a regression model: send 'value'"
        )
    value = item.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return FeedbackProblem(index, "value", f"expected a finite number, got {value!r}")
    return "value", float(value)


def submit_feedback(
    items: Sequence[FeedbackItem],
    *,
    overwrite: bool = False,
    now: datetime | None = None,
    visible: Callable[[str], bool] | None = None,
) -> list[FeedbackResult]:
    """Store ground truth; one result per item, in order (FeedbackError: nothing stored).

    `visible(model)` False: the caller may not reach that model (a key limited to others), so
    its predictions are answered `unknown` like ids never logged: nothing about them leaks."""
    if not items:
        raise FeedbackError([FeedbackProblem(None, "items", "send at least one item")])
    if len(items) > MAX_ITEMS:
        raise FeedbackError(
            [FeedbackProblem(None, "items", f"{len(items)} items; at most {MAX_ITEMS} per call")]
        )
    engine = get_engine()
    logged = _logged(engine, list(dict.fromkeys(item.request_id for item in items)))
    if visible is not None:
        logged = {rid: found for rid, found in logged.items() if visible(found.model)}
    problems: list[FeedbackProblem] = []
    checked: dict[int, tuple[str, Any]] = {}
    for index, item in enumerate(items):
        if item.request_id in logged:
            outcome = _check(index, item, logged[item.request_id])
            if isinstance(outcome, FeedbackProblem):
                problems.append(outcome)
            else:
                checked[index] = outcome
    if problems:
        raise FeedbackError(problems)

    # The item that speaks for each id: the first, or with overwrite the last.
    chosen: dict[str, int] = {}
    for index in checked:
        request_id = items[index].request_id
        if overwrite or request_id not in chosen:
            chosen[request_id] = index
    stamp = as_utc(now or utcnow())
    rows = [
        {
            "request_id": request_id,
            "model": logged[request_id].model,
            "label": checked[index][1] if checked[index][0] == "label" else None,
            "value": checked[index][1] if checked[index][0] == "value" else None,
            "received_at": stamp,
        }
        for request_id, index in chosen.items()
    ]
    inserted = _insert_new(engine, rows)
    updated: set[str] = set()
    if overwrite:
        updated = _update_existing(engine, [r for r in rows if r["request_id"] not in inserted])
    return [
        _result(index, item, logged, chosen, inserted, updated) for index, item in enumerate(items)
    ]


def _result(
    index: int,
    item: FeedbackItem,
    logged: dict[str, _Logged],
    chosen: dict[str, int],
    inserted: set[str],
    updated: set[str],
) -> FeedbackResult:
    request_id = item.request_id
    if request_id not in logged:
        return FeedbackResult(
            index, request_id, "unknown", None, "no prediction is logged under this id (yet)"
        )
    model = logged[request_id].model
    if chosen[request_id] != index:
        return FeedbackResult(
            index, request_id, "duplicate", model, f"item {chosen[request_id]} has the same id"
        )
    if request_id in inserted:
        return FeedbackResult(index, request_id, "accepted", model)
    if request_id in updated:
        return FeedbackResult(index, request_id, "updated", model, "replaced the earlier label")
    return FeedbackResult(
        index, request_id, "duplicate", model, "feedback already stored (send overwrite=true)"
    )


def _insert_new(engine: Engine, rows: list[dict[str, Any]]) -> set[str]:
    """Insert rows whose id has no feedback yet; the ids actually inserted (race-free)."""
    from sqlalchemy.dialects import postgresql, sqlite

    if not rows:
        return set()
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[engine.dialect.name]
    statement = (
        dialect.insert(feedback)
        .on_conflict_do_nothing(index_elements=["request_id"])
        .returning(feedback.c.request_id)
    )
    with engine.begin() as conn:
        result = conn.execute(statement, rows)
        return {row.request_id for row in result}


def _update_existing(engine: Engine, rows: list[dict[str, Any]]) -> set[str]:
    done: set[str] = set()
    with engine.begin() as conn:
        for row in rows:
            result = conn.execute(
                update(feedback)
                .where(feedback.c.request_id == row["request_id"])
                .values(label=row["label"], value=row["value"], updated_at=row["received_at"])
            )
            if result.rowcount:
                done.add(row["request_id"])
    return done
