"""Cutting the records' JSON out of a batch body, for the prediction log: only a body that is
exactly `{"features": [...]}` is cut; every other layout is left to the encoder (None)."""

from __future__ import annotations

import json

import pytest

from services.prediction.schemas import _features_text


@pytest.mark.parametrize(
    "body",
    [
        b'{"features": [{"a": 1}, {"a": 2.5}]}',
        b' \n{ "features" :[{"a":1}] } \n',
        b'{"features":[{"a":null,"b":"x"}]}',
    ],
)
def test_a_plain_body_gives_its_array_as_sent(body: bytes) -> None:
    text = _features_text(body)
    assert text is not None
    assert json.loads(text) == json.loads(body)["features"]
    assert text in body  # the client's own bytes, not a re-encoding


@pytest.mark.parametrize(
    "body",
    [
        b'{"features": [{"a": "x]"}]}',  # a bracket inside a string
        b'{"features": [{"a": "x["}]}',
        b'{"features": [{"a": 1}], "routing_key": "k"}',  # another key after the array
        b'{"features": [{"a": 1}] ,"explain": true}',
        b'{"explain": false, "features": [{"a": 1}]}',  # another key first
        b'{"features": null, "features": [{"a": 1}]}',  # duplicate keys
        b'{"features": [{"a": 1}], "features": [{"a": 2}]}',
        b'{"features": [{"a": 1}], "entity_ids": [1]}',
        b'{"feat\\u0075res": [{"a": 1}]}',  # an escaped key
        b'{"features": {"a": 1}}',  # one record, not a list
    ],
)
def test_any_other_layout_is_left_to_the_encoder(body: bytes) -> None:
    assert _features_text(body) is None
