"""The committed OpenAPI documents (docs/openapi/*.json, the contract clients are generated from)
are exactly what the running apps serve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", ["prediction", "training", "monitoring"])
def test_the_committed_openapi_document_matches_the_app(service: str) -> None:
    import importlib

    app = importlib.import_module(f"services.{service}.app").app
    committed = json.loads((ROOT / "docs" / "openapi" / f"{service}.json").read_text())
    served = json.loads(json.dumps(app.openapi()))  # as a client reads it
    assert served == committed, f"run scripts/openapi.py and commit docs/openapi/{service}.json"
