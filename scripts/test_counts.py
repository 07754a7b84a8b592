"""Count the suite's tests by folder and write the table into docs/testing.md.

    .venv/bin/python scripts/test_counts.py          # rewrite the table
    .venv/bin/python scripts/test_counts.py --check  # exit 1 if stale (tests/test_docs.py)

The table sits between the two marker comments in docs/testing.md; counts come from
`pytest --collect-only` (parametrized cases count one each), so they are never typed by hand.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "testing.md"
START, END = "<!-- test-counts:start -->", "<!-- test-counts:end -->"


def collected(*markers: str) -> list[str]:
    """Node ids pytest collects from tests/ (optionally only those matching `-m`)."""
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    if markers:
        command += ["-m", " and ".join(markers)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "::" in line]


def table() -> str:
    by_folder = Counter("/".join(node.split("::")[0].split("/")[:2]) for node in collected())
    slow = len(collected("slow"))
    rows = [
        f"| `{folder}{'' if folder.endswith('.py') else '/'}` | {count} |"
        for folder, count in sorted(by_folder.items())
    ]
    total = sum(by_folder.values())
    return "\n".join(
        [
            START,
            "| folder | tests |",
            "|---|---|",
            *rows,
            f"| **all** | **{total}** (of which {slow} marked `slow`) |",
            END,
        ]
    )


def main() -> int:
    text = DOC.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    updated = before + table() + after
    if "--check" in sys.argv:
        if updated != text:
            print(f"{DOC.relative_to(ROOT)}: test counts are stale; run scripts/test_counts.py")
            return 1
        return 0
    DOC.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
