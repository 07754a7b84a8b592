"""Hostile bodies on every route that takes one, in every service (OWASP API4/API8): numbers
beyond float64 and int64, NaN and Infinity, lone surrogates, NUL, huge strings, deep nesting
and wrong types — as the whole body, in each field the route's schema names, and one level
inside each. Never a 5xx; every answer is one the route documents, in its protocol's shape
(the contract check every TestClient answer goes through, tests/contract.py)."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common import route_scopes
from tests.factories import home_env, small_spec

BODY_METHODS = {"POST", "PUT", "PATCH"}
# Raw JSON texts (json.dumps cannot write some of them: that is the point).
HOSTILE = [
    "1e400",
    "-1e400",
    "123456789012345678901234567890123456789",
    "NaN",
    "Infinity",
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"a\\u0000b"',
    '"' + "x" * 200_000 + '"',
    "true",
    "null",
    "[]",
    "{}",
    '"not what was asked"',
    "[" * 3_000 + "]" * 3_000,
]
PATH_VALUES = {
    "name": "churn",
    "spec": "churn",
    "version": "1",
    "alias": "challenger",
    "prefix": "nosuchkey",
    "plot": "confusion_matrix",
    "job_id": "nosuchjob",
    "report_id": "nosuchreport",
    "webhook_id": "nosuchhook",
    "alert_id": "nosuchalert",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline

    with home_env(
        tmp_path_factory.mktemp("hostile") / "home",
        MLAAS_AIRFLOW_API_URL="http://127.0.0.1:9",  # nothing listens: pipelines answer 503
        MLAAS_AIRFLOW_PASSWORD="unused",
    ) as folder:
        run_pipeline(small_spec("churn"))
        yield folder, create_key("hostile", ["admin"])[0]


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for union in ("anyOf", "oneOf", "allOf"):
        if union in schema:  # the first non-null branch is enough to find field names
            branches = [b for b in schema[union] if b.get("type") != "null"]
            if branches:
                return _resolve(branches[0], document)
    return schema


def _inner_name(schema: dict[str, Any]) -> str:
    properties = schema.get("properties") or {}
    return next(iter(properties), "age")


def bodies(schema: dict[str, Any] | None, document: dict[str, Any]) -> Iterator[str]:
    """The whole body hostile; then each field, and one level inside it."""
    yield from HOSTILE
    if schema is None:
        return
    schema = _resolve(schema, document)
    for field, field_schema in (schema.get("properties") or {}).items():
        inner = _resolve(field_schema, document)
        items = _resolve(inner.get("items", {}), document)
        for value in HOSTILE:
            yield f'{{"{field}": {value}}}'
            yield f'{{"{field}": [{value}]}}'
            yield f'{{"{field}": {{"{_inner_name(inner)}": {value}}}}}'
            if items.get("properties"):
                yield f'{{"{field}": [{{"{_inner_name(items)}": {value}}}]}}'


def _body_schema(document: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    operation = document["paths"][path][method.lower()]
    content = (operation.get("requestBody") or {}).get("content", {})
    schema: dict[str, Any] | None = content.get("application/json", {}).get("schema")
    return schema


@pytest.mark.parametrize("service", ["prediction", "training", "monitoring"])
def test_no_hostile_body_gets_a_server_error(home: tuple[Path, str], service: str) -> None:
    _, key = home
    app = importlib.import_module(f"services.{service}.app").app
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    sent = 0
    with TestClient(app) as client:
        document = client.get("/openapi.json").json()
        for method, path, _ in route_scopes(app):
            if method not in BODY_METHODS:
                continue
            url = re.sub(r"\{([^}]+)\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)
            for body in bodies(_body_schema(document, path, method), document):
                answer = client.request(method, url, content=body.encode(), headers=headers)
                sent += 1
                assert answer.status_code < 500 or answer.status_code == 503, (
                    method,
                    path,
                    body[:200],
                    answer.status_code,
                    answer.text[:500],
                )
                if answer.status_code == 503:  # only a server that is really down (Airflow)
                    assert "airflow" in answer.text.lower(), (method, path, answer.text[:300])
                json.loads(answer.text or "null")  # whatever it says, it says it in JSON
    assert sent > 100
