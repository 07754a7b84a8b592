"""Fast JSON responses for the hot path, and the native response body of an Outcome."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import Request
from fastapi.responses import Response

from mlaas.serving.service import Outcome
from services.contract import REQUEST_ID_HEADER

encode = msgspec.json.Encoder().encode


def raw_json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers=headers, media_type="application/json")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """msgspec-encoded JSON: several times cheaper than FastAPI's pydantic round trip."""
    return raw_json(encode(body), status, headers)


def mark(request: Request, outcome: Outcome) -> None:
    """Labels for the metrics middleware."""
    request.state.metric_labels = (outcome.model, outcome.version, outcome.variant)


def native_body(outcome: Outcome) -> dict[str, Any]:
    prediction = outcome.prediction
    items: Any
    if outcome.explanations is None and outcome.missing is None and prediction.has_probabilities:
        items = msgspec.Raw(prediction.cells_json)  # encoded once, shared with the log
    else:
        items = _items(outcome)
    return {
        "request_id": outcome.request_id,
        "model": outcome.model,
        "version": outcome.version,
        "variant": outcome.variant,
        "cached": outcome.cached,
        "predictions": items,
    }


def _items(outcome: Outcome) -> list[dict[str, Any]]:
    """One item per record; the common shapes (no explanations, no nulls) in one
    comprehension each."""
    prediction = outcome.prediction
    if outcome.explanations is None and outcome.missing is None:
        if prediction.probabilities is None:
            return [{"output": output} for output in prediction.outputs]
        return [
            {"output": output, "probabilities": proba}
            for output, proba in zip(prediction.outputs, prediction.probabilities, strict=True)
        ]
    empty: list[Any] = [None] * len(prediction.outputs)
    probabilities = prediction.probabilities or empty
    explanations = outcome.explanations or empty
    explained = outcome.explained_classes or empty
    nulls = outcome.missing.per_record() if outcome.missing is not None else empty
    items = []
    for output, proba, explanation, explained_class, null in zip(
        prediction.outputs, probabilities, explanations, explained, nulls, strict=True
    ):
        item: dict[str, Any] = {"output": output}
        if proba is not None:
            item["probabilities"] = proba
        if explanation is not None:
            item["explanation"] = explanation
            if explained_class is not None:
                item["explained_class"] = explained_class
        if null is not None:
            item.update(null)
        items.append(item)
    return items


def with_request_id(request: Request) -> dict[str, str]:
    return {REQUEST_ID_HEADER: request.state.request_id}
