"""Write the three services' OpenAPI documents to docs/openapi/ (the committed contract the
dashboard's client is generated from).

    .venv/bin/python scripts/openapi.py          # rewrite docs/openapi/*.json
    .venv/bin/python scripts/openapi.py --check  # exit 1 if an app differs from its document

tests/services/test_openapi.py fails when a running app differs from its committed document.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "openapi"
SERVICES = ("prediction", "training", "monitoring")


def document(service: str) -> dict[str, Any]:
    """The service's OpenAPI document as its app generates it."""
    app = importlib.import_module(f"services.{service}.app").app
    schema: dict[str, Any] = app.openapi()
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    stale = []
    for service in SERVICES:
        path = OUT / f"{service}.json"
        text = render(document(service))
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
            continue
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if stale:
        print(f"stale OpenAPI documents: {', '.join(stale)}; run scripts/openapi.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
