"""Every answer the services give in the tests is one their committed OpenAPI document declares
for that route, and its JSON body matches the schema declared for that status: the whole API
suite doubles as a check of the contract (docs/openapi/*.json)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs" / "openapi"
TITLES = {
    "MLaaS prediction service": "prediction",
    "MLaaS training service": "training",
    "MLaaS monitoring service": "monitoring",
}


@cache
def _document(service: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DOCS / f"{service}.json").read_text())
    return document


@cache
def _operations(service: str) -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    document = _document(service)
    return [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), operations)
        for path, operations in document["paths"].items()
    ]


def undocumented(
    app_title: str, method: str, path: str, status: int, content_type: str = "", body: bytes = b""
) -> str | None:
    """Why this answer breaks the contract, or None (also for apps and paths it does not
    describe: a test's own routes, an unknown path's 404, a method the path lacks)."""
    service = TITLES.get(app_title)
    if service is None:
        return None
    for pattern, operations in _operations(service):
        if not pattern.match(path):
            continue
        operation = operations.get(method.lower())
        if operation is None:
            return None
        declared = operation["responses"].get(str(status))
        if declared is None:
            return (
                f"{method} {path} answered {status}, which docs/openapi/{service}.json does not "
                f"declare (declared: {sorted(operation['responses'])})"
            )
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema is None or not content_type.startswith("application/json") or not body:
            return None
        return _body_problem(service, schema, json.loads(body), f"{method} {path} {status}")
    return None


def _body_problem(service: str, schema: dict[str, Any], value: Any, where: str) -> str | None:
    from jsonschema import Draft202012Validator

    # The document's components beside the schema, so its "#/components/..." references resolve.
    root = {**schema, "components": _document(service)["components"]}
    error = next(iter(Draft202012Validator(root).iter_errors(value)), None)
    if error is None:
        return None
    at = "/".join(str(p) for p in error.absolute_path) or "(the body)"
    return f"{where}: the body does not match docs/openapi/{service}.json at {at}: {error.message}"
