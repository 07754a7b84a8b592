"""Every answer the services give in the tests is one their committed OpenAPI document declares
for that route: the whole API suite doubles as a check of the contract (docs/openapi/*.json)."""

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
def _operations(service: str) -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    document = json.loads((DOCS / f"{service}.json").read_text())
    return [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), operations)
        for path, operations in document["paths"].items()
    ]


def undocumented(app_title: str, method: str, path: str, status: int) -> str | None:
    """Why this answer breaks the contract, or None (also for apps and paths it does not
    describe: a test's own routes, an unknown path's 404, a method the path lacks)."""
    service = TITLES.get(app_title)
    if service is None:
        return None
    for pattern, operations in _operations(service):
        if pattern.match(path):
            operation = operations.get(method.lower())
            if operation is None or str(status) in operation["responses"]:
                return None
            return (
                f"{method} {path} answered {status}, which docs/openapi/{service}.json does not "
                f"declare (declared: {sorted(operation['responses'])})"
            )
    return None
