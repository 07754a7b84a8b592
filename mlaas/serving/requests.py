"""The native prediction request (`/v1/models/{name}/predict[/batch]`), parsed one way.

`parse_predict_request` owns the body: with the model's record schema it decodes the records
straight into typed structs (mlaas.serving.typed); a body that does not fit is decoded again as
plain JSON and, if msgspec refuses it too (NaN literals, huge numbers, wrong shapes), validated
by the pydantic model `PredictRequest`, so every route answers the same 400/422 for the same
body. `PredictRequest` is also the documented schema of the body.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlaas.data.churn import EXAMPLE_RECORD
from mlaas.errors import Invalid, PlatformError
from mlaas.serving.schema import LONE_SURROGATE, RecordSchema, storable_text
from mlaas.serving.typed import TypedRecords

Record = dict[str, Any]
# From this many records a batch is scored from typed structs, column by column; below it the
# per-column set-up costs more than dicts (one record: 24 µs against 9 µs to validate and
# encode, bench/profile_request.py).
TYPED_MIN_RECORDS = 16


class PredictRequest(BaseModel):
    """Feature values (one record or a list) or entity ids looked up in the feature store."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "features": dict(EXAMPLE_RECORD),
                    "explain": True,
                },
                {"entity_ids": [1001, 1002]},
            ]
        },
    )

    features: Record | list[Record] | None = None
    entity_ids: list[int | str] | None = None
    explain: bool = False
    explain_class: int | str | bool | None = Field(
        None,
        description="Explain this class instead of the default (binary: the positive class; "
        "multi-class: the predicted one); implies `explain`",
    )
    routing_key: str | None = Field(None, description="Same key, same variant (A/B stickiness)")

    @model_validator(mode="after")
    def _one_input(self) -> PredictRequest:
        if (self.features is None) == (self.entity_ids is None):
            raise ValueError("give exactly one of 'features' or 'entity_ids'")
        texts = [self.routing_key or "", *(i for i in self.entity_ids or () if isinstance(i, str))]
        if not all(map(storable_text, texts)):
            raise ValueError(f"routing_key or entity_ids: {LONE_SURROGATE}")
        return self

    def records(self) -> list[Record]:
        if isinstance(self.features, dict):
            return [self.features]
        return list(self.features or [])


class PredictBody(msgspec.Struct, forbid_unknown_fields=True):
    """A native prediction request as `parse_predict_request` decodes it (msgspec: a 1,000-record
    body parses in ~0.6 ms instead of ~3 ms with pydantic). `features` stays loosely typed
    here; the model's record schema then names every problem (`records[3].age`), exactly as
    for the other routes."""

    features: Any = None
    entity_ids: list[int | str] | None = None
    explain: bool = False
    explain_class: int | str | bool | None = None
    routing_key: str | None = None

    @property
    def explains(self) -> bool:
        """Explanations asked for (`explain`, or a class to explain)."""
        return self.explain or self.explain_class is not None

    def records(self) -> list[Record] | TypedRecords:
        if isinstance(self.features, dict):
            return [self.features]
        records: list[Record] | TypedRecords = self.features
        return records


class MalformedJson(PlatformError, ValueError):
    """A body that is not JSON, or nests deeper than a parser can follow."""

    code = "malformed_json"


def read_json(body: bytes) -> Any:
    """The body as JSON values: msgspec first, then Python's `json` for what msgspec refuses
    but MLflow's server reads (NaN and Infinity literals, numbers beyond float range), which
    then reach the validators and get a 422 naming the field. Text that is not JSON, or that
    nests deeper than Python can follow (thousands of brackets), is a MalformedJson (400)."""
    import json

    try:
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError:
            pass
        return json.loads(body)
    except RecursionError:  # msgspec and json both raise it, past ~1,000 levels
        raise MalformedJson("the request body nests too deeply to be read") from None
    except ValueError:  # includes UnicodeDecodeError
        raise MalformedJson("the request body is not valid JSON") from None


