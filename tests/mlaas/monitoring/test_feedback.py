"""Feedback: accepted, duplicate, overwrite, unknown ids, and labels checked against the model."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import func, select

from mlaas.db import get_engine
from mlaas.monitoring.feedback import FeedbackError, FeedbackItem, submit_feedback
from mlaas.monitoring.tables import feedback
from tests.mlaas.monitoring.helpers import churn_frame, predict_rows


def stored() -> dict[str, tuple[str | None, float | None]]:
    with get_engine().connect() as conn:
        rows = conn.execute(select(feedback.c.request_id, feedback.c.label, feedback.c.value))
        return {row.request_id: (row.label, row.value) for row in rows}


def test_bulk_feedback_reports_every_id(service: Any) -> None:
    ids, _ = predict_rows(service, "churn", churn_frame(3, seed=1))
    results = submit_feedback(
        [
            FeedbackItem(ids[0], label=1),
            FeedbackItem(ids[1], label="0"),
            FeedbackItem("never-logged", label=1),
            FeedbackItem(ids[0], label=0),  # same id again in this request: the first wins
            FeedbackItem(ids[2], label=1.0),  # integral floats name the class too
        ]
    )
    assert [r.status for r in results] == [
        "accepted",
        "accepted",
        "unknown",
        "duplicate",
        "accepted",
    ]
    assert results[2].model is None and "no prediction" in results[2].message
    assert results[3].message == "item 0 has the same id"
    assert stored() == {ids[0]: ("1", None), ids[1]: ("0", None), ids[2]: ("1", None)}


def test_duplicates_keep_the_first_label_unless_overwrite(service: Any) -> None:
    ids, _ = predict_rows(service, "churn", churn_frame(1, seed=2), batch=False)
    assert submit_feedback([FeedbackItem(ids[0], label=1)])[0].status == "accepted"
    again = submit_feedback([FeedbackItem(ids[0], label=0)])[0]
    assert again.status == "duplicate" and "overwrite" in again.message
    assert stored()[ids[0]] == ("1", None)
    assert submit_feedback([FeedbackItem(ids[0], label=0)], overwrite=True)[0].status == "updated"
    assert stored()[ids[0]] == ("0", None)


def test_overwrite_within_one_request_keeps_the_last(service: Any) -> None:
    ids, _ = predict_rows(service, "churn", churn_frame(1, seed=3), batch=False)
    results = submit_feedback(
        [FeedbackItem(ids[0], label=1), FeedbackItem(ids[0], label=0)], overwrite=True
    )
    assert [r.status for r in results] == ["duplicate", "accepted"]
    assert stored()[ids[0]] == ("0", None)


def test_regression_feedback_takes_finite_values(service: Any) -> None:
    from mlaas.data.housing import load_house_prices

    houses = load_house_prices().head(2)
    ids, _ = predict_rows(service, "house_prices", houses)
    results = submit_feedback(
        [FeedbackItem(ids[0], value=120000), FeedbackItem(ids[1], value=1.5)]
    )
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert stored() == {ids[0]: (None, 120000.0), ids[1]: (None, 1.5)}


@pytest.mark.parametrize(
    ("item", "field", "problem"),
    [
        ({"label": 7}, "label", "not a class of 'churn'"),
        ({"label": "yes"}, "label", "not a class of 'churn'"),
        ({"label": 0.5}, "label", "not a class of 'churn'"),
        ({"value": 1.0}, "label", "classification model: send 'label'"),
    ],
)
def test_bad_classification_labels_reject_the_request(
    service: Any, item: dict[str, Any], field: str, problem: str
) -> None:
    ids, _ = predict_rows(service, "churn", churn_frame(2, seed=4))
    with pytest.raises(FeedbackError) as caught:
        submit_feedback([FeedbackItem(ids[0], label=1), FeedbackItem(ids[1], **item)])
    [found] = caught.value.problems
    assert (found.index, found.field) == (1, field)
    assert problem in found.problem and found.location == f"items[1].{field}"
    assert stored() == {}  # the valid first item was not stored either


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"value": math.inf}, "value"),
        ({"value": math.nan}, "value"),
        ({"value": True}, "value"),
        ({"value": "12"}, "value"),
        ({"label": 1}, "value"),
    ],
)
def test_bad_regression_values_reject_the_request(
    service: Any, item: dict[str, Any], field: str
) -> None:
    from mlaas.data.housing import load_house_prices

    ids, _ = predict_rows(service, "house_prices", load_house_prices().head(1))
    with pytest.raises(FeedbackError) as caught:
        submit_feedback([FeedbackItem(ids[0], **item)])
    assert [(p.index, p.field) for p in caught.value.problems] == [(0, field)]


def test_empty_and_oversized_requests_are_refused(service: Any) -> None:
    with pytest.raises(FeedbackError, match="at least one"):
        submit_feedback([])
    with pytest.raises(FeedbackError, match="at most 10000"):
        submit_feedback([FeedbackItem(str(i), label=1) for i in range(10_001)])


def test_shadow_rows_share_the_id_and_feedback_is_stored_once(service: Any) -> None:
    from mlaas.serving.routing import set_routing

    set_routing("churn", challenger_weight=0.0, shadow=True)
    service.forget_routing("churn")
    ids, _ = predict_rows(service, "churn", churn_frame(1, seed=6), batch=False)
    service._shadow.submit(lambda: None).result()  # the shadow scoring has run
    from tests.mlaas.monitoring.helpers import flush

    flush(service)
    assert submit_feedback([FeedbackItem(ids[0], label=0)])[0].status == "accepted"
    with get_engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(feedback)).scalar() == 1
