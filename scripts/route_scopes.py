"""Write the table of which API key scope reaches each route into docs/security.md.

    .venv/bin/python scripts/route_scopes.py          # rewrite the table in docs/security.md
    .venv/bin/python scripts/route_scopes.py --check  # exit 1 if the table is out of date

The scopes are read from the apps themselves (services.common.route_scopes: the scope each
route's key dependency requires); tests/services/test_route_scopes.py checks the table is
current and calls every route with every kind of key.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- route-scopes:start -->", "<!-- route-scopes:end -->"
SERVICES = ("prediction", "training", "monitoring")


def table() -> str:
    from services.common import route_scopes

    lines = ["| service | method | route | key scope |", "|---|---|---|---|"]
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.app").app
        for method, path, scope in route_scopes(app):
            lines.append(f"| {service} | {method} | `{path}` | {scope} |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    text = DOC.read_text()
    new = render(text)
    if "--check" in sys.argv:
        if new != text:
            print("docs/security.md: the route/scope table is stale; run scripts/route_scopes.py")
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