class InvalidBody(Invalid):
    """JSON that is not a prediction request: every problem as (field, problem)."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        super().__init__("the request is invalid")
        self.fields = fields

    def field_problems(self) -> list[dict[str, str]]:
        return [{"field": field, "problem": problem} for field, problem in self.fields]


_decode_predict = msgspec.json.Decoder(PredictBody).decode


@lru_cache(maxsize=64)
def _typed_decoder(record: type[msgspec.Struct]) -> Callable[[bytes], Any]:
    """A decoder for request bodies whose records are `record` structs (mlaas.serving.typed)."""
    request = msgspec.defstruct(
        "TypedPredictRequest",
        [
            ("features", list[record] | record | None, None),  # type: ignore[valid-type]
            ("entity_ids", list[int | str] | None, None),
            ("explain", bool, False),
            ("explain_class", int | str | bool | None, None),
            ("routing_key", str | None, None),
        ],
        forbid_unknown_fields=True,
    )
    return msgspec.json.Decoder(request).decode


def _decode_typed(body: bytes, schema: RecordSchema) -> PredictBody | None:
    """The body decoded with its records as typed structs (types checked by the decoder);
    None when anything in it does not fit. Batches of TYPED_MIN_RECORDS or more stay structs
    (read column by column); fewer become dicts, which the record path reads faster."""
    try:
        typed = _typed_decoder(schema.struct)(body)
    except (msgspec.MsgspecError, RecursionError):  # the fallback path says why
        return None
    features = typed.features
    if isinstance(features, list) and len(features) >= TYPED_MIN_RECORDS:
        features = TypedRecords(schema, features)
    elif isinstance(features, list):
        features = [msgspec.structs.asdict(record) for record in features]
    elif features is not None:
        features = msgspec.structs.asdict(features)
    return PredictBody(
        features=features,
        entity_ids=typed.entity_ids,
        explain=typed.explain,
        explain_class=typed.explain_class,
        routing_key=typed.routing_key,
    )


def parse_predict_request(body: bytes, schema: RecordSchema | None = None) -> PredictBody:
    """With the model's record `schema`: records decoded straight into typed structs. Else,
    or when that does not fit: msgspec into dicts; bodies it refuses (NaN literals, huge
    numbers, wrong shapes) go through PredictRequest, so every route answers the same 400/422
    for the same body, naming every problem."""
    request = _decode_typed(body, schema) if schema is not None else None
    if request is None:
        try:
            request = _decode_predict(body)
        except (msgspec.MsgspecError, RecursionError):
            request = _parse_with_pydantic(body)
    if (request.features is None) == (request.entity_ids is None):
        raise InvalidBody([("body", "give exactly one of 'features' or 'entity_ids'")])
    if request.features is not None and not isinstance(
        request.features, dict | list | TypedRecords
    ):
        problem = "expected an object or a list of objects"
        raise InvalidBody([("features", problem)])
    return request


def _parse_with_pydantic(body: bytes) -> PredictBody:
    """Python's JSON parser, then PredictRequest: what msgspec refuses but Python's `json`
    reads (NaN literals, numbers beyond float range, lone surrogates in text) reaches the
    validators, which name the field (422); only text that is not JSON at all is a 400."""
    from pydantic import ValidationError

    data = read_json(body)  # MalformedJson (400) for text that is not JSON
    try:
        parsed = PredictRequest.model_validate(data)
    except RecursionError:
        raise MalformedJson("the request body nests too deeply to be read") from None
    except ValidationError as error:
        fields = [
            (".".join(str(p) for p in item["loc"]) or "body", str(item["msg"]))
            for item in error.errors()
        ]
        raise InvalidBody(fields) from None
    return PredictBody(
        features=parsed.features,
        entity_ids=parsed.entity_ids,
        explain=parsed.explain,
        explain_class=parsed.explain_class,
        routing_key=parsed.routing_key,
    )
