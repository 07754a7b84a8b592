"""Ground truth for logged predictions."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
from services.common import require_json
from services.monitoring.deps import MonitorKey
from services.monitoring.metrics import FEEDBACK
from services.monitoring.schemas import FeedbackItemOut, FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[Depends(require_json)])


@router.post("/feedback")
def post_feedback(body: FeedbackRequest, key: MonitorKey) -> FeedbackResponse:
    """Store ground truth for request ids (single or bulk); one status per item.

    `accepted`: stored. `duplicate`: the id already has feedback (the first wins; send
    `overwrite: true` to replace it) or appears earlier in this request. `updated`: replaced
    (overwrite). `unknown`: no prediction is logged under the id: not stored, send it again
    later if the prediction was only just made. Batch predictions are logged per record as
    `<request id>:<index>`. A label the model cannot know (an unknown class, a non-finite
    value, `label` for a regression model) rejects the whole request with 422, naming
    `items[i].<field>`; nothing is stored then.
    """
    items = [FeedbackItem(i.request_id, label=i.label, value=i.value) for i in body.items]
    results = submit_feedback(items, overwrite=body.overwrite, visible=key.allows_model)
    counts = dict.fromkeys(("accepted", "updated", "duplicate", "unknown"), 0)
    for result in results:
        counts[result.status] += 1
        FEEDBACK.labels(result.status).inc()
    return FeedbackResponse(
        **counts,
        items=[
            FeedbackItemOut(
                index=r.index,
                request_id=r.request_id,
                status=r.status,
                model=r.model,
                message=r.message,
            )
            for r in results
        ],
    )
